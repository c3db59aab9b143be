from django.db import models


class HeadcountBand(models.TextChoices):
    """INSEE « tranche d'effectif salarié » (data/naf/tranches_effectifs.csv; NN and 00 are
    shortened here for lists, their full official wording is in the data file)."""

    NN = "NN", "Unité non employeuse"
    B00 = "00", "0 salarié au 31/12"
    B01 = "01", "1 ou 2 salariés"
    B02 = "02", "3 à 5 salariés"
    B03 = "03", "6 à 9 salariés"
    B11 = "11", "10 à 19 salariés"
    B12 = "12", "20 à 49 salariés"
    B21 = "21", "50 à 99 salariés"
    B22 = "22", "100 à 199 salariés"
    B31 = "31", "200 à 249 salariés"
    B32 = "32", "250 à 499 salariés"
    B41 = "41", "500 à 999 salariés"
    B42 = "42", "1 000 à 1 999 salariés"
    B51 = "51", "2 000 à 4 999 salariés"
    B52 = "52", "5 000 à 9 999 salariés"
    B53 = "53", "10 000 salariés et plus"


# The roadmap's core target: « des PME de 30 à 200 personnes » (bands 20-49 to 100-199).
CORE_TARGET_BANDS = [HeadcountBand.B12, HeadcountBand.B21, HeadcountBand.B22]


class CompanySize(models.TextChoices):
    PME = "PME", "PME"
    ETI = "ETI", "ETI"
    GE = "GE", "Grande entreprise"


class LegalUnitState(models.TextChoices):
    ACTIVE = "A", "Active"
    CEASED = "C", "Cessée"


class EstablishmentState(models.TextChoices):
    ACTIVE = "A", "Actif"
    CLOSED = "F", "Fermé"
