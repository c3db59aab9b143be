"""Forms of the territory projects' pages. They only read and check input; the services
write (pilote/territory_projects/services.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from pilote.accompaniment.forms import DATE_INPUT_FORMATS, DATE_WIDGET, EuroField, _date_field
from pilote.accounts import access
from pilote.aids.models import CallWindow
from pilote.applications import documents
from pilote.applications.models import Application
from pilote.companies.models import Establishment
from pilote.core.enums import shared_visibility_explained
from pilote.core.locking import VersionedForm
from pilote.core.money import allocate
from pilote.core.validators import field_validators
from pilote.territories.models import Epci
from pilote.territory_projects.enums import CarrierRole, Phase, Status, Theme, VoteOutcome
from pilote.territory_projects.models import CouncilVote, Milestone, TerritoryProject

EQUAL = "egal"
EXPLICIT = "montants"
SPLIT_CHOICES = [
    (EQUAL, "Répartir à parts égales entre les EPCI porteurs"),
    (EXPLICIT, "Indiquer la part de chaque EPCI porteur (leur somme égale le budget au centime)"),
]
SIRET_RE = re.compile(r"^\d{14}$")


def _share_field_name(epci_pk) -> str:
    return f"part_{epci_pk}"


class ProjectForm(VersionedForm, forms.Form):
    """Create or edit a project: its fields, its lead and partner EPCIs with their shares,
    the EPCIs it is shared with, the establishments, calls and applications it links."""

    title = forms.CharField(label="Intitulé", max_length=200)
    summary = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    theme = forms.ChoiceField(label="Thématique", choices=Theme.choices, initial=Theme.OTHER)
    phase = forms.ChoiceField(label="Phase", choices=Phase.choices, initial=Phase.IDEA)
    status = forms.ChoiceField(label="Statut", choices=Status.choices, initial=Status.ONGOING)
    starts_on = _date_field(
        "Début", required=False, validators=field_validators(TerritoryProject, "starts_on")
    )
    ends_on = _date_field(
        "Fin prévue", required=False, validators=field_validators(TerritoryProject, "ends_on")
    )
    budget = EuroField(label="Budget total (€)", required=False, help_text="Par exemple : 250 000")
    visibility = forms.ChoiceField(
        label="Visibilité", choices=shared_visibility_explained(), widget=forms.RadioSelect
    )
    epci = forms.ModelChoiceField(
        label="EPCI chef de file", queryset=Epci.objects.none(), empty_label=None
    )
    partners = forms.ModelMultipleChoiceField(
        label="EPCI partenaires", queryset=Epci.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les EPCI qui portent le projet avec le chef de file.",
    )  # fmt: skip
    shared_with = forms.ModelMultipleChoiceField(
        label="Partagé avec (visibilité « EPCI choisis »)", queryset=Epci.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    split = forms.ChoiceField(
        label="Parts du budget", choices=SPLIT_CHOICES, initial=EQUAL, widget=forms.RadioSelect
    )
    sirets = forms.CharField(
        label="Établissements concernés (SIRET)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un SIRET (14 chiffres) par ligne, d'établissements situés sur le territoire.",
    )  # fmt: skip
    calls = forms.ModelMultipleChoiceField(
        label="Appels à projets visés", queryset=CallWindow.objects.none(), required=False,
        help_text="Les appels ouverts ou à venir du catalogue.",
    )  # fmt: skip
    applications = forms.ModelMultipleChoiceField(
        label="Dossiers de candidature liés", queryset=Application.objects.none(), required=False,
        help_text="Parmi les dossiers que vous voyez sur le territoire.",
    )  # fmt: skip

    def __init__(self, *args, user, territory, project: TerritoryProject | None = None, **kw):
        self.project = project
        self.territory = territory
        initial = kw.pop("initial", {}) or {}
        if project is not None:
            initial = {**self._initial_of(project), **initial}
        super().__init__(*args, record=project, initial=initial, **kw)
        territory_epcis = Epci.objects.in_territory(territory).order_by("name")
        self.territory_epcis = list(territory_epcis)
        leads = access.writable_epcis(user, territory=territory)
        if project is not None:
            leads = Epci.objects.filter(Q(pk__in=leads.values("pk")) | Q(pk=project.epci_id))
        self.fields["epci"].queryset = leads.order_by("name")
        self.fields["partners"].queryset = territory_epcis
        self.fields["shared_with"].queryset = territory_epcis
        self.fields["shared_with"].help_text = (
            "Les EPCI porteurs en font toujours partie ; ce choix ne compte que pour la "
            "visibilité « EPCI choisis »."
        )
        today = timezone.localdate()
        calls = Q(closes_on__isnull=True) | Q(closes_on__gte=today)
        if project is not None:
            calls |= Q(pk__in=project.calls.values("pk"))
        self.fields["calls"].queryset = (
            CallWindow.objects.filter(calls).select_related("scheme")
            .order_by("closes_on", "scheme__title", "pk")
        )  # fmt: skip
        self.fields["applications"].queryset = (
            Application.objects.visible_to(user).filter(epci__territories=territory)
            .select_related("establishment").order_by("title", "pk")
        )  # fmt: skip
        for epci in self.territory_epcis:
            self.fields[_share_field_name(epci.pk)] = EuroField(
                label=f"Part de {epci.name} (€)", required=False
            )
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.input_formats = DATE_INPUT_FORMATS

    @staticmethod
    def _initial_of(project: TerritoryProject) -> dict:
        carriers = list(project.carriers.all())
        initial = {
            name: getattr(project, name)
            for name in ("title", "summary", "theme", "phase", "status", "starts_on", "ends_on",
                         "budget", "visibility")
        }  # fmt: skip
        initial["epci"] = project.epci_id
        initial["partners"] = [c.epci_id for c in carriers if c.role == CarrierRole.PARTNER]
        initial["shared_with"] = list(project.shares.values_list("epci_id", flat=True))
        initial["sirets"] = "\n".join(project.establishments.values_list("siret", flat=True))
        initial["calls"] = list(project.calls.values_list("pk", flat=True))
        initial["applications"] = list(project.applications.values_list("pk", flat=True))
        # Equal parts (to the cent that `allocate` gives one or another) unless told otherwise.
        amounts = [c.share for c in carriers]
        equal = not amounts or max(amounts) - min(amounts) <= Decimal("0.01")
        initial["split"] = EQUAL if equal else EXPLICIT
        for carrier in carriers:
            initial[_share_field_name(carrier.epci_id)] = carrier.share
        return initial

    def share_fields(self):
        """The bound share fields, one per EPCI of the territory (for the template)."""
        return [self[_share_field_name(epci.pk)] for epci in self.territory_epcis]

    def other_fields(self):
        names = {_share_field_name(epci.pk) for epci in self.territory_epcis}
        return [self[name] for name in self.fields if name not in names]

    def clean_budget(self):
        return self.cleaned_data.get("budget") or Decimal("0")

    def clean_sirets(self):
        lines = [line.replace(" ", "").strip() for line in self.cleaned_data["sirets"].splitlines()]
        sirets = list(dict.fromkeys(line for line in lines if line))
        malformed = [s for s in sirets if not SIRET_RE.match(s)]
        if malformed:
            raise forms.ValidationError(
                f"Un SIRET compte 14 chiffres : {', '.join(malformed[:5])}."
            )
        found = {
            e.siret: e
            for e in Establishment.objects.filter(
                siret__in=sirets, epci__territories=self.territory
            ).select_related("company")
        }
        missing = [s for s in sirets if s not in found]
        if missing:
            raise forms.ValidationError(
                "Aucun établissement du territoire n'a ce SIRET : " + ", ".join(missing[:5]) + "."
            )
        return [found[s] for s in sirets]

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("epci")
        if lead is None:
            return cleaned
        carriers = [lead.pk] + [e.pk for e in cleaned.get("partners") or [] if e.pk != lead.pk]
        budget = cleaned.get("budget") or Decimal("0")
        if cleaned.get("split") == EXPLICIT:
            cleaned["shares"] = {
                pk: cleaned.get(_share_field_name(pk)) or Decimal("0") for pk in carriers
            }
        else:
            cleaned["shares"] = dict(
                zip(carriers, allocate(budget, [1] * len(carriers)), strict=True)
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """What the service takes: the fields, the carriers and shares, the links."""
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in ("title", "summary", "theme", "phase", "status", "starts_on", "ends_on",
                         "budget", "visibility", "epci", "partners", "shared_with", "calls",
                         "applications")
        }  # fmt: skip
        kwargs["shares"] = data["shares"]
        kwargs["establishments"] = data["sirets"]
        return kwargs


class VoteForm(forms.ModelForm):
    class Meta:
        model = CouncilVote
        fields = ["epci", "voted_on", "deliberation_number", "outcome", "note"]

    def __init__(self, *args, epcis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epci"].queryset = epcis
        self.fields["epci"].empty_label = None
        self.fields["voted_on"].widget = DATE_WIDGET
        self.fields["voted_on"].input_formats = DATE_INPUT_FORMATS
        self.fields["voted_on"].error_messages["invalid"] = (
            "Saisissez une date, par exemple 30/11/2026."
        )
        self.fields["outcome"].initial = VoteOutcome.PENDING
        self.initial.setdefault("voted_on", timezone.localdate())


class MilestoneForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("due_on", "done_on"):
            field = self.fields[name]
            field.widget = DATE_WIDGET
            field.input_formats = DATE_INPUT_FORMATS
            field.error_messages["invalid"] = "Saisissez une date, par exemple 30/11/2026."
        self.fields["done_on"].help_text = "Laissez vide tant que le jalon n'est pas atteint."


class DocumentForm(forms.Form):
    upload = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(attrs={"accept": documents.ACCEPT}),
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "upload"
        ].help_text = (
            f"{documents.allowed_label()} ; {filesizeformat(documents.max_bytes())} au plus."
        )


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False)
    phase = forms.ChoiceField(
        label="Phase", required=False, choices=[("", "Toutes"), *Phase.choices]
    )
    status = forms.ChoiceField(
        label="Statut", required=False,
        choices=[("", "Tous"), ("ouverts", "En cours, en retard, en pause ou bloqués"),
                 *Status.choices],
    )  # fmt: skip
    theme = forms.ChoiceField(
        label="Thématique", required=False, choices=[("", "Toutes"), *Theme.choices]
    )
    epci = forms.ModelChoiceField(
        label="EPCI porteur", queryset=Epci.objects.none(), required=False, empty_label="Tous"
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        if territory is not None:
            self.fields["epci"].queryset = Epci.objects.in_territory(territory).order_by("name")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        for word in data["q"].split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        if data["phase"]:
            queryset = queryset.filter(phase=data["phase"])
        if data["status"] == "ouverts":
            queryset = queryset.open()
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["theme"]:
            queryset = queryset.filter(theme=data["theme"])
        if data["epci"]:
            queryset = queryset.filter(carriers__epci=data["epci"])
        return queryset
