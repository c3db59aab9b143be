"""The events e-mails through the production task table: confirmations, promotions from the
waiting list, reminders and follow-ups are queued with ids only, never an address, a name, a
cancel link or the team's text; the worker builds them (invitation .ics included) and sends
them."""

import io
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from pilote.events import services
from pilote.events.emails import cancel_token
from pilote.events.enums import RegistrationStatus
from tests import db_tasks
from tests.events.factories import at, event_of, register

pytestmark = pytest.mark.django_db
task_queue = db_tasks.task_queue  # fixtures


def _ics(message) -> Calendar:
    [content] = [a[1] for a in message.attachments if a[0].endswith(".ics")]
    return Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def _assert_nothing_personal_stored(task_queue, *registrations, extra=()):
    stored = task_queue.stored_text()
    for registration in registrations:
        for content in (
            registration.email,
            registration.first_name,
            registration.last_name,
            registration.key.hex,
            str(registration.key),
            cancel_token(registration),
        ):
            assert content not in stored
    for content in ("Atelier décarbonation", "CCI, salle Watteau", "annulation", *extra):
        assert content not in stored


def test_a_confirmation_is_queued_with_the_registration_id_and_carries_the_invitation(
    world, task_queue
):
    event = event_of(world, address="1 rue du Port, Douai")
    with task_queue.capture(execute=True):
        (registration,) = register(event, organisation_name="Forges du Nord")
    assert task_queue.email_refs() == [
        ("events.confirmation", {"registration_id": registration.pk})
    ]
    _assert_nothing_personal_stored(task_queue, registration, extra=["Forges du Nord"])

    [row] = task_queue.run()
    assert row.return_value == "sent"
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert message.subject == "Inscription confirmée : Atelier décarbonation"
    assert f"/evenements/annulation/{cancel_token(registration)}/" in message.body
    (vevent,) = _ics(message).walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"pilote-inscription-{registration.key}@")
    assert str(vevent["SUMMARY"]) == "Atelier décarbonation"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert "1 rue du Port" in str(vevent["LOCATION"])
    assert str(vevent["ATTENDEE"]) == f"mailto:{registration.email}"
    _assert_nothing_personal_stored(task_queue, registration)


def test_a_promotion_is_queued_with_the_registration_id_and_sent_with_the_invitation(
    world, task_queue
):
    event = event_of(world, capacity=1)
    first, waiting = register(event, 2)  # outside `capture`: their confirmations never queue
    assert waiting.status == RegistrationStatus.WAITING
    with task_queue.capture(execute=True):
        assert services.registration_cancel(acting_user=None, registration=first) == [waiting]
    assert task_queue.email_refs() == [("events.promoted", {"registration_id": waiting.pk})]
    _assert_nothing_personal_stored(task_queue, first, waiting)

    [row] = task_queue.run()
    assert row.return_value == "sent"
    [message] = mail.outbox
    assert message.to == [waiting.email]
    assert message.subject == "Une place s'est libérée : Atelier décarbonation"
    assert "vous quittez la liste d'attente, votre inscription est confirmée" in message.body
    (vevent,) = _ics(message).walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"pilote-inscription-{waiting.key}@")
    _assert_nothing_personal_stored(task_queue, first, waiting)


def test_the_reminders_command_queues_registration_ids_and_the_worker_sends_them(world, task_queue):
    event = event_of(world, days=1)
    a, b = register(event, 2)
    register(event_of(world, days=5, title="Plus tard"), 1)
    out = io.StringIO()
    with task_queue.capture(execute=True):
        call_command("send_event_reminders", "--wet-run", stdout=out)
    assert "2 rappel(s) envoyé(s)." in out.getvalue()
    assert sorted(task_queue.email_refs(), key=lambda r: r[1]["registration_id"]) == [
        ("events.reminder", {"registration_id": a.pk}),
        ("events.reminder", {"registration_id": b.pk}),
    ]
    _assert_nothing_personal_stored(task_queue, a, b)

    rows = task_queue.run()
    assert [r.return_value for r in rows] == ["sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    for message in mail.outbox:
        assert message.subject == "Rappel : Atelier décarbonation, demain"
        assert "Nous vous attendons demain à « Atelier décarbonation »" in message.body
        assert _ics(message).walk("VEVENT")
    _assert_nothing_personal_stored(task_queue, a, b)


def test_a_followup_is_queued_with_the_message_and_registration_ids_and_sends_the_text(
    world, task_queue
):
    event = event_of(world, days=0)
    came, absent = register(event, 2)
    manager = world.users["manager"]
    services.attendance_mark(acting_user=manager, registration=came, present=True)
    event.starts_at, event.ends_at = at(-1, 9), at(-1, 12)
    event.save()
    with task_queue.capture(execute=True):
        message = services.followup_send(
            acting_user=manager,
            event=event,
            audience="attendees",
            subject="Merci de votre venue",
            body="Les supports de l'atelier sont en ligne.",
        )
    assert task_queue.email_refs() == [
        ("events.followup", {"message_id": message.pk, "registration_id": came.pk})
    ]
    _assert_nothing_personal_stored(
        task_queue, came, absent, extra=["Merci de votre venue", "supports"]
    )

    [row] = task_queue.run()
    assert row.return_value == "sent"
    [sent] = mail.outbox
    assert sent.to == [came.email]
    assert sent.subject == "Merci de votre venue"
    assert "Les supports de l'atelier sont en ligne." in sent.body
    assert f"Bonjour {came.first_name}," in sent.body
    _assert_nothing_personal_stored(
        task_queue, came, absent, extra=["Merci de votre venue", "supports"]
    )


def test_a_confirmation_for_a_registration_cancelled_before_sending_is_not_sent(
    world, task_queue, caplog
):
    event = event_of(world)
    with task_queue.capture(execute=True):
        (registration,) = register(event)
    services.registration_cancel(acting_user=None, registration=registration)
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert mail.outbox == []
    assert row.return_value.startswith(
        f"not sent: registration {registration.pk} is no longer registered"
    )
    assert f"registration {registration.pk} is no longer" in caplog.text
