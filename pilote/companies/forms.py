from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from pilote.companies import registry
from pilote.companies.enums import CompanySize, HeadcountBand
from pilote.companies.models import Sector
from pilote.core.locking import VersionedForm
from pilote.territories.models import Commune, Epci

STATE_CHOICES = [("open", "En activité"), ("closed", "Fermés"), ("all", "Tous")]
FOLLOW_CHOICES = [("", "Tous"), ("followed", "Suivis"), ("never", "Jamais rencontrés")]
SORT_CHOICES = [
    ("name", "Nom"),
    ("-headcount", "Effectif décroissant"),
    ("-created", "Création la plus récente"),
    ("commune", "Commune"),
]


class FastSelect(forms.Select):
    """A <select> whose options are written in Python rather than one template each.

    Django renders every <option> through a template (about 0.1 ms each): 20 to 30 ms of
    every directory page for a territory's 260 communes and the other lists.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        options = []
        for option, label in self.choices:  # flat lists only: no <optgroup> here
            option = "" if option is None else str(option)
            chosen = " selected" if option in selected else ""
            options.append(
                f'<option value="{escape(option)}"{chosen}>{escape(str(label))}</option>'
            )
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(attrs)}>{"".join(options)}</select>'
        )


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class ValuesChoiceIterator(forms.models.ModelChoiceIterator):
    """(pk, label) from `values_list`, without building a model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_field)


class LightModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options come from one column (`label_field`)."""

    iterator = ValuesChoiceIterator

    def __init__(self, *args, label_field: str = "name", **kwargs):
        self.label_field = label_field
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Nom, SIRET, SIREN ou commune", required=False)
    epci = forms.ModelChoiceField(
        label="EPCI",
        queryset=Epci.objects.none(),
        required=False,
        empty_label="Tous",
        widget=FastSelect,
    )
    commune = LightModelChoiceField(
        label="Commune", queryset=Commune.objects.none(), required=False, empty_label="Toutes"
    )
    sector = forms.ModelChoiceField(
        label="Filière",
        queryset=Sector.objects.none(),
        required=False,
        empty_label="Toutes",
        widget=FastSelect,
    )
    naf = forms.CharField(
        label="Code NAF",
        required=False,
        help_text="Un code ou son début : 29, 29.3, 29.32Z",
        max_length=6,
    )
    band = forms.MultipleChoiceField(
        label="Tranche d'effectif",
        choices=HeadcountBand.choices,
        required=False,
        widget=FastSelectMultiple,
    )
    size = forms.ChoiceField(
        label="Catégorie",
        required=False,
        choices=[("", "Toutes"), ("core", "PME de 30 à 200 personnes (cœur de cible)"),
                 *CompanySize.choices],
        widget=FastSelect,
    )  # fmt: skip
    industrial = forms.BooleanField(label="Périmètre industriel seulement", required=False)
    state = forms.ChoiceField(
        label="État", choices=STATE_CHOICES, required=False, widget=FastSelect
    )
    followed = forms.ChoiceField(
        label="Suivi", choices=FOLLOW_CHOICES, required=False, widget=FastSelect
    )
    sort = forms.ChoiceField(
        label="Trier par", choices=SORT_CHOICES, required=False, widget=FastSelect
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.fields["epci"].queryset = Epci.objects.in_territory(territory)
        self.fields["commune"].queryset = territory.communes.order_by("name")
        self.fields["sector"].queryset = Sector.objects.filter(territory=territory)
        self.fields["sort"].choices = [
            *SORT_CHOICES,
            *((key, o.label) for key, o in registry.directory_orderings.items()),
        ]

    def clean_naf(self):
        value = self.cleaned_data["naf"].strip().upper()
        allowed = set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if value and not set(value) <= allowed:
            raise forms.ValidationError("Code NAF invalide : chiffres, point et lettre finale.")
        return value


class SectorForm(VersionedForm, forms.ModelForm):
    naf_prefixes = forms.CharField(
        label="Codes NAF",
        help_text="Séparés par des virgules, à n'importe quel niveau : 29, 30.20, 20.14Z",
    )

    class Meta:
        model = Sector
        fields = ["name", "slug", "naf_prefixes", "strategic"]

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        if self.instance.pk:
            self.initial["naf_prefixes"] = ", ".join(self.instance.naf_prefixes)

    def clean_naf_prefixes(self):
        from pilote.companies.models import Naf

        codes = [c.strip().upper() for c in self.cleaned_data["naf_prefixes"].split(",")]
        codes = sorted({c for c in codes if c})
        if not codes:
            raise forms.ValidationError("Indiquez au moins un code NAF.")
        known = set(Naf.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(
                f"Codes inconnus dans la NAF rév. 2 : {', '.join(unknown)}."
            )
        return codes

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        clash = Sector.objects.filter(territory=self.territory, slug=slug)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Une autre filière du territoire porte cet identifiant.")
        return slug


class IndustrialScopeForm(VersionedForm, forms.Form):
    sections = forms.MultipleChoiceField(
        label="Sections NAF du périmètre industriel",
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args, **kwargs):
        from pilote.companies.models import Naf

        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = list(
            Naf.objects.filter(level="section").values_list("code", "label")
        ) or [(c, c) for c in "ABCDEFGHIJKLMNOPQRSTU"]


class ImportJobForm(forms.Form):
    etablissements = forms.ChoiceField(label="Fichier StockEtablissement (CSV ou zip)")
    unites_legales = forms.ChoiceField(
        label="Fichier StockUniteLegale (facultatif)", required=False
    )
    wet_run = forms.BooleanField(
        label="Écrire pour de vrai (sinon : simulation, rien n'est enregistré)", required=False
    )
    whole_file = forms.BooleanField(
        label="Diagnostiquer tout le fichier",
        required=False,
        help_text="Signale aussi les lignes abîmées qui ne peuvent pas concerner le territoire "
        "(environ trois fois plus long sur le fichier national).",
    )

    def __init__(self, *args, files, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p), p.name) for p in files]
        self.fields["etablissements"].choices = choices
        self.fields["unites_legales"].choices = [("", "—"), *choices]


class SiretLookupForm(forms.Form):
    """« Saisissez son SIRET » : an establishment of the territory by its SIRET, with a French
    error for a mistyped number (checksum) or one outside the territory."""

    etablissement = forms.CharField(
        label="SIRET de l'établissement",
        help_text="14 chiffres, espaces permis",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory

    def clean_etablissement(self):
        from pilote.companies.identifiers import clean_siret
        from pilote.companies.models import Establishment

        siret = clean_siret(self.cleaned_data["etablissement"])
        establishment = (
            Establishment.objects.select_related("company", "epci")
            .filter(siret=siret, epci__territories=self.territory)
            .first()
            if self.territory is not None
            else None
        )
        if establishment is None:
            raise forms.ValidationError(
                "Aucun établissement du territoire ne porte ce SIRET : vérifiez-le dans l'annuaire."
            )
        return establishment
