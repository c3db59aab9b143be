"""Governance of the territory (docs/governance.md): its bodies (« instances » — COPIL,
COTECH, technical meetings, bilateral meetings…), their members (people and organisations),
their required cadence, and their meetings.

Bodies and their meetings are the territory's own organisation, not follow-up of a company:
every member organisation of the territory (TI managers, EPCI agents, partners) reads them;
the TI managers run them. A bilateral meeting with one EPCI (`Meeting.epci`) is that EPCI's
follow-up: only the TI managers and that EPCI's members read it (`pilote.governance.perms`).
Agenda and minutes come next: a meeting will carry them (`Meeting` keeps `notes` for now).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from pilote.core.models import TimeStampedModel
from pilote.governance.enums import BodyKind, MeetingStatus


class Body(TimeStampedModel):
    """A governance body of a territory and its required frequency (per calendar year;
    null: « selon les besoins »)."""

    territory = models.ForeignKey(
        "territories.Territory", verbose_name="territoire", on_delete=models.PROTECT,
        related_name="governance_bodies",
    )  # fmt: skip
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=BodyKind.choices)
    description = models.TextField("rôle et composition", blank=True)
    required_per_year = models.PositiveSmallIntegerField(
        "réunions requises par an", null=True, blank=True,
        help_text="Vide : selon les besoins.",
    )  # fmt: skip
    organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name="organisations membres", blank=True,
        related_name="governance_bodies",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "instance de gouvernance"
        verbose_name_plural = "instances de gouvernance"
        ordering = ["territory", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="governance_body_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body", args=[self.pk])

    @property
    def frequency_label(self) -> str:
        if self.required_per_year is None:
            return "selon les besoins"
        n = self.required_per_year
        return f"{n} fois par an" if n > 1 else "1 fois par an"


class Member(TimeStampedModel):
    """A person sitting on a body: a user of Pilote, or a name written down (an elected
    official, an industrialist), with their role and, optionally, their organisation."""

    body = models.ForeignKey(
        Body, verbose_name="instance", on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="compte", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    name = models.CharField("nom", max_length=200, blank=True)
    role = models.CharField("rôle", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="organisation", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "membre"
        ordering = ["body", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name="") | models.Q(user__isnull=False),
                name="governance_member_named",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return (self.user.get_full_name() or self.user.email) if self.user else ""


class MeetingQuerySet(models.QuerySet):
    def in_year(self, year: int) -> MeetingQuerySet:
        return self.filter(starts_at__year=year)


class Meeting(TimeStampedModel):
    """One meeting of a body. Agenda and minutes will hang on it (next step)."""

    body = models.ForeignKey(
        Body, verbose_name="instance", on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=200, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    epci = models.ForeignKey(
        "territories.Epci", verbose_name="EPCI (point bilatéral)", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text="Pour un point bilatéral avec un EPCI : lu par ses membres et les chefs de "
        "projet TI seulement.",
    )  # fmt: skip
    notes = models.TextField("notes", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion"
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["body", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("governance:body", args=[self.body_id]) + f"#reunion-{self.pk}"
