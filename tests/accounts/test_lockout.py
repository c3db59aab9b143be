"""Who a lockout locks: an (email, address) pair, or an address that sprays many accounts —
never an account everywhere, which would let anyone knowing an email lock its owner out."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

IP_A, IP_B = "203.0.113.7", "198.51.100.20"


def login_from(ip, email, password):
    return Client(REMOTE_ADDR=ip).post(
        "/comptes/connexion/", {"username": email, "password": password}
    )


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@exemple.fr")


def test_five_failures_lock_alice_from_that_address_while_she_logs_in_from_her_own(alice):
    for _ in range(5):
        login_from(IP_A, alice.email, "mauvais")
    assert login_from(IP_A, alice.email, PASSWORD).status_code == 429
    assert login_from(IP_B, alice.email, PASSWORD).status_code == 302


def test_spraying_five_accounts_from_one_address_locks_that_address(alice):
    for i in range(5):
        login_from(IP_A, f"agent{i}@exemple.fr", "mauvais")
    assert login_from(IP_A, alice.email, PASSWORD).status_code == 429
    assert login_from(IP_B, alice.email, PASSWORD).status_code == 302


def test_a_sprayer_cannot_reset_its_count_by_logging_into_its_own_account(alice):
    sprayer = UserFactory(email="sprayer@exemple.fr")
    for i in range(4):
        login_from(IP_A, f"agent{i}@exemple.fr", "mauvais")
    assert login_from(IP_A, sprayer.email, PASSWORD).status_code == 302
    login_from(IP_A, "agent4@exemple.fr", "mauvais")
    assert login_from(IP_A, alice.email, PASSWORD).status_code == 429


def test_a_successful_login_clears_that_accounts_own_failures(alice):
    for _ in range(4):
        login_from(IP_A, alice.email, "mauvais")
    assert login_from(IP_A, alice.email, PASSWORD).status_code == 302
    for _ in range(4):
        login_from(IP_A, alice.email, "mauvais")
    assert login_from(IP_A, alice.email, PASSWORD).status_code == 302
