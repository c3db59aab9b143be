"""The governance e-mails through the production task table: the invitations (with the
`.ics`, METHOD:REQUEST) and the notice that minutes are circulated are queued with ids only —
never an address, a name, a title or a word of the minutes — and built when the worker
runs them."""

import pytest
from django.core import mail
from icalendar import Calendar

from pilote.governance import invitations, services
from pilote.governance import minutes as svc
from pilote.governance.enums import MeetingStatus
from pilote.governance.models import Attendee, Meeting
from tests import db_tasks
from tests.governance.test_minutes import meeting_of

pytestmark = pytest.mark.django_db
task_queue = db_tasks.task_queue  # fixtures


def _ics(message) -> tuple[str, Calendar]:
    [(_name, content, mimetype)] = [a for a in message.attachments if a[0].endswith(".ics")]
    content = content if isinstance(content, bytes) else content.encode()
    return mimetype, Calendar.from_ical(content)


def _assert_nothing_personal_stored(task_queue, *texts):
    stored = task_queue.stored_text()
    for text in texts:
        assert text not in stored


def test_invitations_are_queued_with_attendee_ids_and_sent_with_the_ics(world, task_queue):
    meeting = meeting_of(world, days=10, status=MeetingStatus.PLANNED, title="Séance de mars")
    Meeting.objects.filter(pk=meeting.pk).update(place="CCI, salle Watteau")
    member = services.member_add(acting_user=None, body=meeting.body, user=world.users["partner"])
    jeanne = Attendee.objects.create(meeting=meeting, name="Jeanne Élue", email="je@exemple.fr")
    account = Attendee.objects.create(meeting=meeting, member=member)
    Attendee.objects.create(meeting=meeting, name="Sans Adresse")
    with task_queue.capture(execute=True):
        sent = invitations.invitations_send(acting_user=world.users["manager"], meeting=meeting)
    assert sent == 2
    assert task_queue.email_refs() == [
        ("governance.invitation", {"attendee_id": jeanne.pk}),
        ("governance.invitation", {"attendee_id": account.pk}),
    ]
    personal = ("je@exemple.fr", "partner@exemple.fr", "Jeanne", "Séance de mars", "Watteau")
    _assert_nothing_personal_stored(task_queue, *personal)

    rows = task_queue.run()
    assert [r.return_value for r in rows] == ["sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == ["je@exemple.fr", "partner@exemple.fr"]
    for message in mail.outbox:
        assert message.subject.startswith("Invitation : COPIL convention — Séance de mars, le ")
        assert "Vous êtes invité(e) à la réunion « Séance de mars »" in message.body
        assert "Lieu : CCI, salle Watteau" in message.body
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        assert "CCI, salle Watteau" in html
        mimetype, calendar = _ics(message)
        assert mimetype == "text/calendar; charset=utf-8; method=REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == invitations.uid_of(meeting)
        assert event.decoded("DTSTART") == meeting.starts_at
    _assert_nothing_personal_stored(task_queue, *personal)


def test_a_cancellation_goes_to_those_invited_and_a_removed_attendee_gets_nothing(
    world, task_queue
):
    meeting = meeting_of(world, days=10, status=MeetingStatus.PLANNED)
    kept = Attendee.objects.create(meeting=meeting, name="Jeanne", email="je@exemple.fr")
    gone = Attendee.objects.create(meeting=meeting, name="Paul", email="paul@exemple.fr")
    invitations.invitations_send(acting_user=None, meeting=meeting)  # outside: never queued
    services.meeting_cancel(acting_user=None, meeting=meeting)
    with task_queue.capture(execute=True):
        assert invitations.invitations_send(acting_user=None, meeting=meeting) == 2
        gone_pk = gone.pk
        gone.delete()
    rows = task_queue.run()
    assert sorted(r.return_value for r in rows) == [
        f"not sent: attendee {gone_pk} is gone or has no address",
        "sent",
    ]
    [message] = mail.outbox
    assert message.to == [kept.email]
    assert message.subject.startswith("Annulée : COPIL convention du ")
    mimetype, calendar = _ics(message)
    assert mimetype.endswith("method=CANCEL")
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


def test_circulated_minutes_are_announced_to_the_attendees_accounts_who_read_the_meeting(
    world, task_queue
):
    meeting = meeting_of(world)
    body = meeting.body
    reader = services.member_add(acting_user=None, body=body, user=world.users["agent_e1"])
    outsider = services.member_add(acting_user=None, body=body, user=world.users["agent_e3"])
    Attendee.objects.create(meeting=meeting, member=reader)
    Attendee.objects.create(meeting=meeting, member=outsider)  # not of the territory
    Attendee.objects.create(meeting=meeting, name="Invitée", email="invitee@exemple.fr")
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text="Relevé très confidentiel")
    with task_queue.capture(execute=True):
        svc.minutes_circulate(acting_user=world.users["manager"], minutes=minutes)
    user = world.users["agent_e1"]
    assert task_queue.email_refs() == [
        ("governance.minutes_circulated", {"minutes_id": minutes.pk, "user_id": user.pk})
    ]
    _assert_nothing_personal_stored(task_queue, user.email, "confidentiel")
    [row] = task_queue.run()
    assert row.return_value == "sent"
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject.startswith("Compte rendu en relecture : COPIL convention du ")
    assert meeting.get_absolute_url() in message.body
    assert "confidentiel" not in message.body
    assert "confidentiel" not in message.alternatives[0][0]


def test_the_notice_is_not_sent_once_the_minutes_moved_on(world, task_queue):
    meeting = meeting_of(world)
    member = services.member_add(acting_user=None, body=meeting.body, user=world.users["partner"])
    Attendee.objects.create(meeting=meeting, member=member)
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text="…")
    with task_queue.capture(execute=True):
        minutes = svc.minutes_circulate(acting_user=None, minutes=minutes)
    svc.minutes_approve(acting_user=None, minutes=minutes)
    [row] = task_queue.run()
    assert row.return_value == f"not sent: minutes {minutes.pk} are no longer circulated"
    assert mail.outbox == []


def test_a_system_circulation_may_stay_silent(world, task_queue):
    meeting = meeting_of(world)
    member = services.member_add(acting_user=None, body=meeting.body, user=world.users["partner"])
    Attendee.objects.create(meeting=meeting, member=member)
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text="…")
    with task_queue.capture(execute=True):
        svc.minutes_circulate(acting_user=None, minutes=minutes, notify=False)
    assert task_queue.email_refs() == []
