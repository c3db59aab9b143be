"""The reminders of overdue calls for funds through the production task table: queued with
the call's id only, built when sent, to the active agents of the called EPCI; the
`remind_funds_calls` command reminds each overdue call at most every 14 days."""

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from pilote.agreement import services
from pilote.agreement.models import FundsCall
from tests import db_tasks
from tests.agreement.factories import call_of, payment_of

pytestmark = pytest.mark.django_db
task_queue = db_tasks.task_queue  # fixtures


def test_a_reminder_is_queued_with_the_call_id_and_sent_to_the_epci_agents(world, task_queue):
    call = call_of(world.epcis["e1"], world.territory_a, amount="8000.00")
    payment_of(call, amount="3000.00")
    with task_queue.capture(execute=True):
        services.call_remind(acting_user=world.users["manager"], call=call)
    assert task_queue.email_refs() == [("agreement.call_reminder", {"call_id": call.pk})]
    stored = task_queue.stored_text()
    for content in ("agent_e1@exemple.fr", call.number, "5000", "FR76"):
        assert content not in stored
    call.refresh_from_db()
    assert call.reminders_sent == 1
    assert call.last_reminded_at is not None

    [row] = task_queue.run()
    assert row.return_value == "sent"
    [message] = mail.outbox
    assert message.to == ["agent_e1@exemple.fr"]
    assert call.number in message.subject
    assert "reste à payer 5 000,00 €" in message.subject
    assert f"/convention/appels/{call.pk}/" in message.body
    assert "FR76 0000" in message.body


def test_a_reminder_paid_in_the_meantime_is_not_sent(world, task_queue):
    call = call_of(world.epcis["e1"], world.territory_a, amount="100.00")
    with task_queue.capture(execute=True):
        services.call_remind(acting_user=world.users["manager"], call=call)
    payment_of(call, amount="100.00")
    [row] = task_queue.run()
    assert row.return_value.startswith("not sent")
    assert mail.outbox == []


def test_a_call_not_overdue_is_not_reminded(world, task_queue):
    call = call_of(world.epcis["e1"], world.territory_a, overdue=False)
    with task_queue.capture(execute=True), pytest.raises(ValidationError, match="pas en retard"):
        services.call_remind(acting_user=world.users["manager"], call=call)
    assert task_queue.email_refs() == []
    assert FundsCall.objects.get(pk=call.pk).reminders_sent == 0


def remind(*args):
    out = io.StringIO()
    call_command("remind_funds_calls", "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_the_command_counts_then_reminds_every_overdue_call_once_a_fortnight(world, task_queue):
    late = call_of(world.epcis["e1"], world.territory_a)
    late_e2 = call_of(world.epcis["e2"], world.territory_a)
    call_of(world.epcis["e1"], world.territory_a, overdue=False)
    paid = call_of(world.epcis["e2"], world.territory_a, amount="50.00")
    payment_of(paid, amount="50.00")

    with task_queue.capture(execute=True):
        assert remind() == {"overdue": 2, "reminded": 2}  # dry run: nothing sent
    assert task_queue.email_refs() == []
    assert FundsCall.objects.filter(reminders_sent__gt=0).count() == 0

    with task_queue.capture(execute=True):
        assert remind("--wet-run") == {"overdue": 2, "reminded": 2}
    refs = task_queue.email_refs()
    assert {kind for kind, _ in refs} == {"agreement.call_reminder"}
    assert sorted(r["call_id"] for _, r in refs) == sorted([late.pk, late_e2.pk])
    task_queue.run()
    assert sorted(m.to[0] for m in mail.outbox) == ["agent_e1@exemple.fr", "agent_e2@exemple.fr"]

    with task_queue.capture(execute=True):
        assert remind("--wet-run") == {"overdue": 2, "reminded": 0}  # within 14 days
    FundsCall.objects.filter(pk=late.pk).update(
        last_reminded_at=timezone.now() - dt.timedelta(days=15)
    )
    with task_queue.capture(execute=True):
        assert remind("--wet-run") == {"overdue": 2, "reminded": 1}
    assert FundsCall.objects.get(pk=late.pk).reminders_sent == 2


def test_a_call_whose_epci_has_no_active_agent_is_not_reminded(world, task_queue):
    call_of(world.epcis["e1"], world.territory_a)
    world.memberships["agent_e1"].user.is_active = False
    world.memberships["agent_e1"].user.save()
    with task_queue.capture(execute=True):
        assert remind("--wet-run") == {"overdue": 1, "reminded": 0}
    assert task_queue.email_refs() == []
