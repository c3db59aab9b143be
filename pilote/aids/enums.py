from django.db import models


class Theme(models.TextChoices):
    """The six themes of the interview guide, then the roadmap's priority subjects."""

    EMPLOI_COMPETENCES = "emploi_competences", "Emploi et compétences"
    OUTIL_PRODUCTIF = "outil_productif", "Développement de l'outil productif"
    INNOVATION = "innovation", "Innovation"
    EXPORT = "export", "Export"
    TRANSITION_ECOLOGIQUE = "transition_ecologique", "Transition écologique"
    INDUSTRIE_DU_FUTUR = "industrie_du_futur", "Industrie du futur"
    DECARBONATION = "decarbonation", "Décarbonation"
    ECOLOGIE_INDUSTRIELLE = "ecologie_industrielle", "Écologie industrielle territoriale"
    CHALEUR_FATALE = "chaleur_fatale", "Chaleur fatale"
    DECHETS = "dechets", "Déchets"
    ROBOTIQUE = "robotique", "Robotique"
    HYDROGENE = "hydrogene", "Hydrogène"
    COMPETENCES = "competences", "Compétences"
    FONCIER = "foncier", "Foncier"


class Level(models.TextChoices):
    REGIONAL = "regional", "Régional"
    NATIONAL = "national", "National"
    EUROPEAN = "europeen", "Européen"


class WindowKind(models.TextChoices):
    WINDOW = "fenetre", "Fenêtre de dépôt"
    WAVE = "vague", "Vague"
    RELEVE = "releve", "Relève"


class CarrierRole(models.TextChoices):
    """Roles of a porteur in the etalab schema (the list is open; these are the usual ones)."""

    FINANCEUR = "financeur", "Financeur"
    INSTRUCTEUR = "instructeur", "Instructeur"
    DIFFUSEUR = "diffuseur", "Diffuseur"


class CallStatus(models.TextChoices):
    OPEN = "open", "Ouvert"
    UPCOMING = "upcoming", "À venir"
    CLOSED = "closed", "Clos"
    PERMANENT = "permanent", "Permanent"


class Schema(models.TextChoices):
    BASE = "dispositif-aide", "dispositif-aide"
    PRO = "dispositif-aide-professionnels", "dispositif-aide-professionnels"


# Days before a closing that make a call « clôture dans moins de 30 jours ».
CLOSING_SOON_DAYS = 30
