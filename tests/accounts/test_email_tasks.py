"""Password-reset and invitation emails go through the task table with ids only: no address,
no token, no link, no text is stored; the worker builds the email when it sends it."""

import logging
import re

import pytest
from django.core import mail

from pilote.accounts import services
from pilote.accounts.enums import Role
from pilote.accounts.models import Invitation, User, hash_token
from tests import db_tasks
from tests.factories import UserFactory

task_queue = db_tasks.task_queue  # fixture

NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026"
RESET_LINK = re.compile(r"https?://[^/\s]+(/comptes/mot-de-passe/nouveau/([\w-]+)/([\w-]+)/)")
INVITATION_LINK = re.compile(r"https?://[^/\s]+(/comptes/invitation/([\w-]+)/)")


def test_a_queued_password_reset_stores_only_the_account_id_and_the_worker_mails_a_working_link(
    client, task_queue, smtp_server, db
):
    user = UserFactory(email="nadia.moreau@exemple.fr")
    with task_queue.capture(execute=True):
        response = client.post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    assert response.status_code == 302
    assert task_queue.email_refs() == [("accounts.password_reset", {"user_id": user.pk})]
    assert smtp_server.messages == []  # queued, not sent

    task_queue.run()
    [(recipients, message)] = smtp_server.messages
    assert recipients == [user.email]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    path, uid, token = RESET_LINK.search(text).groups()
    assert path in html
    stored = task_queue.stored_text()
    for secret in (token, uid, path, user.email, "mot-de-passe", "Bonjour"):
        assert secret not in stored

    form_url = client.get(path).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_reset_email_for_an_account_deactivated_before_sending_is_not_sent_and_logged(
    client, task_queue, caplog, db
):
    user = UserFactory(email="nadia.moreau@exemple.fr")
    with task_queue.capture(execute=True):
        client.post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    User.objects.filter(pk=user.pk).update(is_active=False)
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert mail.outbox == []
    assert row.return_value.startswith("not sent")
    assert f"user {user.pk} is deactivated" in caplog.text


def invite(world, email="nouvel.agent@exemple.fr"):
    return services.invitation_create(
        acting_user=world.users["manager"],
        email=email,
        organisation=world.orgs["o1"],
        territory=world.territory_a,
        role=Role.EPCI_AGENT,
    )


def test_a_queued_invitation_stores_only_its_id_and_the_worker_mails_a_link_that_works(
    world, client, task_queue
):
    with task_queue.capture(execute=True):
        invitation = invite(world)
    assert task_queue.email_refs() == [("accounts.invitation", {"invitation_id": invitation.pk})]
    assert mail.outbox == []

    task_queue.run()
    [message] = mail.outbox
    assert message.to == ["nouvel.agent@exemple.fr"]
    path, token = INVITATION_LINK.search(message.body).groups()
    assert Invitation.objects.get().token_hash == hash_token(token)  # issued when sent
    stored = task_queue.stored_text()
    for secret in (token, path, "nouvel.agent@exemple.fr", "Agglo 1", "Bonjour"):
        assert secret not in stored

    form = {"first_name": "Lucie", "last_name": "Hennebert"}
    form |= {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(path, form).status_code == 302
    assert User.objects.get(email="nouvel.agent@exemple.fr").check_password(NEW_PASSWORD)


def test_the_invitation_link_is_issued_when_the_email_is_sent_not_when_it_is_queued(
    world, task_queue
):
    with task_queue.capture(execute=True):
        invitation = invite(world)
    queued_hash = Invitation.objects.get(pk=invitation.pk).token_hash
    task_queue.run()
    token = INVITATION_LINK.search(mail.outbox[0].body)[2]
    assert hash_token(token) != queued_hash  # no usable link existed before sending
    assert services.invitation_for_token(token) == invitation


@pytest.mark.parametrize("gone", ["revoked", "deleted"])
def test_an_invitation_revoked_or_deleted_before_sending_sends_nothing_and_says_why(
    world, task_queue, caplog, gone
):
    with task_queue.capture(execute=True):
        invitation = invite(world)
    pk = invitation.pk
    if gone == "revoked":
        services.invitation_revoke(acting_user=world.users["manager"], invitation=invitation)
    else:
        invitation.delete()
    with caplog.at_level(logging.INFO, logger="pilote.core.emails"):
        [row] = task_queue.run()
    assert mail.outbox == []
    assert row.return_value == f"not sent: invitation {pk} is no longer pending"
    assert f"invitation {pk} is no longer pending" in caplog.text


def test_a_second_invitation_of_the_same_person_voids_the_first_queued_email(world, task_queue):
    with task_queue.capture(execute=True):
        first = invite(world)
        second = invite(world)
    [not_sent, sent] = task_queue.run()
    assert not_sent.return_value == f"not sent: invitation {first.pk} is no longer pending"
    assert sent.return_value == "sent"
    token = INVITATION_LINK.search(mail.outbox[0].body)[2]
    assert services.invitation_for_token(token) == second
