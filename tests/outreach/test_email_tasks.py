"""The newsletter's confirmation e-mail through the production task table: queued with the
subscriber's id only, never the address, the names or the link; the worker issues the link
and sends it, and the link confirms the subscription."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from pilote.outreach import services
from pilote.outreach.enums import SubscriberStatus
from pilote.outreach.models import Subscriber
from tests import db_tasks
from tests.outreach.factories import MailingListFactory

pytestmark = pytest.mark.django_db
task_queue = db_tasks.task_queue  # fixtures


@pytest.fixture
def mailing_list(world):
    return MailingListFactory(territory=world.territory_a, name="Lettre de Trith")


def test_a_confirmation_is_queued_with_the_subscriber_id_and_mails_a_link_that_confirms(
    client, world, mailing_list, task_queue
):
    url = reverse("outreach:subscribe", args=[world.territory_a.slug])
    form = {
        "email": "Claire@Exemple.fr",
        "first_name": "Claire",
        "last_name": "Dubois",
        "organisation": "Mairie de Trith",
        "kind": "elu",
        "consent": "on",
        "website": "",
    }
    with task_queue.capture(execute=True):
        assert client.post(url, form, REMOTE_ADDR="192.0.2.7").status_code == 200
    subscriber = Subscriber.objects.get()
    assert task_queue.email_refs() == [("outreach.confirm", {"subscriber_id": subscriber.pk})]
    assert subscriber.confirmation_hash == ""  # no link before the e-mail is sent
    assert mail.outbox == []

    [row] = task_queue.run()
    assert row.return_value == "sent"
    [message] = mail.outbox
    assert message.to == ["claire@exemple.fr"]
    assert message.subject == (
        f"Confirmez votre inscription à la lettre d'information {world.territory_a.name}"
    )
    assert "« Lettre de Trith »" in message.body
    link = next(w for w in message.body.split() if "/lettre/confirmation/" in w)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    subscriber.refresh_from_db()
    assert subscriber.confirmation_hash == services.hash_token(token)
    stored = task_queue.stored_text()
    for secret in (
        token,
        "claire@exemple.fr",
        "Claire",
        "Dubois",
        "Mairie de Trith",
        "192.0.2.7",
        "Lettre de Trith",
        "confirmation",
    ):
        assert secret.lower() not in stored.lower()

    path = link.replace("http://testserver", "")
    response = client.post(path)
    assert response.status_code == 200
    assert "Inscription confirmée" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.confirmation_hash == ""


def test_a_confirmation_for_a_subscriber_erased_before_sending_is_not_sent(
    mailing_list, task_queue, caplog
):
    with task_queue.capture(execute=True):
        services.public_subscribe(mailing_list=mailing_list, email="claire@exemple.fr")
    subscriber = Subscriber.objects.get()
    [(kind, refs)] = task_queue.email_refs()
    assert (kind, refs) == ("outreach.confirm", {"subscriber_id": subscriber.pk})
    services.subscriber_erase(acting_user=None, subscriber=subscriber)
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert mail.outbox == []
    assert row.return_value == (
        f"not sent: subscriber {subscriber.pk} no longer awaits confirmation"
    )
    assert f"subscriber {subscriber.pk} no longer awaits confirmation" in caplog.text
    assert "claire@exemple.fr" not in task_queue.stored_text()
