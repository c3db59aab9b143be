from urllib.parse import urlsplit

from django import forms
from django.db.models import Q
from django.http import QueryDict

from pilote.accounts import access
from pilote.accounts.access_forms import FollowUpFilterForm
from pilote.accounts.enums import Role
from pilote.accounts.models import User
from pilote.companies.forms import DirectoryFilterForm
from pilote.core.enums import Visibility
from pilote.core.locking import VersionedForm
from pilote.core.validators import field_validators
from pilote.prospecting.enums import TRANSITIONS, TargetStatus
from pilote.prospecting.models import Campaign, CampaignTarget, ScoringWeights
from pilote.territories.models import Commune

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def campaign_workers(territory, epci=None):
    """People who may run a campaign of `territory`: its TI managers and EPCI agents (of
    `epci` when given). The services check each choice again."""
    agents = Q(memberships__role=Role.EPCI_AGENT)
    if epci is not None:
        agents &= Q(memberships__organisation__epci=epci)
    return (
        User.objects.filter(
            Q(memberships__role=Role.TI_MANAGER) | agents,
            is_active=True,
            memberships__is_active=True,
            memberships__territory=territory,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class CampaignForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["epci", "name", "starts_on", "ends_on", "owner", "description", "visibility"]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {"owner": "Le chef de projet TI ou un agent de l'EPCI."}

    def __init__(self, *args, user, territory, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a campaign keeps its EPCI: its targets belong to it
            del self.fields["epci"]
            epci = self.instance.epci
        else:
            epci = None
            self.fields["epci"].queryset = access.writable_epcis(user, territory=territory)
            self.fields["epci"].empty_label = None
        self.fields["owner"].queryset = campaign_workers(territory, epci)
        self.fields["owner"].required = True
        self.fields["owner"].empty_label = None
        if not self.instance.pk:
            self.initial.setdefault("owner", user.pk)
        self.fields["visibility"].choices = Visibility.explained_choices()


class CampaignFilterForm(FollowUpFilterForm):
    current = forms.BooleanField(label="En cours seulement", required=False)

    def filter(self, queryset):
        queryset = super().filter(queryset)
        if self.is_valid() and self.cleaned_data["current"]:
            queryset = queryset.open()
        return queryset


class TargetStatusForm(VersionedForm, forms.Form):
    """The inline form of one target row (its fields are prefixed by the target)."""

    status = forms.ChoiceField(label="Statut")
    planned_at = forms.DateTimeField(
        label="Rendez-vous le",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
        help_text="Obligatoire pour « rendez-vous fixé ».",
        validators=field_validators(CampaignTarget, "planned_at"),
    )
    assigned_to = forms.TypedChoiceField(
        label="Suivi par", required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(label="Commentaire", required=False, max_length=255)

    def __init__(self, *args, target, people: list[tuple[int, str]], **kwargs):
        kwargs.setdefault("prefix", f"cible-{target.pk}")
        kwargs.setdefault(
            "initial",
            {
                "status": target.status,
                "planned_at": target.planned_at,
                "assigned_to": target.assigned_to_id,
                "note": target.note,
            },
        )
        super().__init__(*args, record=target, **kwargs)
        allowed = TRANSITIONS[target.status] | {target.status}
        self.fields["status"].choices = [
            (v, lbl) for v, lbl in TargetStatus.choices if v in allowed
        ]
        self.fields["assigned_to"].choices = [("", "—"), *people]

    def clean(self):
        data = super().clean()
        if data.get("status") == TargetStatus.MEETING_PLANNED and not data.get("planned_at"):
            self.add_error("planned_at", "Indiquez la date et l'heure du rendez-vous.")
        return data


class WeightsForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = ScoringWeights
        fields = ScoringWeights.WEIGHT_FIELDS
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "max": 100})
            for name in ScoringWeights.WEIGHT_FIELDS
        }


class TargetFilterForm(DirectoryFilterForm):
    """The directory's filters, for one campaign: its EPCI is fixed, the order is the score."""

    def __init__(self, *args, territory, epci, **kwargs):
        super().__init__(*args, territory=territory, **kwargs)
        del self.fields["epci"]
        del self.fields["sort"]
        self.fields["commune"].queryset = Commune.objects.filter(epci=epci).order_by("name")


class PastedSearchForm(forms.Form):
    adresse = forms.CharField(
        label="Ou collez l'adresse d'une recherche de l'annuaire",
        help_text="Par exemple : https://…/entreprises/?sector=3&size=core",
        max_length=2000,
    )

    def querystring(self) -> str:
        """The directory filters of the pasted address (page, sort — the select's or a
        header's `tri` — and EPCI left out)."""
        text = self.cleaned_data["adresse"].strip()
        query = urlsplit(text).query if "?" in text else text.lstrip("?")
        params = QueryDict(query, mutable=True)
        for name in ("page", "sort", "tri", "epci"):
            params.pop(name, None)
        return params.urlencode()
