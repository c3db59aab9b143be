from django.db import models


class Nature(models.TextChoices):
    SALAIRES_CHARGES = "salaires_charges", "Salaires et charges"
    LOCAUX_MOYENS = "locaux_moyens", "Mise à disposition de locaux et moyens techniques"
    VEHICULE = "vehicule", "Véhicule de service partagé"
    FOURNITURES = "fournitures", "Fournitures diverses"


class PartyKind(models.TextChoices):
    CCI = "cci", "CCI"
    EPCI = "epci", "EPCI"
    STATE = "state", "État"


class Rule(models.TextChoices):
    FIXED = "fixed", "Montant fixe"
    SHARE = "share", "Part égale du reste, plafonnée"


class Basis(models.TextChoices):
    FORECAST = "forecast", "Budget prévisionnel"
    ACTUAL = "actual", "Dépenses réalisées"


class CallStatus(models.TextChoices):
    """Where a call for funds stands (ledger.status_of)."""

    PAID = "paid", "Payé"
    PARTIAL = "partial", "Partiellement payé"
    PENDING = "pending", "En attente"
    LATE = "late", "En retard"
