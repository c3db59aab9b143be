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
