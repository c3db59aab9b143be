"""Choices of the accompaniment app (codes in English, labels in French)."""

from django.db import models


class InteractionKind(models.TextChoices):
    SITE_VISIT = "site_visit", "Visite sur site"
    MEETING = "meeting", "Rendez-vous"
    PHONE = "phone", "Téléphone"
    VIDEO = "video", "Visio"
    OFFICE_HOURS = "office_hours", "Permanence"
    EVENT = "event", "Événement"
    EMAIL = "email", "Courriel"


# Kinds where the company was actually met: they move its prospecting targets to « rencontré ».
# A phone call or an email is an exchange, not a meeting.
MEETING_KINDS = frozenset(
    {
        InteractionKind.SITE_VISIT,
        InteractionKind.MEETING,
        InteractionKind.VIDEO,
        InteractionKind.OFFICE_HOURS,
        InteractionKind.EVENT,
    }
)


class Theme(models.TextChoices):
    """The six themes of the interview guide (roadmap, « sensibilisation et information »)."""

    EMPLOYMENT = "employment", "Emploi et compétences"
    PRODUCTION = "production", "Développement de l'outil productif"
    INNOVATION = "innovation", "Innovation"
    EXPORT = "export", "Export"
    ECOLOGICAL_TRANSITION = "ecological_transition", "Transition écologique"
    INDUSTRY_OF_THE_FUTURE = "industry_of_the_future", "Industrie du futur"
    OTHER = "other", "Autre (financement, foncier, réglementation…)"


GUIDE_THEMES = [t for t in Theme if t != Theme.OTHER]


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", "Oui / non"
    SINGLE_CHOICE = "single_choice", "Choix unique"
    MULTIPLE_CHOICE = "multiple_choice", "Choix multiple"
    NUMBER = "number", "Nombre"
    TEXT = "text", "Texte libre"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})


class Urgency(models.TextChoices):
    LOW = "low", "Faible"
    MEDIUM = "medium", "Moyenne"
    HIGH = "high", "Forte"


class ProjectKind(models.TextChoices):
    PRODUCTIVE_INVESTMENT = "productive_investment", "Investissement productif"
    DECARBONISATION = "decarbonisation", "Décarbonation"
    INNOVATION = "innovation", "Innovation / R&D"
    RECRUITMENT_TRAINING = "recruitment_training", "Recrutement / formation"
    EXPORT = "export", "Export"
    REAL_ESTATE = "real_estate", "Immobilier / foncier"
    TRANSFER = "transfer", "Reprise / transmission"


class Horizon(models.TextChoices):
    UNDER_6_MONTHS = "under_6_months", "Moins de 6 mois"
    UNDER_1_YEAR = "under_1_year", "6 à 12 mois"
    UNDER_2_YEARS = "under_2_years", "1 à 2 ans"
    LATER = "later", "Plus de 2 ans"


class Maturity(models.TextChoices):
    IDEA = "idea", "Idée"
    STUDY = "study", "En étude"
    FINANCING = "financing", "Plan de financement en cours"
    READY = "ready", "Prêt à démarrer"
    UNDERWAY = "underway", "En cours de réalisation"
    DONE = "done", "Réalisé"
    ABANDONED = "abandoned", "Abandonné"


class DiagnosticKind(models.TextChoices):
    ECOLOGICAL_TRANSITION = "te", "Diagnostic transition écologique (TE)"
    INDUSTRY_OF_THE_FUTURE = "idf", "Diagnostic industrie du futur (IDF)"


class DiagnosticStatus(models.TextChoices):
    """Offered, then accepted (or declined), then done. Each step keeps its date."""

    OFFERED = "offered", "Proposé"
    ACCEPTED = "accepted", "Accepté"
    DONE = "done", "Réalisé"
    DECLINED = "declined", "Refusé"


class Partner(models.TextChoices):
    EEN = "een", "Enterprise Europe Network (EEN)"
    BPIFRANCE = "bpifrance", "Bpifrance"
    HDFID = "hdfid", "Hauts-de-France Innovation Développement (HDFID)"
    INITIATIVE_PLATFORM = "initiative_platform", "Plateforme d'initiative locale"
    CCI = "cci", "CCI"
    REGION = "region", "Région"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    LOCAL_SUPPLIER = "local_supplier", "Fournisseur local"
    OTHER = "other", "Autre partenaire"


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", "En attente"
    IN_CONTACT = "in_contact", "Contact établi"
    SUCCESS = "success", "Abouti"
    NO_FOLLOW_UP = "no_follow_up", "Sans suite"


class ActionStatus(models.TextChoices):
    TODO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Fait"
    CANCELLED = "cancelled", "Abandonné"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.TODO, ActionStatus.IN_PROGRESS})


class Level(models.TextChoices):
    """How far the TI accompanies a company (roadmap: sensibilisation, accompagnement
    renforcé)."""

    AWARENESS = "awareness", "Sensibilisation"
    REINFORCED = "reinforced", "Accompagnement renforcé"
