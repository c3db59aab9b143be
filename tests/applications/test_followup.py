"""Applications on the other pages: deadlines in « Ma semaine », on the dashboard and in the
calendar feed; the establishment's timeline and its « Nouveau dossier » button; the global
search — each only for whoever may see the application."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pilote.applications.enums import Status
from pilote.prospecting import ical
from tests.applications.factories import accepted_of, application_of

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def due(world):
    today = timezone.localdate()
    return application_of(
        world, status=Status.BUILDING, title="Four à induction",
        closes_on=today + dt.timedelta(days=3), documents_due_on=today + dt.timedelta(days=1),
    )  # fmt: skip


def test_my_week_lists_the_deadlines_of_the_applications_one_sees(client, login, world, due):
    login(world.users["agent_e1"])
    page = text(client.get(reverse("accompaniment:my_week")))
    assert "Échéances des dossiers dans les 7 jours" in page
    assert "clôture de l'appel : " in page
    assert "pièces attendues : " in page
    assert page.count("Four à induction") == 2
    login(world.users["agent_e2"])
    assert "Four à induction" not in text(client.get(reverse("accompaniment:my_week")))


def test_a_decided_application_has_no_deadline_left(client, login, world):
    accepted_of(world, title="Ligne décidée", closes_on=timezone.localdate())
    login(world.users["agent_e1"])
    assert "Ligne décidée" not in text(client.get(reverse("accompaniment:my_week")))


def test_the_dashboard_panel_shows_the_pipeline_and_deadlines(client, login, world, due):
    accepted_of(world)
    login(world.users["manager"])
    page = text(client.get(reverse("core:home")))
    assert "Dossiers de candidature" in page
    assert "1 en construction" in page
    assert "1 accepté" in page
    assert "pièces attendues" in page
    login(world.users["partner"])  # sees neither (« EPCI concerné »)
    page = text(client.get(reverse("core:home")))
    assert "Aucun dossier suivi" in page


def test_the_calendar_feed_has_all_day_deadlines(world, due):
    events = list(Calendar.from_ical(ical.visits_calendar(world.users["agent_e1"])).walk("VEVENT"))
    summaries = {str(e["SUMMARY"]): e for e in events}
    name = due.establishment.display_name
    closing = summaries[f"Clôture de l'appel — {name}"]
    assert closing.decoded("DTSTART") == due.closes_on  # a date: all day
    assert f"pilote-dossier-{due.pk}-cloture@" in str(closing["UID"])
    assert f"Pièces attendues — {name}" in summaries
    others = Calendar.from_ical(ical.visits_calendar(world.users["agent_e2"])).walk("VEVENT")
    assert not [e for e in others if name in str(e["SUMMARY"])]


def test_the_establishment_page_shows_the_application_and_offers_a_new_one(
    client, login, world, due
):
    login(world.users["agent_e1"])
    page = text(client.get(due.establishment.get_absolute_url()))
    assert due.label in page
    assert "Nouveau dossier de candidature" in page
    login(world.users["partner"])
    page = text(client.get(due.establishment.get_absolute_url()))
    assert due.label not in page
    assert "Nouveau dossier de candidature" not in page


def test_the_global_search_finds_an_application_by_reference(client, login, world, due):
    login(world.users["agent_e1"])
    page = text(client.get(reverse("search:results") + f"?q={due.reference}"))
    assert "Dossiers de candidature" in page
    assert due.label in page
    login(world.users["agent_e2"])
    assert due.label not in text(client.get(reverse("search:results") + f"?q={due.reference}"))
