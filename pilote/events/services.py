"""Writes of the events app: one atomic, keyword-only function per write, checking who runs
the event again (`perms.can_run`) and leaving one audit event. Registrations are personal
data: their audit events carry no name and no address (`REGISTRATION_AUDIT`).

The follow-up record an establishment's registration leaves (`Attendance`) is kept in step
with its registration by `_sync_attendance`, called by every write that changes one."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.scope import get_scope
from pilote.companies.identifiers import clean_siret
from pilote.companies.models import Establishment
from pilote.core import audit, locking
from pilote.core.emails import queue_email
from pilote.events import perms
from pilote.events.enums import Audience, EventStatus, RegistrationStatus
from pilote.events.models import Attendance, Event, FollowUpMessage, Registration

EVENT_FIELDS = {
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "address",
    "capacity",
    "registration_open",
    "status",
    "attendance_visibility",
    "epci",
}
REGISTRATION_AUDIT = ["event", "status", "establishment", "by_team", "attended", "checked_in_at"]
# Registrations are kept this long after their event, then anonymised (purge_event_registrations).
RETENTION_DAYS = 365
CONSENT_TEXT = (
    "J'accepte que l'équipe du Territoire d'industrie {territory} utilise mes nom, prénom, "
    "adresse électronique et organisation pour gérer mon inscription à « {title} » "
    "(confirmation, rappel, liste d'émargement, courriel de suite), et rattache ma "
    "participation à la fiche de mon établissement. Ces données sont conservées un an après "
    "l'événement."
)


def consent_text(event: Event) -> str:
    return CONSENT_TEXT.format(territory=event.territory.name, title=event.title)


def _check_runs(acting_user, event: Event) -> None:
    if acting_user is not None and not perms.can_run(acting_user, event):
        raise PermissionDenied("Vous n'organisez pas cet événement.")


def _check_dates(starts_at, ends_at) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": "La fin doit suivre le début."})


def _check_epci(acting_user, territory, epci) -> None:
    if acting_user is None:
        return
    choices = perms.creatable_epcis(acting_user, territory)
    if choices is None:
        raise PermissionDenied("Vous ne pouvez pas organiser d'événement sur ce territoire.")
    epcis, territory_wide = choices
    if epci is None and not territory_wide:
        raise ValidationError({"epci": "Choisissez votre EPCI."})
    if epci is not None and not epcis.filter(pk=epci.pk).exists():
        raise ValidationError({"epci": "Vous ne pouvez pas organiser d'événement pour cet EPCI."})


def _organisation_id(acting_user, territory, epci) -> int | None:
    """The organisation an event is filed under: the one through which its organiser writes
    on its EPCI (or, for a territory-wide event, on the territory's EPCIs)."""
    if epci is not None:
        return access.writing_organisation_id(acting_user, epci)
    scope = get_scope(acting_user)
    for epci_id in sorted(scope.managed_epci_ids):
        if territory.epcis.filter(pk=epci_id).exists():
            return scope.writing_organisation_id(epci_id)
    return None


@transaction.atomic
def event_create(*, acting_user, territory, organisation=None, **fields) -> Event:
    """Create an event of `territory`. `organisation`: only for a system write (demo)."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")
    epci = fields.get("epci")
    _check_epci(acting_user, territory, epci)
    _check_dates(fields.get("starts_at"), fields.get("ends_at"))
    organisation_id = (
        organisation.pk
        if organisation is not None
        else _organisation_id(acting_user, territory, epci)
    )
    if organisation_id is None:
        raise PermissionDenied("Aucune organisation au nom de laquelle organiser cet événement.")
    event = Event.objects.create(
        territory=territory, organiser=acting_user, organisation_id=organisation_id, **fields
    )
    audit.record(actor=acting_user, action="event.create", obj=event, after=audit.snapshot(event))
    return event


@transaction.atomic
def event_update(*, acting_user, event: Event, version: str | None = None, **changes) -> Event:
    event = locking.lock(event, version)
    _check_runs(acting_user, event)
    unknown = set(changes) - EVENT_FIELDS
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    if "epci" in changes and changes["epci"] != event.epci:
        _check_epci(acting_user, event.territory, changes["epci"])
    before = audit.snapshot(event)
    for name, value in changes.items():
        setattr(event, name, value)
    _check_dates(event.starts_at, event.ends_at)
    event.save()
    if "attendance_visibility" in changes:
        event.attendances.update(visibility=event.attendance_visibility)
    after = audit.snapshot(event)
    audit.record(actor=acting_user, action="event.update", obj=event, before=before, after=after)
    if "capacity" in changes or "status" in changes:
        _promote(event)
    return event


# --- Registrations ---------------------------------------------------------------------------


def match_establishment(event: Event, siret: str) -> Establishment | None:
    """The establishment of the event's territory with this SIRET, if any."""
    if not siret:
        return None
    return (
        Establishment.objects.in_territory(event.territory)
        .select_related("epci")
        .filter(siret=siret)
        .first()
    )


def _sync_attendance(registration: Registration, acting_user=None) -> None:
    """Keep the establishment's follow-up in step with the registration: one `Attendance`
    while an establishment is known and the person holds a seat, none otherwise."""
    event = registration.event
    attendance = Attendance.objects.filter(registration=registration).first()
    establishment = registration.establishment
    wanted = (
        establishment is not None
        and establishment.epci_id is not None
        and registration.status == RegistrationStatus.REGISTERED
    )
    if not wanted:
        if attendance is not None:
            audit.record(
                actor=acting_user,
                action="attendance.delete",
                obj=attendance,
                before=audit.snapshot(attendance),
            )
            attendance.delete()
        return
    if attendance is None:
        attendance = Attendance.objects.create(
            event=event,
            establishment=establishment,
            registration=registration,
            present=registration.attended,
            epci_id=establishment.epci_id,
            visibility=event.attendance_visibility,
            author=acting_user,
            author_organisation_id=event.organisation_id,
        )
        audit.record(
            actor=acting_user,
            action="attendance.create",
            obj=attendance,
            after=audit.snapshot(attendance),
        )
        return
    before = audit.snapshot(attendance)
    attendance.establishment = establishment
    attendance.epci_id = establishment.epci_id
    attendance.present = registration.attended
    attendance.save()
    after = audit.snapshot(attendance)
    if before != after:
        audit.record(
            actor=acting_user,
            action="attendance.update",
            obj=attendance,
            before=before,
            after=after,
        )


@transaction.atomic
def registration_create(
    *,
    acting_user,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    organisation_name: str = "",
    siret: str = "",
    establishment: Establishment | None = None,
    consent: bool = False,
) -> tuple[Registration, bool]:
    """Register a person: by the public form (`acting_user` None, consent required, only
    while the event accepts registrations) or by the team who runs the event. A seat when
    one is left, the waiting list otherwise. The same address twice gets the existing
    registration back (`created` False) and its confirmation again."""
    event = Event.objects.select_for_update().select_related("territory").get(pk=event.pk)
    if acting_user is None:
        if not event.accepts_registrations:
            raise ValidationError("Les inscriptions à cet événement sont closes.")
        if not consent:
            raise ValidationError({"consent": "Votre accord est nécessaire pour vous inscrire."})
    else:
        _check_runs(acting_user, event)
        if event.status == EventStatus.CANCELLED:
            raise ValidationError("Cet événement est annulé.")
    email = (email or "").strip().lower()
    if siret:
        siret = clean_siret(siret)
    existing = event.registrations.active().filter(email=email).first() if email else None
    if existing is not None:
        queue_email("events.confirmation", registration_id=existing.pk)
        return existing, False
    if establishment is None:
        establishment = match_establishment(event, siret)
    elif (
        not Establishment.objects.in_territory(event.territory).filter(pk=establishment.pk).exists()
    ):
        raise ValidationError({"establishment": "Cet établissement n'est pas du territoire."})
    full = event.capacity is not None and event.registered_count() >= event.capacity
    registration = Registration.objects.create(
        event=event,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        organisation_name=organisation_name.strip(),
        siret=siret,
        establishment=establishment,
        by_team=acting_user is not None,
        consent_text=consent_text(event) if consent else "",
        consent_at=timezone.now() if consent else None,
        status=RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED,
    )
    audit.record(
        actor=acting_user,
        action="registration.create",
        obj=registration,
        after=audit.snapshot(registration, REGISTRATION_AUDIT),
    )
    _sync_attendance(registration, acting_user)
    if email:
        queue_email("events.confirmation", registration_id=registration.pk)
    return registration, True


def _promote(event: Event) -> list[Registration]:
    """Give the freed seats to the first people of the waiting list, and tell them."""
    if event.status != EventStatus.PUBLISHED or event.is_past:
        return []
    promoted = []
    free = None if event.capacity is None else event.capacity - event.registered_count()
    for registration in event.registrations.waiting().select_for_update():
        if free is not None and free <= 0:
            break
        before = audit.snapshot(registration, REGISTRATION_AUDIT)
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = timezone.now()
        registration.save()
        audit.record(
            actor=None,
            action="registration.promote",
            obj=registration,
            before=before,
            after=audit.snapshot(registration, REGISTRATION_AUDIT),
        )
        _sync_attendance(registration)
        if registration.email:
            queue_email("events.promoted", registration_id=registration.pk)
        promoted.append(registration)
        if free is not None:
            free -= 1
    return promoted


@transaction.atomic
def registration_cancel(*, acting_user, registration: Registration) -> list[Registration]:
    """Cancel a registration (by its person's link, `acting_user` None, or by the team); the
    freed seat goes to the first person waiting. Returns the people promoted."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    _check_runs(acting_user, event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    before = audit.snapshot(registration, REGISTRATION_AUDIT)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save()
    audit.record(
        actor=acting_user,
        action="registration.cancel",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, REGISTRATION_AUDIT),
    )
    _sync_attendance(registration, acting_user)
    return _promote(event)


@transaction.atomic
def registration_set_establishment(
    *, acting_user, registration: Registration, establishment: Establishment | None
) -> Registration:
    """The team attaches (or detaches) the registration to an establishment of the territory."""
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    )
    _check_runs(acting_user, registration.event)
    if establishment is not None and not (
        Establishment.objects.in_territory(registration.event.territory)
        .filter(pk=establishment.pk)
        .exists()
    ):
        raise ValidationError({"establishment": "Cet établissement n'est pas du territoire."})
    before = audit.snapshot(registration, REGISTRATION_AUDIT)
    registration.establishment = establishment
    if establishment is not None:
        registration.siret = establishment.siret
    registration.save()
    audit.record(
        actor=acting_user,
        action="registration.update",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, REGISTRATION_AUDIT),
    )
    _sync_attendance(registration, acting_user)
    return registration


@transaction.atomic
def attendance_mark(
    *, acting_user, registration: Registration, present: bool | None
) -> Registration:
    """Record that the person came (`True`, the check-in), did not (`False`, after the
    event) or reset it (`None`). Their establishment's timeline follows."""
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    )
    _check_runs(acting_user, registration.event)
    if registration.status != RegistrationStatus.REGISTERED:
        raise ValidationError(
            "Seule une personne inscrite (hors liste d'attente) peut être pointée."
        )
    if registration.event.starts_at.date() > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError("Le pointage s'ouvre la veille de l'événement.")
    before = audit.snapshot(registration, REGISTRATION_AUDIT)
    registration.attended = present
    registration.checked_in_at = timezone.now() if present else None
    registration.save()
    audit.record(
        actor=acting_user,
        action="registration.attendance",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, REGISTRATION_AUDIT),
    )
    _sync_attendance(registration, acting_user)
    return registration


# --- Emails after registration -----------------------------------------------------------------


def followup_recipients(event: Event, audience: str):
    """Who a follow-up email to `audience` would reach: registered people who came (or did
    not), with an address, who have not received one yet."""
    rows = event.registrations.registered().exclude(email="").filter(followup_sent_at__isnull=True)
    if audience == Audience.ATTENDEES:
        return rows.filter(attended=True)
    return rows.exclude(attended=True)


@transaction.atomic
def followup_send(
    *, acting_user, event: Event, audience: str, subject: str, body: str
) -> FollowUpMessage:
    """Send the team's text to the attendees or the absentees, once per person."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_runs(acting_user, event)
    if not event.is_past and event.starts_at > timezone.now():
        raise ValidationError("Le courriel de suite s'envoie une fois l'événement commencé.")
    if audience not in Audience.values:
        raise ValidationError({"audience": "Destinataires inconnus."})
    recipients = list(followup_recipients(event, audience).select_for_update())
    if not recipients:
        raise ValidationError("Personne à qui l'envoyer : chacun a déjà reçu un courriel de suite.")
    message = FollowUpMessage.objects.create(
        event=event,
        audience=audience,
        subject=subject.strip(),
        body=body.strip(),
        sent_by=acting_user,
    )
    message.recipients.set(recipients)
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in recipients]).update(followup_sent_at=now)
    audit.record(
        actor=acting_user,
        action="event.followup",
        obj=event,
        after={"audience": audience, "recipients": len(recipients)},
    )
    for registration in recipients:
        queue_email("events.followup", message_id=message.pk, registration_id=registration.pk)
    return message


def reminders_due(now: dt.datetime):
    """Registrations of the published events held tomorrow (local date) not yet reminded."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    return (
        Registration.objects.registered()
        .exclude(email="")
        .filter(
            reminded_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__date=tomorrow,
        )
        .select_related("event")
    )


@transaction.atomic
def reminders_send(*, now: dt.datetime) -> int:
    """Queue tomorrow's reminders, each person once (`reminded_at`): run it twice, nothing
    more is sent."""
    due = list(reminders_due(now).select_for_update(of=("self",)))
    for registration in due:
        queue_email("events.reminder", registration_id=registration.pk)
    Registration.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    if due:
        audit.record(actor=None, action="event.reminders", after={"registrations": len(due)})
    return len(due)


@transaction.atomic
def registrations_purge(*, now: dt.datetime, wet_run: bool = True) -> int:
    """Anonymise the registrations of the events ended more than RETENTION_DAYS ago: names,
    address and organisation go, the status and presence stay (counts, no-show rate), and so
    does the follow-up on the establishment's timeline, which holds no personal data.
    `wet_run=False` only counts them."""
    limit = now - dt.timedelta(days=RETENTION_DAYS)
    rows = Registration.objects.filter(event__ends_at__lt=limit, anonymised_at__isnull=True)
    if not wet_run:
        return rows.count()
    count = rows.update(
        first_name="",
        last_name="",
        email="",
        organisation_name="",
        consent_text="",
        anonymised_at=now,
    )
    if count:
        audit.record(actor=None, action="registration.purge", after={"registrations": count})
    return count
