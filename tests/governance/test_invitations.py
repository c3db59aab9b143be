"""Invitations to a meeting: the RFC 5545 `.ics` (stable UID, SEQUENCE, TZID Europe/Paris
with its VTIMEZONE, attendees, RRULE for a recurring meeting, CANCEL once cancelled), its
page (readers only), and « Envoyer les invitations » (the TI managers; SEQUENCE bumped when
resent after a change)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pilote.core.models import AuditEvent
from pilote.governance import invitations, services
from pilote.governance.enums import AttendanceStatus, BodyKind, MeetingStatus, Recurrence
from pilote.governance.models import AgendaItem, Attendee, Meeting
from tests.governance.test_minutes import body_of, meeting_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _meeting(world, **fields):
    start = dt.datetime(2027, 3, 15, 14, 30, tzinfo=PARIS)
    meeting = services.meeting_create(
        acting_user=None, body=body_of(world), title="Comité de pilotage n° 2",
        starts_at=start, status=MeetingStatus.PLANNED, place="CCI, salle Watteau",
    )  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=start + dt.timedelta(hours=2), **fields)
    meeting.refresh_from_db()
    AgendaItem.objects.create(meeting=meeting, position=1, title="Bilan du semestre")
    AgendaItem.objects.create(meeting=meeting, position=2, title="Budget 2027")
    return meeting


def _attendees(world, meeting):
    member = services.member_add(
        acting_user=None, body=meeting.body, user=world.users["agent_e1"], role="Directeur"
    )
    return [
        Attendee.objects.create(
            meeting=meeting,
            name="Jeanne Élue",
            email="jeanne@exemple.fr",
            organisation_name="Agglo 1",
        ),
        Attendee.objects.create(meeting=meeting, member=member),  # the account's address
        Attendee.objects.create(meeting=meeting, name="Sans Adresse"),
        Attendee.objects.create(meeting=meeting, name="Doublon", email="JEANNE@exemple.fr"),
    ]


def _event(content: bytes):
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_ics_is_an_rfc5545_request_with_a_stable_uid_and_the_paris_time_zone(world, settings):
    settings.SITE_URL = "https://pilote.exemple.fr"
    meeting = _meeting(world)
    _attendees(world, meeting)
    calendar, event = _event(invitations.meeting_ics(meeting))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "Pilote" in str(calendar["PRODID"])
    assert str(event["UID"]) == f"governance-meeting-{meeting.pk}@pilote.exemple.fr"
    assert event["DTSTAMP"]
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").hour == 14
    assert event.decoded("DTEND") == meeting.ends_at
    (tz,) = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Paris"
    assert str(event["SUMMARY"]) == "COPIL convention — Comité de pilotage n° 2"
    assert str(event["LOCATION"]) == "CCI, salle Watteau"
    assert "1. Bilan du semestre\n2. Budget 2027" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:agent_e1@exemple.fr",
        "mailto:jeanne@exemple.fr",
    ]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "RRULE" not in event
    # The same meeting, later: the same UID.
    assert str(_event(invitations.meeting_ics(meeting))[1]["UID"]) == str(event["UID"])


@pytest.mark.parametrize(
    ("recurrence", "count", "expected"),
    [
        (Recurrence.MONTHLY, None, {"FREQ": ["MONTHLY"]}),
        (Recurrence.QUARTERLY, 4, {"FREQ": ["MONTHLY"], "INTERVAL": [3], "COUNT": [4]}),
        (Recurrence.HALF_YEARLY, 2, {"FREQ": ["MONTHLY"], "INTERVAL": [6], "COUNT": [2]}),
        (Recurrence.YEARLY, 3, {"FREQ": ["YEARLY"], "COUNT": [3]}),
    ],
)
def test_a_recurring_meeting_carries_its_rrule(world, recurrence, count, expected):
    meeting = _meeting(world, recurrence=recurrence, recurrence_count=count)
    calendar, event = _event(invitations.meeting_ics(meeting))
    assert dict(event["RRULE"]) == expected
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert calendar.walk("VTIMEZONE")


def test_a_cancelled_meeting_is_a_cancel(world):
    meeting = _meeting(world, status=MeetingStatus.CANCELLED, recurrence=Recurrence.YEARLY)
    calendar, event = _event(invitations.meeting_ics(meeting))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_ics_page_is_for_the_readers_of_the_meeting(world, login):
    meeting = _meeting(world)
    url = reverse("governance:meeting_ics", args=[meeting.pk])
    for actor in ("manager", "agent_e2", "partner"):
        response = login(world.users[actor]).get(url)
        assert response.status_code == 200, actor
        assert response["Content-Type"].startswith("text/calendar")
        assert response["Content-Disposition"] == (
            'attachment; filename="invitation-2027-03-15.ics"'
        )
        assert _event(response.content)[1]["UID"]
    for actor in ("admin", "manager_b", "agent_e3", "nobody"):
        assert login(world.users[actor]).get(url).status_code == 404, actor
    bilateral = meeting_of(
        world, body_of(world, "Points bilatéraux", BodyKind.BILATERAL), epci=world.epcis["e1"]
    )
    url = reverse("governance:meeting_ics", args=[bilateral.pk])
    assert login(world.users["agent_e1"]).get(url).status_code == 200
    for actor in ("agent_e2", "partner"):
        assert login(world.users[actor]).get(url).status_code == 404, actor


def test_sending_queues_one_email_per_address_and_bumps_the_sequence_after_a_change(
    world, django_capture_on_commit_callbacks
):
    manager = world.users["manager"]
    meeting = _meeting(world)
    _attendees(world, meeting)
    with django_capture_on_commit_callbacks() as callbacks:
        assert invitations.invitations_send(acting_user=manager, meeting=meeting) == 2
    assert len(callbacks) == 2
    meeting.refresh_from_db()
    first = meeting.invitations_sent_at
    assert first is not None
    assert meeting.sequence == 0
    # Resent without a change: the same version of the invitation.
    invitations.invitations_send(acting_user=manager, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert meeting.invitations_sent_at > first
    # The meeting moves: the next sending is a new version.
    day = dt.timedelta(days=1)
    services.meeting_update(
        acting_user=manager, meeting=meeting, starts_at=meeting.starts_at + day,
        ends_at=meeting.ends_at + day,
    )  # fmt: skip
    invitations.invitations_send(acting_user=manager, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert int(_event(invitations.meeting_ics(meeting))[1]["SEQUENCE"]) == 1
    # An agenda item changes: a new version too.
    item = meeting.agenda_items.first()
    item.title = "Bilan du semestre (avancé)"
    item.save()
    invitations.invitations_send(acting_user=manager, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    events = AuditEvent.objects.filter(
        action="governance_meeting.invitations", object_id=str(meeting.pk)
    )
    assert events.count() == 4
    assert events.order_by("pk").last().changes["sequence"] == [1, 2]


def test_sending_is_for_the_ti_managers_and_needs_an_address(world):
    meeting = _meeting(world)
    with pytest.raises(ValidationError, match="adresse"):
        invitations.invitations_send(acting_user=None, meeting=meeting)
    Attendee.objects.create(meeting=meeting, name="Jeanne", email="jeanne@exemple.fr")
    for actor in ("agent_e1", "partner", "manager_b"):
        with pytest.raises(PermissionDenied):
            invitations.invitations_send(acting_user=world.users[actor], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is None
    cancelled = _meeting(world, status=MeetingStatus.CANCELLED)
    Attendee.objects.create(meeting=cancelled, name="Jeanne", email="jeanne@exemple.fr")
    with pytest.raises(ValidationError, match="annulée"):
        invitations.invitations_send(acting_user=None, meeting=cancelled)


def test_the_send_button_posts_for_the_managers_and_404s_for_others(world, login):
    meeting = _meeting(world)
    Attendee.objects.create(
        meeting=meeting, name="Jeanne", email="jeanne@exemple.fr", status=AttendanceStatus.INVITED
    )
    url = reverse("governance:invitations_send", args=[meeting.pk])
    for actor in ("agent_e1", "partner", "admin", "manager_b"):
        assert login(world.users[actor]).post(url).status_code == 404, actor
    client = login(world.users["manager"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert "1 invitation(s) envoyée(s)." in [str(m) for m in get_messages(response.wsgi_request)]
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert timezone.now() - meeting.invitations_sent_at < dt.timedelta(minutes=1)
