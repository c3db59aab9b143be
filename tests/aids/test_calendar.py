"""The calendar of calls, the dashboard panel, and the per-user iCalendar feed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pilote.aids.models import AidFeed
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def calls():
    soon = AidSchemeFactory(title="Clôture proche", themes=["decarbonation"], level="national")
    CallWindowFactory(scheme=soon, label="Vague 2", opens_on=days(-10), closes_on=days(12))
    later = AidSchemeFactory(title="Clôture lointaine", level="regional")
    CallWindowFactory(scheme=later, opens_on=days(-10), closes_on=days(90))
    upcoming = AidSchemeFactory(title="À venir", level="europeen")
    CallWindowFactory(scheme=upcoming, opens_on=days(20), closes_on=days(80))
    past = AidSchemeFactory(title="Passé")
    CallWindowFactory(scheme=past, opens_on=days(-100), closes_on=days(-5))
    return soon


def test_the_calendar_sorts_calls_into_its_four_sections(world, login, calls):
    agenda = login(world.users["partner"]).get(reverse("aids:calendar")).context["agenda"]
    assert [e.scheme.title for e in agenda.closing_soon] == ["Clôture proche"]
    assert [e.scheme.title for e in agenda.open] == ["Clôture lointaine"]
    assert [e.scheme.title for e in agenda.upcoming] == ["À venir"]
    assert [e.scheme.title for e in agenda.past] == ["Passé"]


def test_the_calendar_filters_by_theme_and_level(world, login, calls):
    client = login(world.users["agent_e1"])
    agenda = client.get(reverse("aids:calendar") + "?theme=decarbonation").context["agenda"]
    assert [e.scheme.title for e in agenda.closing_soon + agenda.open] == ["Clôture proche"]
    agenda = client.get(reverse("aids:calendar") + "?level=europeen").context["agenda"]
    assert [e.scheme.title for e in agenda.upcoming] == ["À venir"]
    assert not agenda.open


def test_dates_are_french(world, login, calls):
    text = login(world.users["agent_e1"]).get(reverse("aids:calendar")).content.decode()
    assert days(12).strftime("%d/%m/%Y") in text


def test_the_dashboard_shows_calls_closing_soon_with_the_establishments_concerned(
    world, login, calls
):
    EstablishmentFactory(epci=world.epcis["e1"])
    client = login(world.users["manager"])

    def home():
        with CaptureQueriesContext(connection) as queries:
            text = client.get(reverse("core:home")).content.decode()
        return text, len(queries)

    text, first = home()
    assert "Clôture proche" in text
    assert "1 établissement concerné" in text
    assert "Clôture lointaine" not in text
    text, again = home()
    assert "1 établissement concerné" in text
    assert again < first  # the counts come from the cache: the establishments are not loaded
    EstablishmentFactory(epci=world.epcis["e2"])  # the territory changes: counted again
    text, _ = home()
    assert "2 établissements concernés" in text


def test_each_user_has_a_secret_revocable_feed(world, login, client, calls):
    login(world.users["agent_e1"])
    response = client.post(reverse("aids:feed"), {"action": "create"})
    url = response.context["url"]
    client.logout()
    ics = client.get(url)
    assert ics.status_code == 200
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    summaries = {str(e["summary"]) for e in events}
    assert "Clôture : Clôture proche (Vague 2)" in summaries
    assert "Ouverture : À venir (Appel)" in summaries
    feed = AidFeed.objects.get()
    assert feed.token_hash not in url  # only the hash is stored
    login(world.users["agent_e1"])
    client.post(reverse("aids:feed"), {"action": "revoke"})
    client.logout()
    assert client.get(url).status_code == 404


def test_the_feed_stops_when_the_account_is_deactivated(world, login, client):
    login(world.users["agent_e1"])
    url = client.post(reverse("aids:feed"), {"action": "create"}).context["url"]
    user = world.users["agent_e1"]
    user.is_active = False
    user.save()
    client.logout()
    assert client.get(url).status_code == 404


def test_accounts_without_membership_have_no_feed(world, login):
    assert login(world.users["nobody"]).get(reverse("aids:feed")).status_code == 404
