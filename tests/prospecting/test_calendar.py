import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def visits(world, time_machine):
    """Monday 30 November 2026; visits this week, next week and after the four weeks shown."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS), tick=False)
    mine = campaign_of(world, "e1", name="Campagne Escaut")
    shared = campaign_of(
        world, "e2", "agent_e2", name="Campagne partagée", visibility=Visibility.TERRITORY
    )
    theirs = campaign_of(world, "e2", "agent_e2", name="Campagne Sambre")

    def visit(campaign, name, when, status=TargetStatus.MEETING_PLANNED):
        establishment = EstablishmentFactory(epci=campaign.epci, company=CompanyFactory(name=name))
        return TargetFactory(
            campaign=campaign, establishment=establishment, status=status, planned_at=when
        )

    return {
        "wednesday": visit(mine, "Forges de l'Escaut", dt.datetime(2026, 12, 2, 10, tzinfo=PARIS)),
        "next week": visit(mine, "Rail Services", dt.datetime(2026, 12, 8, 14, tzinfo=PARIS)),
        "shared": visit(shared, "Verrerie du Nord", dt.datetime(2026, 12, 3, 9, tzinfo=PARIS)),
        "theirs": visit(theirs, "Fonderie Sambre", dt.datetime(2026, 12, 4, 11, tzinfo=PARIS)),
        "january": visit(mine, "Chaudronnerie", dt.datetime(2027, 1, 2, 8, tzinfo=PARIS)),
        "held": visit(
            mine,
            "Presses du Hainaut",
            dt.datetime(2026, 11, 30, 8, tzinfo=PARIS),
            status=TargetStatus.MET,
        ),
    }


def shown(response):
    return [
        target.establishment.company.name
        for week in response.context["weeks"]
        for _day, targets in week["days"]
        for target in targets
    ]


def test_an_agent_sees_the_visits_of_their_epci_by_week(world, visits, login):
    response = login(world.users["agent_e1"]).get("/prospection/agenda/")
    assert shown(response) == ["Presses du Hainaut", "Forges de l'Escaut", "Rail Services"]
    weeks = response.context["weeks"]
    assert [w["start"] for w in weeks] == [dt.date(2026, 11, 30), dt.date(2026, 12, 7)]
    html = response.content.decode()
    assert "Mercredi 2 décembre" in html
    assert "Fonderie Sambre" not in html


def test_an_agent_may_widen_to_every_visit_they_may_see(world, visits, login):
    client = login(world.users["agent_e1"])
    names = shown(client.get("/prospection/agenda/?perimetre=tout"))
    assert "Verrerie du Nord" in names  # shared with the whole territory
    assert "Fonderie Sambre" not in names  # e2's own campaign


def test_the_ti_manager_sees_the_whole_territory(world, visits, login):
    names = shown(login(world.users["manager"]).get("/prospection/agenda/"))
    assert names == [
        "Presses du Hainaut",
        "Forges de l'Escaut",
        "Verrerie du Nord",
        "Fonderie Sambre",
        "Rail Services",
    ]


def test_weeks_can_be_browsed(world, visits, login):
    client = login(world.users["agent_e1"])
    later = client.get("/prospection/agenda/?semaine=2026-12-30")
    assert later.context["start"] == dt.date(2026, 12, 28)
    assert shown(later) == ["Chaudronnerie"]
    assert client.get("/prospection/agenda/?semaine=n'importe").status_code == 200


def test_the_dashboard_shows_this_weeks_visits_and_the_next_targets(world, visits, login):
    campaign = visits["wednesday"].campaign
    TargetFactory(
        campaign=campaign,
        establishment=EstablishmentFactory(
            epci=campaign.epci, company=CompanyFactory(name="Meilleure cible"), headcount_band="22"
        ),
    )
    TargetFactory(
        campaign=campaign,
        establishment=EstablishmentFactory(
            epci=campaign.epci,
            company=CompanyFactory(name="Petite cible"),
            headcount_band="01",
            is_head_office=False,
        ),
    )
    response = login(world.users["agent_e1"]).get("/")
    context = next(c for p, c in response.context["panels"] if p.name.endswith("prospecting"))
    assert [t.establishment.company.name for t in context["visits"]] == [
        "Presses du Hainaut",
        "Forges de l'Escaut",
    ]
    assert [t.establishment.company.name for t in context["targets"]] == [
        "Meilleure cible",
        "Petite cible",
    ]
    assert context["targets"][0].score == 70
    html = response.content.decode()
    assert "Visites de la semaine" in html
    assert "Fonderie Sambre" not in html


def test_partners_have_no_prospecting_panel(world, login):
    html = login(world.users["partner"]).get("/").content.decode()
    assert "Visites de la semaine" not in html
