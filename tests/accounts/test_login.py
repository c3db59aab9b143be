import pytest

from tests.factories import PASSWORD, UserFactory


def post_login(client, email, password):
    return client.post("/comptes/connexion/", {"username": email, "password": password})


@pytest.fixture
def user(db):
    return UserFactory(email="claire.delattre@exemple.fr")


def test_a_user_logs_in_with_their_email_in_any_case(client, user):
    response = post_login(client, "Claire.Delattre@EXEMPLE.fr", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_gets_a_french_message(client, user):
    response = post_login(client, user.email, "mauvais")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_five_failures_in_a_row_lock_the_account(client, user):
    for _ in range(5):
        post_login(client, user.email, "mauvais")
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Compte temporairement verrouillé" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_fifteen_minutes(client, user, time_machine):
    time_machine.move_to("2026-11-30 09:00 +01:00", tick=False)
    for _ in range(5):
        post_login(client, user.email, "mauvais")
    assert post_login(client, user.email, PASSWORD).status_code == 429
    time_machine.move_to("2026-11-30 09:16 +01:00", tick=False)
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_four_failures_do_not_lock(client, user):
    for _ in range(4):
        post_login(client, user.email, "mauvais")
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_logout_needs_a_post(client, user):
    post_login(client, user.email, PASSWORD)
    assert client.get("/comptes/deconnexion/").status_code == 405
    assert client.post("/comptes/deconnexion/").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_need_login(client, db):
    response = client.get("/notes/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/notes/"


def test_changing_the_case_of_the_email_does_not_dodge_the_lockout(client, user):
    variants = ["claire.delattre@exemple.fr", "Claire.Delattre@exemple.fr",
                "CLAIRE.DELATTRE@EXEMPLE.FR", " claire.delattre@exemple.fr",
                "claire.DELATTRE@exemple.fr"]  # fmt: skip
    for variant in variants:
        post_login(client, variant, "mauvais")
    assert post_login(client, user.email, PASSWORD).status_code == 429


def test_behind_a_proxy_the_lockout_counts_the_client_address_not_the_proxys(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    victims = [UserFactory(email=f"agent{i}@exemple.fr") for i in range(6)]
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for victim in victims[:5]:
        client.post("/comptes/connexion/", {"username": victim.email, "password": "x"}, **attacker)
    # The attacker's address is locked out…
    locked = client.post(
        "/comptes/connexion/",
        {"username": victims[5].email, "password": PASSWORD},
        **attacker,
    )
    assert locked.status_code == 429
    # …but a colleague behind the same proxy still logs in.
    response = client.post(
        "/comptes/connexion/",
        {"username": victims[5].email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302
