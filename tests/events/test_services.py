"""Registrations: cap and waiting list, promotion, the confirmation with its .ics (parsed
back), reminders sent once, the attendance follow-up and who sees it, the purge."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from pilote.core.enums import Visibility
from pilote.events import services
from pilote.events.enums import RegistrationStatus
from pilote.events.models import Attendance, Registration, no_show_rate
from tests.events.factories import at, event_of, register
from tests.factories import CompanyFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db


def _ics(message) -> Calendar:
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1
    content = files[0][1]
    return Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def test_a_full_event_puts_people_on_the_waiting_list_and_a_cancellation_promotes_the_first(
    world, django_capture_on_commit_callbacks
):
    event = event_of(world, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        a, b, c, d = register(event, 4)
    assert [r.status for r in (a, b)] == [RegistrationStatus.REGISTERED] * 2
    assert [r.status for r in (c, d)] == [RegistrationStatus.WAITING] * 2
    assert (c.waiting_position, d.waiting_position) == (1, 2)
    assert "Liste d'attente" in mail.outbox[2].subject
    assert not [x for x in mail.outbox[2].attachments if x[0].endswith(".ics")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(acting_user=None, registration=a)
    assert promoted == [c]
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == RegistrationStatus.REGISTERED
    assert c.promoted_at is not None
    assert d.waiting_position == 1
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert "place s'est libérée" in mail.outbox[0].subject
    _ics(mail.outbox[0])


def test_the_confirmation_carries_a_valid_invitation(world, django_capture_on_commit_callbacks):
    event = event_of(world, title="Club des industriels", address="1 rue du Port, Douai")
    with django_capture_on_commit_callbacks(execute=True):
        (registration,) = register(event)
    (message,) = mail.outbox
    assert message.to == [registration.email]
    assert "Inscription confirmée" in message.subject
    calendar = _ics(message)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"pilote-inscription-{registration.key}@")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["SUMMARY"]) == "Club des industriels"
    assert "1 rue du Port" in str(vevent["LOCATION"])
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert str(vevent["ATTENDEE"]) == f"mailto:{registration.email}"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    body = message.body
    assert "/evenements/annulation/" in body
    # The same UID in a later email: the calendar entry is updated, not duplicated.
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(now=event.starts_at - dt.timedelta(days=1))
    assert _ics(mail.outbox[-1]).walk("VEVENT")[0]["UID"] == vevent["UID"]


def test_the_public_path_needs_consent_and_an_open_event(world):
    event = event_of(world)
    with pytest.raises(ValidationError):
        register(event, consent=False)
    services.event_update(acting_user=world.users["manager"], event=event, registration_open=False)
    with pytest.raises(ValidationError):
        register(event)
    # The team may still register someone.
    (registration,) = register(event, acting_user=world.users["manager"], consent=False)
    assert registration.by_team
    assert registration.consent_at is None


def test_the_same_address_twice_is_one_registration(world):
    event = event_of(world)
    first = register(event)[0]
    second, created = services.registration_create(
        acting_user=None,
        event=event,
        first_name="X",
        last_name="Y",
        email=first.email.upper(),
        consent=True,
    )
    assert not created
    assert second == first


def test_reminders_go_once_the_day_before(world, django_capture_on_commit_callbacks):
    event = event_of(world, days=1)
    later = event_of(world, days=5, title="Plus tard")
    register(event, 2)
    register(later, 1)
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=now) == 2
        assert services.reminders_send(now=now) == 0
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Rappel") for m in mail.outbox)
    assert Registration.objects.filter(event=event, reminded_at__isnull=True).count() == 0


def test_attendance_follows_the_registration_on_the_timeline(world):
    from pilote.companies.registry import timeline

    site = EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name="Forges"))
    event = event_of(world, days=0, title="Atelier hydrogène")
    (registration,) = register(event, siret=site.siret)
    assert registration.establishment == site
    attendance = Attendance.objects.get()
    assert attendance.visibility == Visibility.TERRITORY
    assert attendance.epci == world.epcis["e1"]
    assert attendance.author_organisation == world.orgs["cci"]
    titles = [e.title for e in timeline(world.users["agent_e2"], site)]
    assert titles == ["Inscription : Atelier hydrogène"]

    services.attendance_mark(
        acting_user=world.users["manager"], registration=registration, present=True
    )
    attendance.refresh_from_db()
    assert attendance.present is True
    assert [e.title for e in timeline(world.users["manager"], site)] == [
        "Participation : Atelier hydrogène"
    ]
    for outsider in ("partner", "admin", "agent_e3", "manager_b", "nobody"):
        assert timeline(world.users[outsider], site) == [], outsider

    services.registration_cancel(acting_user=world.users["manager"], registration=registration)
    assert not Attendance.objects.exists()


def test_an_epci_visibility_hides_the_participation_from_other_epcis(world):
    from pilote.companies.registry import timeline

    site = EstablishmentFactory(epci=world.epcis["e1"])
    event = event_of(world, "agent_e1", epci="e1", days=0, attendance_visibility=Visibility.EPCI)
    (registration,) = register(event, siret=site.siret)
    services.attendance_mark(
        acting_user=world.users["agent_e1"], registration=registration, present=True
    )
    assert timeline(world.users["agent_e1"], site)
    assert timeline(world.users["manager"], site)
    assert timeline(world.users["agent_e2"], site) == []
    assert timeline(world.users["partner"], site) == []


def test_only_who_runs_the_event_marks_attendance(world):
    event = event_of(world, "agent_e1", epci="e1", days=0)
    (registration,) = register(event)
    for outsider in ("agent_e2", "partner", "admin", "manager_b"):
        with pytest.raises(PermissionDenied):
            services.attendance_mark(
                acting_user=world.users[outsider], registration=registration, present=True
            )
    services.attendance_mark(
        acting_user=world.users["manager"], registration=registration, present=True
    )


def test_agents_create_events_only_for_their_epci(world):
    with pytest.raises(ValidationError):
        event_of(world, "agent_e1", epci=None)
    with pytest.raises(ValidationError):
        event_of(world, "agent_e1", epci="e2")
    with pytest.raises(PermissionDenied):
        event_of(world, "partner", epci="e1")
    event = event_of(world, "agent_e1", epci="e1")
    assert event.organisation == world.orgs["o1"]


def test_no_show_rate_and_followup_once_per_person(world, django_capture_on_commit_callbacks):
    event = event_of(world, days=0)
    people = register(event, 4)
    manager = world.users["manager"]
    for r in people[:3]:
        services.attendance_mark(acting_user=manager, registration=r, present=True)
    event.starts_at, event.ends_at = at(-1, 9), at(-1, 12)
    event.save()
    from pilote.events.models import Event

    counted = Event.objects.with_counts().get(pk=event.pk)
    assert no_show_rate(counted.n_registered, counted.n_attended) == 0.25
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.followup_send(
            acting_user=manager,
            event=event,
            audience="attendees",
            subject="Merci",
            body="Les supports sont en ligne.",
        )
    assert message.recipients.count() == 3
    assert len(mail.outbox) == 3
    assert "supports" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.followup_send(
            acting_user=manager, event=event, audience="attendees", subject="Encore", body="…"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_send(
            acting_user=manager,
            event=event,
            audience="absentees",
            subject="Dommage",
            body="Vous nous avez manqué.",
        )
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == [people[3].email]


def test_registrations_are_anonymised_a_year_after(world):
    site = EstablishmentFactory(epci=world.epcis["e1"])
    event = event_of(world, days=0)
    (registration,) = register(event, siret=site.siret)
    assert services.registrations_purge(now=timezone.now()) == 0
    assert services.registrations_purge(now=timezone.now() + dt.timedelta(days=400)) == 1
    registration.refresh_from_db()
    assert registration.email == ""
    assert registration.last_name == ""
    assert Attendance.objects.filter(establishment=site).exists()


def test_the_purge_command_only_counts_without_wet_run(world, time_machine):
    import io

    from django.core.management import call_command

    event = event_of(world, days=0)
    (registration,) = register(event, siret=EstablishmentFactory(epci=world.epcis["e1"]).siret)
    time_machine.move_to(timezone.now() + dt.timedelta(days=400))
    out = io.StringIO()
    call_command("purge_event_registrations", stdout=out)
    assert "1 inscription(s) à anonymiser (simulation" in out.getvalue()
    registration.refresh_from_db()
    assert registration.email
    call_command("purge_event_registrations", "--wet-run", stdout=out)
    registration.refresh_from_db()
    assert registration.email == ""
