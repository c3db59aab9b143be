from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.utils import timezone

from pilote.aids import etalab
from pilote.aids.enums import CallStatus, Level, Schema, Theme
from pilote.aids.models import AidScheme, CallWindow, SavedSearch
from pilote.core.enums import Visibility
from pilote.core.locking import VersionedForm
from pilote.core.validators import field_validators
from pilote.territories.models import Epci

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TARGETS = [
    (t, t.capitalize())
    for t in ("professionnels", "particuliers", "associations", "secteur public")
]
SIZES = [
    ("MIC", "Microentreprise (MIC)"),
    ("PME", "PME"),
    ("ETI", "ETI"),
    ("GE", "Grande entreprise (GE)"),
]
STATUS_CHOICES = [
    ("", "Ouverts ou à venir"),  # with the permanent schemes: the default view
    (CallStatus.OPEN, "Ouverts"),
    (CallStatus.UPCOMING, "À venir"),
    (CallStatus.CLOSED, "Clos"),
    ("all", "Tous"),
]
PIPE_HELP = "Plusieurs valeurs séparées par « | »."


def carrier_choices() -> list[tuple[str, str]]:
    names = set()
    for carriers in AidScheme.objects.values_list("carriers", flat=True):
        names.update(c.get("nom", "") for c in carriers)
    return [("", "Tous")] + [(n, n) for n in sorted(names, key=str.lower) if n]


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False)
    theme = forms.ChoiceField(label="Thème", required=False)
    level = forms.ChoiceField(label="Échelon", required=False)
    carrier = forms.ChoiceField(label="Porteur", required=False)
    status = forms.ChoiceField(label="Calendrier", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, with_status: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # The label above each select names it: the empty choice stays short enough to fit.
        self.fields["theme"].choices = [("", "Tous"), *Theme.choices]
        self.fields["level"].choices = [("", "Tous"), *Level.choices]
        self.fields["carrier"].choices = carrier_choices()
        if not with_status:
            del self.fields["status"]

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


# -- the scheme form: etalab cells, validated by the schema's own rules --------------------


def _lines(text: str) -> list[list[str]]:
    return [
        [part.strip() for part in line.split(";")] for line in text.splitlines() if line.strip()
    ]


class SchemeForm(VersionedForm, forms.Form):
    """Every field of `dispositif-aide-professionnels`, plus the team's. The cells are built
    as the CSV would hold them and validated by `etalab.validate`, so a scheme typed here
    exports to a valid file."""

    id = forms.CharField(
        label="Identifiant (UUID)",
        required=False,
        help_text="Laissez vide : un identifiant est créé. Sinon, celui du porteur d'origine.",
    )
    titre = forms.CharField(label="Titre", max_length=255)
    promesse = forms.CharField(
        label="Promesse",
        required=False,
        max_length=180,
        help_text="6 à 15 mots, commençant par un verbe à l'impératif.",
    )
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 6}))
    eligibilite = forms.CharField(
        label="Critères d'éligibilité", widget=forms.Textarea(attrs={"rows": 5})
    )
    types_aides = forms.CharField(
        label="Types d'aides", help_text=f"Par exemple information|financement. {PIPE_HELP}"
    )
    porteurs = forms.CharField(
        label="Porteurs",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un par ligne : nom ; SIREN ; rôles séparés par des virgules "
        "(financeur, instructeur, diffuseur). Exemple : ADEME ; 385290309 ; instructeur",
    )
    programmes_parents = forms.CharField(
        label="Programmes parents", required=False, help_text=PIPE_HELP
    )
    url_source = forms.CharField(label="Adresse de la source", required=False)
    cibles = forms.MultipleChoiceField(
        label="Bénéficiaires",
        choices=TARGETS,
        widget=forms.CheckboxSelectMultiple,
        initial=["professionnels"],
    )
    eligibilite_geographique = forms.CharField(
        label="Couverture géographique",
        initial="PAYS-99100",
        help_text="Codes COG : PAYS-99100 (France), REG-32, DEP-59, EPCI-200068500, COM-59122. "
        + PIPE_HELP,
    )
    eligibilite_geographique_exclusions = forms.CharField(
        label="Zones exclues", required=False, help_text="Codes COG. " + PIPE_HELP
    )
    date_ouverture = forms.DateField(
        label="Ouverture", required=False, widget=DATE,
        validators=field_validators(CallWindow, "opens_on"),
    )  # fmt: skip
    date_cloture = forms.DateField(
        label="Clôture", required=False, widget=DATE,
        validators=field_validators(CallWindow, "closes_on"),
    )  # fmt: skip
    base_juridique = forms.CharField(
        label="Bases juridiques",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Une par ligne : libellé ; lien",
    )
    eligibilite_effectif_minimal = forms.IntegerField(
        label="Effectif minimal", required=False, min_value=0
    )
    eligibilite_effectif_maximal = forms.IntegerField(
        label="Effectif maximal", required=False, min_value=0
    )
    eligibilite_categorie_taille_entreprise = forms.MultipleChoiceField(
        label="Catégories d'entreprise",
        required=False,
        choices=SIZES,
        widget=forms.CheckboxSelectMultiple,
    )
    eligibilite_annees_existence_minimal = forms.IntegerField(
        label="Années d'existence minimales", required=False, min_value=0
    )
    eligibilite_forme_juridique = forms.CharField(
        label="Formes juridiques éligibles",
        required=False,
        help_text="Par exemple SARL|SAS|SASU|SA. " + PIPE_HELP,
    )
    eligibilite_forme_juridique_exclusions = forms.CharField(
        label="Formes juridiques exclues", required=False, help_text=PIPE_HELP
    )
    ciblage_secteur_activite = forms.CharField(
        label="Secteurs d'activité",
        initial="tous secteurs d'activité",
        help_text="« tous secteurs d'activité », ou par exemple industrie|IAA. " + PIPE_HELP,
    )
    ciblage_naf = forms.CharField(
        label="Codes NAF ciblés",
        required=False,
        help_text="Section (C), division (29), groupe (29.3), classe (29.32) ou sous-classe "
        "(29.32Z). " + PIPE_HELP,
    )
    ciblage_naf_exclusions = forms.CharField(
        label="Codes NAF exclus", required=False, help_text=PIPE_HELP
    )
    chainage_paiement = forms.CharField(
        label="Identifiant du dispositif d'étude d'éligibilité",
        required=False,
        help_text="Pour un dispositif qui est la demande de paiement d'un autre.",
    )
    themes = forms.MultipleChoiceField(
        label="Thèmes",
        required=False,
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(label="Échelon", required=False, choices=[("", "—"), *Level.choices])
    is_demo = forms.BooleanField(label="Donnée de démonstration", required=False)

    def __init__(self, *args, scheme: AidScheme | None = None, **kwargs):
        self.scheme = scheme
        if scheme is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(scheme)
        super().__init__(*args, record=scheme, **kwargs)
        if scheme is not None:
            self.fields["id"].disabled = True

    def _cells(self) -> dict[str, str]:
        data = self.cleaned_data
        cells = {}
        for name in etalab.columns(Schema.PRO):
            value = data.get(name)
            if name == "porteurs":
                carriers = [
                    {
                        "nom": parts[0],
                        "siren": parts[1] if len(parts) > 1 else "",
                        "roles": [
                            r.strip()
                            for r in (parts[2] if len(parts) > 2 else "").split(",")
                            if r.strip()
                        ],
                    }
                    for parts in _lines(value or "")
                ]
                cells[name] = json.dumps(carriers, ensure_ascii=False) if carriers else ""
            elif name == "base_juridique":
                items = [
                    {"libelle": parts[0], "lien": parts[1] if len(parts) > 1 else ""}
                    for parts in _lines(value or "")
                ]
                cells[name] = json.dumps(items, ensure_ascii=False) if items else ""
            elif name == "date_ouverture" and value:
                cells[name] = _midnight(value).isoformat()
            elif name == "date_cloture" and value:
                cells[name] = _midnight(value, end=True).isoformat()
            elif isinstance(value, list):
                cells[name] = "|".join(value)
            elif value is None:
                cells[name] = ""
            else:
                cells[name] = str(value)
        cells["date_mise_a_jour"] = timezone.now().replace(microsecond=0).isoformat()
        if self.scheme is not None:
            cells["id"] = self.scheme.etalab_id
        elif not cells["id"]:
            import uuid

            cells["id"] = str(uuid.uuid4())
        return cells

    def clean(self):
        super().clean()
        record = etalab.validate(Schema.PRO, self._cells(), number=1, line=1)
        for error in record.errors:
            name = error.field if error.field in self.fields else None
            if name not in self.errors:
                self.add_error(name, error.message)
        if record.is_valid:
            etalab_id = record.values["etalab_id"]
            taken = AidScheme.objects.filter(etalab_id=etalab_id)
            if self.scheme is not None:
                taken = taken.exclude(pk=self.scheme.pk)
            if taken.exists():
                self.add_error("id", "Un dispositif porte déjà cet identifiant.")
        self.values = {
            **{k: v for k, v in record.values.items() if k != "source_updated_at"},
            "themes": self.cleaned_data.get("themes", []),
            "level": self.cleaned_data.get("level", ""),
            "is_demo": self.cleaned_data.get("is_demo", False),
        }
        if self.scheme is not None:
            self.values.pop("etalab_id")
        return self.cleaned_data


def _midnight(day: dt.date, *, end: bool = False) -> dt.datetime:
    moment = dt.time(23, 59, 59) if end else dt.time.min
    return timezone.make_aware(dt.datetime.combine(day, moment))


def initial_of(scheme: AidScheme) -> dict:
    def pipe(values):
        return "|".join(values or [])

    return {
        "id": scheme.etalab_id,
        "titre": scheme.title,
        "promesse": scheme.promise,
        "description": scheme.description,
        "eligibilite": scheme.eligibility,
        "types_aides": pipe(scheme.aid_types),
        "porteurs": "\n".join(
            f"{c['nom']} ; {c.get('siren', '')} ; {', '.join(c.get('roles', []))}"
            for c in scheme.carriers
        ),
        "programmes_parents": pipe(scheme.parent_programmes),
        "url_source": scheme.source_url,
        "cibles": scheme.targets,
        "eligibilite_geographique": pipe(scheme.geo_included),
        "eligibilite_geographique_exclusions": pipe(scheme.geo_excluded),
        "date_ouverture": timezone.localtime(scheme.opens_at).date() if scheme.opens_at else None,
        "date_cloture": timezone.localtime(scheme.closes_at).date() if scheme.closes_at else None,
        "base_juridique": "\n".join(f"{b['libelle']} ; {b['lien']}" for b in scheme.legal_basis),
        "eligibilite_effectif_minimal": scheme.headcount_min,
        "eligibilite_effectif_maximal": scheme.headcount_max,
        "eligibilite_categorie_taille_entreprise": scheme.size_categories,
        "eligibilite_annees_existence_minimal": scheme.min_years,
        "eligibilite_forme_juridique": pipe(scheme.legal_forms),
        "eligibilite_forme_juridique_exclusions": pipe(scheme.legal_forms_excluded),
        "ciblage_secteur_activite": pipe(scheme.sectors),
        "ciblage_naf": pipe(scheme.naf_codes),
        "ciblage_naf_exclusions": pipe(scheme.naf_excluded),
        "chainage_paiement": scheme.payment_of,
        "themes": scheme.themes,
        "level": scheme.level,
        "is_demo": scheme.is_demo,
    }


SCHEME_SECTIONS = [
    ("Le dispositif", ["id", "titre", "promesse", "description", "eligibilite", "types_aides",
                       "porteurs", "programmes_parents", "url_source", "base_juridique",
                       "chainage_paiement"]),
    ("Pour l'équipe TI", ["themes", "level", "is_demo"]),
    ("Période du dispositif", ["date_ouverture", "date_cloture"]),
    ("Qui est éligible", ["cibles", "eligibilite_geographique",
                          "eligibilite_geographique_exclusions", "ciblage_secteur_activite",
                          "ciblage_naf", "ciblage_naf_exclusions",
                          "eligibilite_effectif_minimal", "eligibilite_effectif_maximal",
                          "eligibilite_categorie_taille_entreprise",
                          "eligibilite_annees_existence_minimal", "eligibilite_forme_juridique",
                          "eligibilite_forme_juridique_exclusions"]),
]  # fmt: skip


class WindowForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = CallWindow
        fields = ["kind", "label", "opens_on", "closes_on"]
        widgets = {"opens_on": DATE, "closes_on": DATE}
        help_texts = {"label": "Par exemple « Vague 2 » ou « Relève de mars »."}

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "La clôture précède l'ouverture.")
        return data


class NoteForm(VersionedForm, forms.Form):
    epci = forms.ModelChoiceField(label="EPCI concerné", queryset=Epci.objects.none())
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Mise en forme Markdown possible.",
    )
    visibility = forms.ChoiceField(
        label="Qui voit cette note ?",
        choices=Visibility.explained_choices(),
        initial=Visibility.EPCI,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, epcis=None, note=None, **kwargs):
        if note is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "epci": note.epci_id,
                "body": note.body,
                "visibility": note.visibility,
            }
        super().__init__(*args, record=note, **kwargs)
        self.fields["epci"].queryset = epcis if epcis is not None else Epci.objects.none()
        if note is not None:
            self.fields["epci"].disabled = True


class InformForm(forms.Form):
    message = forms.CharField(
        label="Message d'accompagnement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ajouté en tête de chaque courriel. "
        "Chaque EPCI ne reçoit que ses établissements.",
    )


class SearchForm(VersionedForm, forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label="Thèmes",
        required=False,
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.MultipleChoiceField(
        label="Échelons",
        required=False,
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    carrier = forms.ChoiceField(label="Porteur", required=False)

    class Meta:
        model = SavedSearch
        fields = ["name", "query", "themes", "levels", "carrier", "notify_new", "notify_closing"]
        labels = {
            "notify_new": "M'écrire les nouveaux dispositifs",
            "notify_closing": "M'écrire les appels qui clôturent dans moins de 30 jours",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Une adresse extérieure à Pilote reçoit d'abord un lien de confirmation.",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV (schéma etalab dispositif-aide ou dispositif-aide-professionnels)"
    )
    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Fichier trop volumineux (20 Mo au plus).")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Un fichier .csv est attendu.")
        return upload
