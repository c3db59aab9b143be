"""Governance of the territory (docs/governance.md): its bodies (« instances » — COPIL,
COTECH, technical meetings, bilateral meetings…), their members (people and organisations),
their required cadence, and their meetings.

Bodies and their meetings are the territory's own organisation, not follow-up of a company:
every member organisation of the territory (TI managers, EPCI agents, partners) reads them;
the TI managers run them. A bilateral meeting with one EPCI (`Meeting.epci`) is that EPCI's
follow-up: only the TI managers and that EPCI's members read it (`pilote.governance.perms`).
A meeting carries its agenda (items linked to what they discuss), its attendance, its
outcomes per item (information, decision, action), and its minutes (drafted, circulated for
comments, approved, locked; a locked minute never changes, a correction is an addendum).
Everything hanging on a meeting is read by whoever reads the meeting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from pilote.core.models import TimeStampedModel
from pilote.governance.enums import (
    AttendanceStatus,
    BodyKind,
    MeetingStatus,
    MinutesStatus,
    OutcomeKind,
    Recurrence,
)


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
    """One meeting of a body (or the first of a recurring series: its `.ics` carries the
    RRULE; each occurrence held is recorded as its own meeting)."""

    body = models.ForeignKey(
        Body, verbose_name="instance", on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("date et heure")
    ends_at = models.DateTimeField("fin", null=True, blank=True)
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
    recurrence = models.CharField(
        "récurrence", max_length=12, choices=Recurrence.choices, default=Recurrence.NONE,
        blank=True,
    )  # fmt: skip
    recurrence_count = models.PositiveSmallIntegerField(
        "nombre d'occurrences", null=True, blank=True,
        help_text="Pour une réunion récurrente : combien de fois en tout (vide : sans fin).",
    )  # fmt: skip
    sequence = models.PositiveIntegerField(
        "version de l'invitation", default=0,
        help_text="SEQUENCE de l'invitation iCalendar, augmentée à chaque changement envoyé.",
    )  # fmt: skip
    invitations_sent_at = models.DateTimeField("invitations envoyées le", null=True, blank=True)
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
        return reverse("governance:meeting", args=[self.pk])


class AgendaItem(TimeStampedModel):
    """A point of a meeting's agenda, linked (optionally) to what it discusses: a project, an
    application, a call for projects, an indicator of the programme. The link is shown only to
    a reader who sees the linked record (the access layer); the title is the meeting's."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("point", max_length=250)
    description = models.TextField("présentation", blank=True)
    presenter = models.CharField("présenté par", max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    project = models.ForeignKey(
        "accompaniment.Project", verbose_name="projet", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    application = models.ForeignKey(
        "applications.Application", verbose_name="dossier", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    call = models.ForeignKey(
        "aids.CallWindow", verbose_name="appel à projets", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    indicator = models.CharField(
        "indicateur", max_length=60, blank=True,
        help_text="Code d'un indicateur du programme (voir /programme/).",
    )  # fmt: skip

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Outcome(TimeStampedModel):
    """What came out of an agenda item: an information, a decision, or an action (with its
    owner and due date; an action joins its owner's « Mes actions »)."""

    item = models.ForeignKey(
        AgendaItem, verbose_name="point", on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField("nature", max_length=12, choices=OutcomeKind.choices)
    text = models.TextField("relevé")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="responsable", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="governance_actions",
    )  # fmt: skip
    due_on = models.DateField("échéance", null=True, blank=True)
    done_on = models.DateField("faite le", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "relevé de décision"
        verbose_name_plural = "relevés de décisions"
        ordering = ["item", "pk"]
        indexes = [models.Index(fields=["kind", "owner", "done_on"])]

    def __str__(self) -> str:
        return self.text[:80]


class Attendee(models.Model):
    """Who was invited to a meeting and whether they came: a member of the body, or a name
    written down (a guest)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="attendees"
    )
    member = models.ForeignKey(
        Member, verbose_name="membre", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    name = models.CharField("nom", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    organisation_name = models.CharField("organisation", max_length=200, blank=True)
    status = models.CharField(
        "présence", max_length=10, choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )  # fmt: skip

    class Meta:
        verbose_name = "participant"
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="governance_attendee_unique_member",
                condition=models.Q(member__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return self.member.display_name if self.member else ""


class Minutes(TimeStampedModel):
    """The minutes of a meeting: drafted, circulated for comments, approved, then locked.
    Once locked the text never changes (the services refuse it; a correction is an
    `Addendum`)."""

    meeting = models.OneToOneField(
        Meeting, verbose_name="réunion", on_delete=models.PROTECT, related_name="minutes"
    )
    text = models.TextField("compte rendu", blank=True)
    status = models.CharField(
        "état", max_length=12, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    circulated_at = models.DateTimeField("diffusé pour relecture le", null=True, blank=True)
    approved_at = models.DateTimeField("approuvé le", null=True, blank=True)
    locked_at = models.DateTimeField("verrouillé le", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="rédacteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "compte rendu"
        verbose_name_plural = "comptes rendus"

    def __str__(self) -> str:
        return f"Compte rendu — {self.meeting}"

    @property
    def is_locked(self) -> bool:
        return self.status == MinutesStatus.LOCKED


class MinutesComment(TimeStampedModel):
    """A comment on circulated minutes, by a reader of the meeting."""

    minutes = models.ForeignKey(
        Minutes, verbose_name="compte rendu", on_delete=models.CASCADE, related_name="comments"
    )
    text = models.TextField("commentaire")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "commentaire de compte rendu"
        ordering = ["minutes", "created_at", "pk"]


class Addendum(TimeStampedModel):
    """A correction to locked minutes: dated, signed, appended; the minutes stay as they were."""

    minutes = models.ForeignKey(
        Minutes, verbose_name="compte rendu", on_delete=models.PROTECT, related_name="addenda"
    )
    text = models.TextField("correction")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "addendum"
        verbose_name_plural = "addenda"
        ordering = ["minutes", "created_at", "pk"]
