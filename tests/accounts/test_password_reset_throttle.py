"""Password-reset emails are throttled — one per address per 15 minutes, a cap per client
address per hour — and the page answers the same whether an email left or not."""

import pytest
from django.core import mail

from pilote.accounts import throttle
from tests.factories import UserFactory

URL = "/comptes/mot-de-passe/oubli/"
IP_A, IP_B = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def _ask(email, ip=IP_A):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"email": email}, REMOTE_ADDR=ip)
        return response.status_code, response["Location"]

    return _ask


@pytest.fixture
def user(db):
    return UserFactory(email="nadia.moreau@exemple.fr")


def test_one_reset_email_per_address_every_fifteen_minutes(user, ask, time_machine):
    time_machine.move_to("2026-11-30 09:00 +01:00", tick=False)
    first = ask(user.email)
    assert ask("Nadia.Moreau@exemple.fr", ip=IP_B) == first  # same answer, no email
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-11-30 09:14 +01:00", tick=False)
    assert ask(user.email) == first
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-11-30 09:16 +01:00", tick=False)
    ask(user.email)
    assert len(mail.outbox) == 2


def test_throttling_answers_the_same_for_known_and_unknown_addresses(user, ask):
    answers = {
        ask(user.email),
        ask(user.email),
        ask("inconnu@exemple.fr"),
        ask("inconnu@exemple.fr"),
    }
    assert len(answers) == 1
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_one_client_address_gets_a_capped_number_of_reset_emails_per_hour(db, ask, time_machine):
    time_machine.move_to("2026-11-30 09:00 +01:00", tick=False)
    users = [UserFactory(email=f"agent{i}@exemple.fr") for i in range(throttle.IP_LIMIT + 2)]
    answers = {ask(u.email) for u in users[:-1]}
    assert len(answers) == 1
    assert len(mail.outbox) == throttle.IP_LIMIT
    ask(users[-1].email, ip=IP_B)  # another client is not capped
    assert mail.outbox[-1].to == [users[-1].email]
    time_machine.move_to("2026-11-30 10:01 +01:00", tick=False)
    ask(users[-2].email)
    assert mail.outbox[-1].to == [users[-2].email]
    assert len(mail.outbox) == throttle.IP_LIMIT + 2
