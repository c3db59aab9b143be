"""Choices of the governance app (codes in English, labels in French)."""

from django.db import models


class BodyKind(models.TextChoices):
    STEERING = "steering", "Comité de pilotage"
    TECHNICAL = "technical", "Comité technique"
    TECHNICAL_MEETING = "technical_meeting", "Réunion technique"
    BILATERAL = "bilateral", "Point bilatéral"
    OTHER = "other", "Autre instance"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CANCELLED = "cancelled", "Annulée"


class Recurrence(models.TextChoices):
    NONE = "", "Ponctuelle"
    MONTHLY = "monthly", "Tous les mois"
    QUARTERLY = "quarterly", "Tous les trimestres"
    HALF_YEARLY = "half_yearly", "Tous les six mois"
    YEARLY = "yearly", "Tous les ans"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invité"
    PRESENT = "present", "Présent"
    EXCUSED = "excused", "Excusé"
    ABSENT = "absent", "Absent"


class MinutesStatus(models.TextChoices):
    """Drafted, circulated for comments, approved, then locked: a locked minute never
    changes (a correction is an addendum)."""

    DRAFT = "draft", "Brouillon"
    CIRCULATED = "circulated", "En relecture"
    APPROVED = "approved", "Approuvé"
    LOCKED = "locked", "Verrouillé"


class OutcomeKind(models.TextChoices):
    INFORMATION = "information", "Information"
    DECISION = "decision", "Décision"
    ACTION = "action", "Action"
