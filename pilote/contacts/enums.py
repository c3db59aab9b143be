from django.db import models


class LegalBasis(models.TextChoices):
    """Lawful basis of the processing (RGPD art. 6), recorded for each person."""

    LEGITIMATE_INTEREST = "legitimate_interest", "Intérêt légitime (prospection B2B)"
    CONSENT = "consent", "Consentement"
    PUBLIC_INTEREST = "public_interest", "Mission d'intérêt public"
    CONTRACT = "contract", "Contrat"
