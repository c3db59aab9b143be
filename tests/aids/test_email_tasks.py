"""The aids emails through the production task table: subscription confirmations, weekly
alerts and « informer les EPCI » lists are queued with ids (and the alert's period), never
with an address, a token, a scheme or an establishment; the worker builds and sends them."""

import datetime as dt
import io
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pilote.accounts.models import hash_token
from pilote.aids import services
from pilote.aids.alerts import send_alerts
from pilote.aids.models import Dispatch, Subscription
from tests import db_tasks
from tests.aids import test_alerts, test_detection
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.aids.test_detection import _confirm

pytestmark = pytest.mark.django_db
task_queue = db_tasks.task_queue  # fixtures
search, call = test_alerts.search, test_detection.call


def test_a_confirmation_is_queued_with_the_subscription_id_and_mails_a_link_that_confirms(
    search, world, login, client, task_queue
):
    login(world.users["agent_e1"])
    with task_queue.capture(execute=True):
        client.post(reverse("aids:subscribe", args=[search.pk]), {"email": "Club@Industrie.fr"})
    outside = Subscription.objects.get(email="club@industrie.fr")
    assert task_queue.email_refs() == [("aids.confirm", {"subscription_id": outside.pk})]
    assert outside.confirm_token_hash == ""  # no link before the email is sent

    task_queue.run()
    [message] = mail.outbox
    assert message.to == ["club@industrie.fr"]
    link = next(w for w in message.body.split() if "/alertes/confirmer/" in w)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert Subscription.objects.get(pk=outside.pk).confirm_token_hash == hash_token(token)
    stored = task_queue.stored_text()
    for secret in (token, "club@industrie.fr", "Ma veille bas carbone", "confirmer"):
        assert secret not in stored
    client.logout()
    client.post(link.replace("http://testserver", ""))
    assert Subscription.objects.get(pk=outside.pk).confirmed_at is not None


def test_a_confirmation_for_an_address_unsubscribed_before_sending_is_not_sent(
    search, world, task_queue, caplog
):
    with task_queue.capture(execute=True):
        subscription = services.subscribe(
            acting_user=world.users["agent_e1"], search=search, email="club@industrie.fr"
        )
    services.unsubscribe(key=subscription.key)
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert mail.outbox == []
    assert row.return_value.startswith(f"not sent: subscription {subscription.pk}")
    assert f"subscription {subscription.pk} no longer awaits confirmation" in caplog.text


def test_a_weekly_alert_is_queued_with_ids_and_its_period_and_sent_by_the_worker(
    search, world, task_queue, smtp_server
):
    AidSchemeFactory(title="Nouveau décarbonation", themes=["decarbonation"])
    closing = AidSchemeFactory(title="Ancien décarbonation", themes=["decarbonation"])
    CallWindowFactory(scheme=closing, closes_on=timezone.localdate() + dt.timedelta(days=9))
    now = timezone.now()
    with task_queue.capture(execute=True):
        assert send_alerts(now=now) == {"sent": 1, "skipped": 0}
    subscription = search.subscriptions.get()
    since = now - dt.timedelta(days=7)
    assert task_queue.email_refs() == [
        (
            "aids.alert",
            {
                "subscription_id": subscription.pk,
                "since": since.isoformat(),
                "now": now.isoformat(),
            },
        )
    ]

    task_queue.run()
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["agent_e1@exemple.fr"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nouveau décarbonation" in text
    assert "Ancien décarbonation" in text
    assert subscription.key in text  # the unsubscribe link
    stored = task_queue.stored_text()
    for content in ("décarbonation", "agent_e1@exemple.fr", subscription.key, "Ma veille"):
        assert content not in stored


def test_an_alert_for_an_address_unsubscribed_before_sending_is_not_sent(
    search, task_queue, smtp_server
):
    AidSchemeFactory(title="Nouveau décarbonation", themes=["decarbonation"])
    with task_queue.capture(execute=True):
        send_alerts()
    services.unsubscribe(key=search.subscriptions.get().key)
    [row] = task_queue.run()
    assert row.return_value.startswith("not sent: subscription")
    assert smtp_server.messages == []


def test_informing_the_epcis_queues_dispatch_ids_and_the_worker_sends_each_its_list(
    call, world, login, task_queue, smtp_server
):
    scheme, eligible = call
    client = login(world.users["manager"])
    with task_queue.capture(execute=True):
        _confirm(client, scheme, "À relayer, merci.")
    dispatches = {d.pk: d for d in Dispatch.objects.all()}
    refs = task_queue.email_refs()
    assert {kind for kind, _ in refs} == {"aids.detection"}
    assert sorted(r["dispatch_id"] for _, r in refs) == sorted(dispatches)
    for _, r in refs:
        establishments = {
            line.establishment_id for line in dispatches[r["dispatch_id"]].lines.all()
        }
        assert set(r["to_check"]) <= establishments  # ids, and only of that dispatch

    task_queue.run()
    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("agent_e1@exemple.fr",), ("agent_e2@exemple.fr",)}
    for key, other in (("e1", "e2"), ("e2", "e1")):
        message = received[(f"agent_{key}@exemple.fr",)]
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "Appel industrie régional" in message["Subject"]
        assert "À relayer, merci." in text
        [attachment] = list(message.iter_attachments())  # the list, built at send time
        workbook = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
        sheet = list(workbook.worksheets[0].iter_rows(values_only=True))[1:]
        assert {row[1] for row in sheet} == eligible[key]
        assert not {row[1] for row in sheet} & eligible[other]
        assert "clôture le" in text
    stored = task_queue.stored_text()
    sirets = eligible["e1"] | eligible["e2"]
    for content in ["À relayer", "Appel industrie", "agent_e1@exemple.fr", *sirets]:
        assert content not in stored


def test_a_dispatch_deleted_before_sending_sends_nothing(call, world, task_queue, login):
    scheme, _ = call
    with task_queue.capture(execute=True):
        _confirm(login(world.users["manager"]), scheme)
    Dispatch.objects.all().delete()
    rows = task_queue.run()
    assert [r.return_value.split(" ")[:3] for r in rows] == [["not", "sent:", "dispatch"]] * 2
    assert mail.outbox == []
