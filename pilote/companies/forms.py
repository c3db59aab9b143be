from django import forms

from pilote.companies.enums import CompanySize, HeadcountBand
from pilote.companies.models import Sector
from pilote.territories.models import Commune, Epci

STATE_CHOICES = [("open", "En activité"), ("closed", "Fermés"), ("all", "Tous")]
FOLLOW_CHOICES = [("", "Tous"), ("followed", "Suivis"), ("never", "Jamais rencontrés")]
SORT_CHOICES = [
    ("name", "Nom"),
    ("-headcount", "Effectif décroissant"),
    ("-created", "Création la plus récente"),
    ("commune", "Commune"),
]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Nom, SIRET ou SIREN", required=False)
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous"
    )
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.none(), required=False, empty_label="Toutes"
    )
    sector = forms.ModelChoiceField(
        label="Filière", queryset=Sector.objects.none(), required=False, empty_label="Toutes"
    )
    naf = forms.CharField(
        label="Code NAF",
        required=False,
        help_text="Un code ou son début : 29, 29.3, 29.32Z",
        max_length=6,
    )
    band = forms.MultipleChoiceField(
        label="Tranche d'effectif", choices=HeadcountBand.choices, required=False
    )
    size = forms.ChoiceField(
        label="Catégorie",
        required=False,
        choices=[("", "Toutes"), ("core", "PME de 30 à 200 personnes (cœur de cible)"),
                 *CompanySize.choices],
    )  # fmt: skip
    industrial = forms.BooleanField(label="Périmètre industriel seulement", required=False)
    state = forms.ChoiceField(label="État", choices=STATE_CHOICES, required=False)
    followed = forms.ChoiceField(label="Suivi", choices=FOLLOW_CHOICES, required=False)
    sort = forms.ChoiceField(label="Trier par", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.fields["epci"].queryset = Epci.objects.in_territory(territory)
        self.fields["commune"].queryset = territory.communes.order_by("name")
        self.fields["sector"].queryset = Sector.objects.filter(territory=territory)

    def clean_naf(self):
        value = self.cleaned_data["naf"].strip().upper()
        allowed = set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if value and not set(value) <= allowed:
            raise forms.ValidationError("Code NAF invalide : chiffres, point et lettre finale.")
        return value
