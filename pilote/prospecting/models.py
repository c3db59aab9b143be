"""Prospecting: the score's weights, campaigns of an EPCI, their targets, calendar feeds.

A campaign is follow-up (`FollowUpModel`): who is targeted, contacted or visited is
confidential. Its targets carry no visibility of their own: they are seen exactly when their
campaign is (`CampaignTargetQuerySet.visible_to`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from pilote.accounts.access import FollowUpModel, VisibleQuerySet
from pilote.core.models import SecretFeed, TimeStampedModel
from pilote.core.validators import plausible_date
from pilote.prospecting.enums import VISIT_STATUSES, TargetStatus


def _weight(label: str, default: int, help_text: str = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(100)], help_text=help_text
    )


class ScoringWeights(TimeStampedModel):
    """The points each criterion of the priority score gives, for one territory.

    A territory without a row scores with the defaults below (`scoring.weights_for`).
    """

    territory = models.OneToOneField(
        "territories.Territory", on_delete=models.CASCADE, related_name="scoring_weights"
    )
    industrial = _weight("secteur industriel", 20, "Section NAF du périmètre industriel.")
    core_size = _weight("PME de 30 à 200 personnes", 25, "Le cœur de cible de la feuille de route.")
    near_size = _weight("effectif voisin (10 à 19 ou 200 à 249 salariés)", 10)
    strategic = _weight("filière stratégique", 20, "Activité d'une filière marquée stratégique.")
    not_met = _weight("jamais rencontré, ou pas depuis 18 mois", 15)
    recent = _weight("créé il y a moins de 3 ans", 10)
    head_office = _weight("siège de l'entreprise", 10)

    WEIGHT_FIELDS = [
        "industrial", "core_size", "near_size", "strategic", "not_met", "recent", "head_office",
    ]  # fmt: skip

    class Meta:
        verbose_name = "pondération du score de prospection"
        verbose_name_plural = "pondérations du score de prospection"

    def __str__(self) -> str:
        return f"Score de prospection — {self.territory}"


class CampaignQuerySet(VisibleQuerySet):
    def in_territory(self, territory) -> CampaignQuerySet:
        return self.filter(territory=territory)

    def open(self, today=None) -> CampaignQuerySet:
        """Campaigns whose period has not ended."""
        return self.filter(ends_on__gte=today or timezone.localdate())

    def search(self, text: str) -> CampaignQuerySet:
        text = (text or "").strip()
        return self.filter(name__icontains=text) if text else self


class Campaign(FollowUpModel):
    """A prospecting campaign of one EPCI: a period and a list of targeted establishments."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name="Territoire d'industrie",
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("nom", max_length=200)
    starts_on = models.DateField(
        "début", validators=[plausible_date("Le début de la campagne", years_ahead=5)]
    )
    ends_on = models.DateField(
        "fin", validators=[plausible_date("La fin de la campagne", years_ahead=5)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField("description", blank=True)

    objects = CampaignQuerySet.as_manager()
    shared_work = True  # the EPCI team's common work (pilote.accounts.access.can_edit)

    class Meta:
        verbose_name = "campagne de prospection"
        verbose_name_plural = "campagnes de prospection"
        ordering = ["-starts_on", "name", "pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="campaign_epci_vis_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_in_order",
                violation_error_message="La fin de la campagne précède son début.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("prospecting:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.ends_on >= timezone.localdate()


class CampaignTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignTargetQuerySet:
        """A target is seen exactly when its campaign is."""
        return self.filter(campaign__in=Campaign.objects.visible_to(user).values("pk"))

    def visits(self) -> CampaignTargetQuerySet:
        """Targets with a visit on the calendar (planned, or already held)."""
        return self.filter(planned_at__isnull=False, status__in=VISIT_STATUSES)

    def to_contact(self) -> CampaignTargetQuerySet:
        return self.filter(status=TargetStatus.TO_CONTACT)

    def in_open_campaigns(self, today=None) -> CampaignTargetQuerySet:
        return self.filter(campaign__ends_on__gte=today or timezone.localdate())


class CampaignTarget(TimeStampedModel):
    """One establishment targeted by a campaign, and where its prospecting stands."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="targets"
    )
    establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="campaign_targets",
    )
    status = models.CharField(
        "statut", max_length=20, choices=TargetStatus.choices, default=TargetStatus.TO_CONTACT
    )
    planned_at = models.DateTimeField(
        "rendez-vous le", null=True, blank=True,
        validators=[plausible_date("La date du rendez-vous", years_ahead=1)],
    )  # fmt: skip
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="suivi par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("commentaire", max_length=255, blank=True)
    status_changed_at = models.DateTimeField("statut depuis le", default=timezone.now)

    objects = CampaignTargetQuerySet.as_manager()

    class Meta:
        verbose_name = "cible de prospection"
        verbose_name_plural = "cibles de prospection"
        ordering = ["campaign", "pk"]
        indexes = [
            models.Index(fields=["campaign", "status"], name="target_campaign_status_idx"),
            models.Index(fields=["planned_at"], name="target_planned_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "establishment"], name="unique_campaign_target"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TargetStatus.MEETING_PLANNED)
                | models.Q(planned_at__isnull=False),
                name="target_meeting_has_date",
                violation_error_message="Un rendez-vous fixé a une date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment.display_name} — {self.campaign}"

    def get_absolute_url(self) -> str:
        return f"{self.campaign.get_absolute_url()}#cible-{self.pk}"


class CalendarFeed(SecretFeed):
    """A secret calendar address (iCalendar) showing a user's visible visits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    audit_name = "calendar_feed"

    class Meta:
        verbose_name = "abonnement d'agenda"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Agenda de {self.user}"
