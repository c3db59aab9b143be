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
