"""Choices of the events app (codes in English, labels in French)."""

from django.db import models


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", "Atelier"
    BUSINESS_CLUB = "business_club", "Club d'entreprises"
    INFO_MEETING = "info_meeting", "Réunion d'information"
    OFFICE_HOURS = "office_hours", "Permanence"
    FACTORY_VISIT = "factory_visit", "Visite d'usine"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"
    CANCELLED = "cancelled", "Annulé"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Inscrit"
    WAITING = "waiting", "Liste d'attente"
    CANCELLED = "cancelled", "Annulé"


class Audience(models.TextChoices):
    ATTENDEES = "attendees", "Aux participants présents"
    ABSENTEES = "absentees", "Aux inscrits absents"
