"""The weekly digest through the production task table: its tasks hold a user id and a date,
never the follow-up they will mail; the worker builds the email and it goes through SMTP."""

import logging

import pytest

from pilote.accompaniment import digest, tasks
from pilote.accompaniment.enums import ActionStatus
from pilote.accompaniment.models import Action
from pilote.accounts.models import Membership
from tests import db_tasks
from tests.accompaniment import test_digest

pytestmark = pytest.mark.django_db
task_queue, week = db_tasks.task_queue, test_digest.week  # fixtures
CONFIDENTIAL = test_digest.CONFIDENTIAL

SHOWN = ["Envoyer la fiche AAP ZIBAC", "Relancer pour le devis robot",
         "Campagne Valenciennes 2027", "Verrerie du Hainaut", "Forges Delattre"]  # fmt: skip


def test_digest_tasks_store_a_user_id_and_a_date_and_the_worker_mails_the_follow_up(
    world, week, task_queue, smtp_server
):
    with task_queue.capture(execute=True):
        tasks.send_digests(today=week, dry_run=False)
    agents = [world.users["agent_e1"].pk, world.users["agent_e2"].pk]
    digest_rows = task_queue.rows("pilote.accompaniment.tasks.send_digest")
    assert [r.args_kwargs["kwargs"] for r in digest_rows] == [
        {"user_id": pk, "day": week.isoformat()} for pk in agents
    ]

    task_queue.run()  # the digest tasks, then the emails they queue
    assert sorted(refs["user_id"] for _, refs in task_queue.email_refs()) == sorted(agents)
    assert {kind for kind, _ in task_queue.email_refs()} == {"accompaniment.digest"}
    assert all(set(refs) == {"user_id", "day"} for _, refs in task_queue.email_refs())
    stored = task_queue.stored_text()
    for content in [*SHOWN, *CONFIDENTIAL, "agent_e1@exemple.fr", "Votre semaine"]:
        assert content not in stored

    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("agent_e1@exemple.fr",), ("agent_e2@exemple.fr",)}
    message = received[("agent_e1@exemple.fr",)]
    text = message.get_body(("plain",)).get_content()
    for shown in SHOWN:
        assert shown in text
    for secret in CONFIDENTIAL:
        assert secret not in text
    assert "1 action en retard" in message["Subject"]


def test_a_digest_whose_recipient_left_before_sending_is_not_sent_and_logged(
    world, week, task_queue, smtp_server, caplog
):
    user = world.users["agent_e1"]
    with task_queue.capture(execute=True):
        digest.digest_send(user_id=user.pk, today=week)
    Membership.objects.filter(user=user).update(is_active=False)
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert row.task_path == db_tasks.EMAIL_TASK
    assert row.return_value == f"not sent: user {user.pk} no longer receives the digest"
    assert f"user {user.pk} no longer receives the digest" in caplog.text
    assert smtp_server.messages == []


def test_a_digest_emptied_before_sending_is_not_sent(world, week, task_queue, smtp_server):
    user = world.users["agent_e1"]
    with task_queue.capture(execute=True):
        digest.digest_send(user_id=user.pk, today=week)
    Action.objects.filter(owner=user).update(status=ActionStatus.DONE)
    for target in digest.digest_for(user, today=week).visits:
        target.delete()
    for interaction in digest.digest_for(user, today=week).interactions:
        interaction.participants.remove(user)
    [row] = task_queue.run()
    assert row.return_value.startswith("not sent: the digest of user")
    assert smtp_server.messages == []
