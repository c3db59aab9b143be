from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse

from pilote.accounts.access import FollowUpModel, VisibleQuerySet
from pilote.contacts.enums import LegalBasis

# docs/rules.md: prospects' data is kept 3 years after the last contact with them.
RETENTION_YEARS = 3


def shift_years(moment: dt.datetime, years: int) -> dt.datetime:
    """`moment` moved by whole years (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


class ContactQuerySet(VisibleQuerySet):
    def search(self, text: str) -> ContactQuerySet:
        """Every word must match the person's name, email or company (« dupont forges »)."""
        for word in (text or "").split():
            self = self.filter(
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(company__name__icontains=word)
                | models.Q(main_establishment__own_name__icontains=word)
            )
        return self

    def inactive_since(self, moment: dt.datetime) -> ContactQuerySet:
        """Contacts with no activity since `moment` (retention: docs/rules.md)."""
        return self.filter(last_activity_at__lt=moment)


class Contact(FollowUpModel):
    """A person at a company: personal data under the RGPD and confidential follow-up.

    The contact belongs to the EPCI of its main establishment, which decides who sees it.
    """

    # Fields that identify the person: erased from the audit trail with the contact.
    PERSONAL_FIELDS = ["first_name", "last_name", "role", "email", "phone", "source", "notes"]

    company = models.ForeignKey(
        "companies.Company",
        verbose_name="entreprise",
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    main_establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement principal",
        on_delete=models.PROTECT,
        related_name="+",
    )
    establishments = models.ManyToManyField(
        "companies.Establishment",
        verbose_name="établissements",
        related_name="contacts",
        help_text="Les sites où travaille cette personne, dont l'établissement principal.",
    )
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100)
    role = models.CharField(
        "fonction", max_length=150, blank=True, help_text="Par exemple : Directeur de site, DAF."
    )
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    legal_basis = models.CharField(
        "base légale",
        max_length=32,
        choices=LegalBasis.choices,
        default=LegalBasis.LEGITIMATE_INTEREST,
    )
    source = models.CharField(
        "source",
        max_length=255,
        help_text="D'où vient ce contact : salon Industrie Lille 2026, site web de "
        "l'entreprise, carte de visite…",
    )
    notes = models.TextField("remarques", max_length=1000, blank=True)
    last_activity_at = models.DateTimeField("dernière activité", db_index=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["epci", "visibility"], name="contact_epci_vis_idx")]

    def __str__(self) -> str:
        return self.full_name or f"Contact n°{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", kwargs={"pk": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def kept_until(self) -> dt.datetime:
        """When the retention purge erases the contact, barring new activity."""
        return shift_years(self.last_activity_at, RETENTION_YEARS)
