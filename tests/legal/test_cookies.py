"""The cookie page lists exactly the cookies Pilote sets: a visitor logs in through the form
(CSRF enforced) and saves a note (a confirmation message), and the names the client received
are the names on the page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from pilote.core.enums import Visibility
from pilote.legal.cookies import duration, strictly_necessary
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def listed_names(client) -> set[str]:
    html = client.get(reverse("legal:cookies")).content.decode()
    table = html[html.index('data-testid="cookies"') : html.index("</table>")]
    return set(re.findall(r"<td><code>([^<]+)</code></td>", table))


def csrf_token(client) -> str:
    return client.cookies["csrftoken"].value


def test_the_page_lists_exactly_the_cookies_a_logged_in_user_receives(world):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    agent = world.users["agent_e1"]
    response = client.post(
        reverse("accounts:login"),
        {"username": agent.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(client)},
    )
    assert response.status_code == 302
    client.get(reverse("notes:create"))
    response = client.post(
        reverse("notes:create"),
        {
            "epci": world.epcis["e1"].pk,
            "title": "Visite",
            "body": "Compte rendu.",
            "visibility": Visibility.EPCI,
            "csrfmiddlewaretoken": csrf_token(client),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    received = set(client.cookies)
    assert received == {"sessionid", "csrftoken", "messages"}
    assert listed_names(client) == received
    assert {c.name for c in strictly_necessary()} == received


def test_durations_come_from_the_settings(settings, client):
    settings.SESSION_COOKIE_AGE = 60 * 60 * 12
    html = client.get(reverse("legal:cookies")).content.decode()
    assert "12 heures" in html
    assert "52 semaines" in html  # CSRF_COOKIE_AGE, Django's default
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    assert (
        "fin de la session de navigation" in client.get(reverse("legal:cookies")).content.decode()
    )


def test_no_messages_cookie_is_listed_with_session_storage(settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    settings.CSRF_USE_SESSIONS = True
    assert [c.name for c in strictly_necessary()] == ["sessionid"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(43200, "12 heures"), (31449600, "52 semaines"), (86400, "1 jour"), (90, "90 secondes")],
)
def test_duration(seconds, text):
    assert duration(seconds) == text
