"""`Cache-Control: private, no-store` on what a logged-in user receives and on calendar feeds,
never on static files; a `Permissions-Policy` denying unused browser features everywhere."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from pilote.core.middleware import PrivacyHeadersMiddleware
from pilote.prospecting import services as prospecting
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db

DENIED = ["camera", "microphone", "geolocation", "payment", "usb"]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response):
    assert {"private", "no-store"} <= cache_control(response), response.get("Cache-Control")
    assert "public" not in cache_control(response)


def assert_permissions_denied(response):
    policy = {d.strip() for d in response["Permissions-Policy"].split(",")}
    for feature in DENIED:
        assert f"{feature}=()" in policy


@pytest.fixture
def agent(world, login):
    return login(world.users["agent_e1"])


@pytest.fixture
def note(world):
    return NoteFactory(
        epci=world.epcis["e1"],
        title="Projet de four électrique",
        author=world.users["agent_e1"],
        author_organisation=world.orgs["o1"],
    )


def test_a_follow_up_page_is_never_stored(agent, note):
    response = agent.get(f"/notes/{note.pk}/")
    assert response.status_code == 200
    assert_not_stored(response)
    assert_permissions_denied(response)


def test_an_htmx_fragment_of_follow_up_is_never_stored(agent, note):
    response = agent.get("/notes/?q=four", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_not_stored(response)


def test_a_csv_export_is_never_stored(agent, note):
    response = agent.get("/notes/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response)
    assert_permissions_denied(response)


def test_the_login_page_carries_the_permissions_policy(client):
    response = client.get("/comptes/connexion/")
    assert response.status_code == 200
    assert_permissions_denied(response)


def test_a_static_file_keeps_its_cache_even_for_a_logged_in_user(agent):
    response = agent.get("/static/pilote/js/pilote.js")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert_permissions_denied(response)
    response.close()


def test_a_calendar_feed_is_never_stored(world, client):
    _, token = prospecting.feed_create(acting_user=world.users["agent_e1"])
    response = client.get(f"/prospection/agenda/{token}.ics")  # no login: the address is secret
    assert response.status_code == 200
    assert_not_stored(response)
    assert_permissions_denied(response)


def test_any_calendar_response_is_made_private_and_unstored_even_if_its_view_forgot():
    def view(request):
        response = HttpResponse("BEGIN:VCALENDAR", content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = PrivacyHeadersMiddleware(view)(RequestFactory().get("/agenda/secret.ics"))
    assert_not_stored(response)


def test_a_response_that_already_forbids_storing_is_left_as_it_is(agent):
    anonymous = Client().get("/healthz")
    assert "no-store" in cache_control(anonymous)  # never_cache, untouched for anonymous
    assert agent.get("/healthz")["Cache-Control"] == anonymous["Cache-Control"]
