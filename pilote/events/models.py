"""Events and workshops of the territory (docs/events.md): the event itself (public
information of the territory, like the aid catalogue), the registrations (personal data, for
the team that runs the event) and the follow-up an establishment's registration leaves on its
timeline (`Attendance`, a `FollowUpModel` read through `visible_to`)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from pilote.accounts.access import FollowUpModel, VisibleQuerySet
from pilote.core.enums import Visibility
from pilote.core.models import TimeStampedModel
from pilote.events.enums import Audience, EventKind, EventStatus, RegistrationStatus

# Who may see the trace of a participation on an establishment's timeline (`Attendance`):
# never « private », since it is written by the public form as well as by the team.
ATTENDANCE_VISIBILITIES = [
    (v.value, v.label) for v in (Visibility.EPCI, Visibility.TERRITORY, Visibility.PARTNERS)
]


class EventQuerySet(models.QuerySet):
    def in_territory(self, territory) -> EventQuerySet:
        return self.filter(territory=territory)

    def published(self) -> EventQuerySet:
        return self.filter(status=EventStatus.PUBLISHED)

    def upcoming(self, now: dt.datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now: dt.datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__lt=now or timezone.now())

    def with_counts(self) -> EventQuerySet:
        """Each event with `n_registered`, `n_waiting` and `n_attended` (the no-show rate)."""
        return self.annotate(
            n_registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            n_waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
            ),
            n_attended=Count(
                "registrations",
                filter=Q(
                    registrations__status=RegistrationStatus.REGISTERED,
                    registrations__attended=True,
                ),
            ),
        )


def new_slug() -> str:
    return uuid.uuid4().hex[:12]


class Event(TimeStampedModel):
    """An event of the territory: workshop, business club, information meeting, office hours
    of an EPCI, factory visit. Its public registration page is `/evenements/<slug>/inscription/`."""

    territory = models.ForeignKey(
        "territories.Territory", verbose_name="territoire", on_delete=models.PROTECT,
        related_name="events",
    )  # fmt: skip
    epci = models.ForeignKey(
        "territories.Epci", verbose_name="EPCI", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
        help_text="Pour un événement d'un EPCI (une permanence…). Vide : tout le territoire.",
    )  # fmt: skip
    kind = models.CharField("type", max_length=20, choices=EventKind.choices)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("présentation", blank=True, help_text="Mise en forme Markdown.")
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=200, help_text="Par exemple : CCI, salle Watteau.")
    address = models.CharField("adresse", max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        "nombre de places", null=True, blank=True,
        help_text="Vide : sans limite. Au-delà, les inscrits vont en liste d'attente.",
    )  # fmt: skip
    registration_open = models.BooleanField("inscriptions ouvertes", default=True)
    status = models.CharField(
        "statut", max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    attendance_visibility = models.CharField(
        "visibilité des participations", max_length=16, choices=ATTENDANCE_VISIBILITIES,
        default=Visibility.TERRITORY,
        help_text="Qui voit, sur la fiche d'un établissement, son inscription et sa présence.",
    )  # fmt: skip
    slug = models.SlugField("adresse publique", max_length=40, unique=True, default=new_slug)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="organisateur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # The organisation the event (and the participations it records) is filed under.
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="organisation", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement"
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["territory", "starts_at"], name="event_territory_start_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def public_path(self) -> str:
        return reverse("events:register", kwargs={"slug": self.slug})

    @property
    def public_url(self) -> str:
        return settings.SITE_URL + self.public_path

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def accepts_registrations(self) -> bool:
        return self.is_published and self.registration_open and not self.is_past

    def registered_count(self) -> int:
        return self.registrations.filter(status=RegistrationStatus.REGISTERED).count()

    def is_full(self) -> bool:
        return self.capacity is not None and self.registered_count() >= self.capacity


def no_show_rate(registered: int, attended: int) -> float | None:
    """(registered − attended) ÷ registered, or None before anyone registered."""
    if not registered:
        return None
    return (registered - attended) / registered


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def registered(self) -> RegistrationQuerySet:
        return self.filter(status=RegistrationStatus.REGISTERED)

    def waiting(self) -> RegistrationQuerySet:
        return self.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk")

    def search(self, text: str) -> RegistrationQuerySet:
        for word in (text or "").split():
            self = self.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(organisation_name__icontains=word)
                | Q(email__icontains=word)
            )
        return self


class Registration(TimeStampedModel):
    """A person registered to an event, by the public form (with consent) or by the team.
    Personal data: read only by who runs the event (docs/events.md)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("adresse électronique")
    organisation_name = models.CharField("entreprise ou organisation", max_length=200, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    establishment = models.ForeignKey(
        "companies.Establishment", verbose_name="établissement", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="event_registrations",
    )  # fmt: skip
    by_team = models.BooleanField("inscrit par l'équipe", default=False)
    consent_text = models.TextField("consentement donné", blank=True)
    consent_at = models.DateTimeField("consentement le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=16, choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )  # fmt: skip
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    promoted_at = models.DateTimeField("sorti de la liste d'attente le", null=True, blank=True)
    reminded_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    checked_in_at = models.DateTimeField("arrivé à", null=True, blank=True)
    attended = models.BooleanField("présent", null=True, blank=True)
    followup_sent_at = models.DateTimeField("courriel de suite envoyé le", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status=RegistrationStatus.CANCELLED) & ~Q(email=""),
                name="registration_one_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or "(anonymisé)"

    @property
    def waiting_position(self) -> int | None:
        """1 for the first person of the waiting list."""
        if self.status != RegistrationStatus.WAITING:
            return None
        earlier = self.event.registrations.waiting().filter(
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return earlier.count() + 1


class AttendanceQuerySet(VisibleQuerySet):
    def in_territory(self, territory) -> AttendanceQuerySet:
        return self.filter(event__territory=territory)


class Attendance(FollowUpModel):
    """The trace an event leaves on an establishment's timeline: one of its people registered
    (« Inscription »), came (« Participation ») or did not (« Absence »). Filed under the
    establishment's EPCI, the event's organisation, and the event's attendance visibility."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    establishment = models.ForeignKey(
        "companies.Establishment", verbose_name="établissement", on_delete=models.PROTECT,
        related_name="event_attendances",
    )  # fmt: skip
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendance"
    )
    present = models.BooleanField("présent", null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "participation à un événement"
        ordering = ["-event__starts_at", "-pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="attendance_epci_vis_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.present:
            return f"Participation : {self.event.title}"
        if self.present is False:
            return f"Absence : {self.event.title}"
        return f"Inscription : {self.event.title}"


class FollowUpMessage(TimeStampedModel):
    """A follow-up email sent after an event to its attendees or its absentees; each person
    receives one at most (`Registration.followup_sent_at`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField("destinataires", max_length=16, choices=Audience.choices)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("message")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.ManyToManyField(Registration, related_name="messages", blank=True)

    class Meta:
        verbose_name = "courriel de suite"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
