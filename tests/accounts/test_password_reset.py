import re

import pytest
from django.core import mail

from tests.factories import UserFactory

NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026"


@pytest.fixture
def user(db):
    return UserFactory(email="nadia.moreau@exemple.fr")


def test_a_forgotten_password_is_replaced_through_the_emailed_link(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/mot-de-passe/oubli/", {"email": "Nadia.Moreau@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/nouveau/\S+)", message.body)[1]
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link is single-use.
    assert "plus valable" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post("/comptes/mot-de-passe/oubli/", {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert mail.outbox == []
