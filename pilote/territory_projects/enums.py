"""The vocabulary of the national project schema (`schema-projet-collectivites-transition-
ecologique`, etalab): phases and statuses, with the schema's own labels."""

from django.db import models


class Phase(models.TextChoices):
    IDEA = "idee", "Idée"
    STUDY = "etude", "Étude"
    OPERATION = "operation", "Opération"


class Status(models.TextChoices):
    ONGOING = "en_cours", "En cours"
    LATE = "en_retard", "En retard"
    PAUSED = "en_pause", "En pause"
    BLOCKED = "bloque", "Bloqué"
    ABANDONED = "abandonne", "Abandonné"
    DONE = "termine", "Terminé"


# A project in these states no longer moves: it is out of the « en cours » counts.
CLOSED = (Status.ABANDONED, Status.DONE)


class Theme(models.TextChoices):
    """The roadmap's territory projects (feuille de route, « projets de territoire »)."""

    DETECTION = "detection", "Détection des potentialités du territoire"
    EIT = "eit", "Écologie industrielle territoriale"
    HYDROGEN = "hydrogene", "Hydrogène"
    LAND = "foncier", "Friches et foncier"
    REV3 = "rev3", "Dynamique Rev3"
    SKILLS = "competences", "Emploi et compétences"
    CALL = "appel", "Réponse commune à un appel à projets"
    OTHER = "autre", "Autre"


class CarrierRole(models.TextChoices):
    LEAD = "lead", "Chef de file"
    PARTNER = "partner", "Partenaire"


class VoteOutcome(models.TextChoices):
    PENDING = "attente", "À délibérer"
    ADOPTED = "adopte", "Adoptée"
    REJECTED = "rejete", "Rejetée"
    POSTPONED = "ajourne", "Ajournée"
