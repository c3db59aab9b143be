"""Vocabularies of the newsletter (« lettre d'information »)."""

from django.db import models


class SubscriberKind(models.TextChoices):
    INDUSTRIAL = "industriel", "Industriel"
    ELECTED = "elu", "Élu"
    EPCI_TEAM = "equipe_epci", "Équipe d'un EPCI"
    PARTNER = "partenaire", "Partenaire (État, Région, opérateur)"
    OTHER = "autre", "Autre"


class LegalBasis(models.TextChoices):
    CONSENT = "consent", "Consentement"
    PUBLIC_INTEREST = "public_interest", "Mission d'intérêt public"
    LEGITIMATE_INTEREST = "legitimate_interest", "Intérêt légitime"


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "En attente de confirmation"
    ACTIVE = "active", "Abonné"
    UNSUBSCRIBED = "unsubscribed", "Désabonné"
    SUSPENDED = "suspended", "Suspendu (adresse en échec)"


class Source(models.TextChoices):
    TEAM = "team", "Saisi par l'équipe"
    CONTACT = "contact", "Depuis un contact"
    PUBLIC_FORM = "public_form", "Formulaire public d'inscription"
    IMPORT = "import", "Import d'une liste"


class BlockReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Désabonnement"
    BOUNCED = "bounced", "Adresse en échec"
    MANUAL = "manual", "Demande ou décision de l'équipe"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    READY = "ready", "Prête à envoyer"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyée"


class SectionKind(models.TextChoices):
    """The fixed sections of every issue, in their order."""

    EDITO = "edito", "Édito"
    CALLS = "calls", "Appels à projets qui ferment"
    EVENTS = "events", "Agenda des événements"
    PORTRAIT = "portrait", "Portrait d'entreprise"
    EPCI_NEWS = "epci_news", "Actualités des EPCI"
    FIGURES = "figures", "Chiffres du programme"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "En cours d'envoi"
    SENT = "sent", "Envoyé"
    RETRY = "retry", "Échec temporaire, à réessayer"
    FAILED = "failed", "Échec définitif"
    SKIPPED = "skipped", "Non envoyé (désabonné ou suspendu entre-temps)"
