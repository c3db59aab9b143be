"""The states of an application: those of Démarches simplifiées, codes kept as they are."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    BUILDING = "en_construction", "En construction"
    REVIEW = "en_instruction", "En instruction"
    ACCEPTED = "accepte", "Accepté"
    REFUSED = "refuse", "Refusé"
    WITHDRAWN = "sans_suite", "Classé sans suite"


DECIDED = frozenset({Status.ACCEPTED, Status.REFUSED, Status.WITHDRAWN})
"""Closed states: they need a decision date (an application may be reopened)."""
FILED = frozenset({Status.BUILDING, Status.REVIEW, *DECIDED})
"""States of an application handed to its funder (a filing date is expected)."""


class DocumentKind(models.TextChoices):
    APPLICATION = "dossier", "Dossier déposé"
    QUOTE = "devis", "Devis"
    STATEMENT = "pieces", "Pièces justificatives"
    DECISION = "decision", "Notification de décision"
    AGREEMENT = "convention", "Convention d'aide"
    OTHER = "autre", "Autre"
