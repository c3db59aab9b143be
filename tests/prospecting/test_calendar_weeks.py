"""The week asked for in the calendar's address (?semaine=): a date out of the calendar's
years or not a date shows this week with a French message, never an error page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages

from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of

PARIS = ZoneInfo("Europe/Paris")
THIS_MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def visit(world, time_machine):
    """Wednesday 2 December 2026, in this week."""
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS), tick=False)
    campaign = campaign_of(world, "e1", name="Campagne Escaut")
    return TargetFactory(
        campaign=campaign,
        establishment=EstablishmentFactory(
            epci=campaign.epci, company=CompanyFactory(name="Forges de l'Escaut")
        ),
        status=TargetStatus.MEETING_PLANNED,
        planned_at=dt.datetime(2026, 12, 2, 10, tzinfo=PARIS),
    )


def shown(response):
    return [t.establishment.company.name for w in response.context["weeks"] for _, ts in w["days"]
            for t in ts]  # fmt: skip


def warnings(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("asked", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_a_week_out_of_the_calendars_years_shows_this_week_with_a_message(
    world, visit, login, asked
):
    response = login(world.users["agent_e1"]).get(f"/prospection/agenda/?semaine={asked}")
    assert response.status_code == 200
    assert response.context["start"] == THIS_MONDAY
    assert shown(response) == ["Forges de l'Escaut"]
    assert warnings(response) == [
        f"La semaine du {asked} est en dehors de l'agenda (années 1900 à 2999) : "
        "voici la semaine en cours."
    ]
    assert "voici la semaine en cours" in response.content.decode()


@pytest.mark.parametrize("asked", ["2026-13-45", "2026-02-30", "n'importe", "9" * 300])
def test_a_week_that_is_not_a_date_shows_this_week_with_a_message(world, visit, login, asked):
    response = login(world.users["agent_e1"]).get("/prospection/agenda/", {"semaine": asked})
    assert response.status_code == 200
    assert response.context["start"] == THIS_MONDAY
    (message,) = warnings(response)
    assert message.startswith(f"« {asked[:20]}")
    assert message.endswith("» n'est pas une date (AAAA-MM-JJ) : voici la semaine en cours.")


@pytest.mark.parametrize(
    ("asked", "monday", "beyond"),
    [("1900-01-01", dt.date(1900, 1, 1), "previous"),
     ("2999-12-31", dt.date(2999, 12, 30), "next")],
)  # fmt: skip
def test_the_first_and_last_weeks_of_the_calendar_are_shown_without_a_message(
    world, visit, login, asked, monday, beyond
):
    client = login(world.users["agent_e1"])
    response = client.get(f"/prospection/agenda/?semaine={asked}")
    assert response.status_code == 200
    assert response.context["start"] == monday
    assert warnings(response) == []
    # The link beyond the calendar's years leads back to this week, with the message.
    link = response.context[beyond]
    following = client.get(f"/prospection/agenda/?semaine={link:%Y-%m-%d}")
    assert following.status_code == 200
    assert following.context["start"] == THIS_MONDAY
    assert "en dehors de l'agenda" in warnings(following)[0]


def test_no_message_without_a_week_asked_for(world, visit, login):
    response = login(world.users["agent_e1"]).get("/prospection/agenda/")
    assert response.context["start"] == THIS_MONDAY
    assert warnings(response) == []


def test_the_ical_feed_ignores_a_week_in_its_address(world, visit, client):
    _, token = services.feed_create(acting_user=world.users["agent_e1"])
    response = client.get(f"/prospection/agenda/{token}.ics?semaine=9999-12-31")
    assert response.status_code == 200
    assert b"Forges de l'Escaut" in response.content
