"""Each indicator's definition at several dates, per EPCI, and through the reader."""

import datetime as dt
from decimal import Decimal

import pytest

from pilote.accompaniment.enums import DiagnosticStatus, InteractionKind
from pilote.core.enums import Visibility
from pilote.indicators import indicators
from tests.accompaniment.factories import (
    DiagnosticFactory,
    InteractionFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    meeting_of,
    site_of,
    written_by,
)
from tests.applications.factories import application_of
from tests.indicators.conftest import backdate

pytestmark = pytest.mark.django_db

D = Decimal


def test_applications_at_the_end_of_march(world, dossiers):
    figures = indicators.compute(world.territory_a, dt.date(2026, 3, 31))
    assert figures.applications == {
        "filed": 3,  # a1, a2, a3 (a4 filed in April, a6 never, a5 not supported)
        "in_review": 2,  # a1 and a2: filed, decided after the date
        "accepted": 0,
        "refused": 0,
        "withdrawn": 1,  # a3
        "amount_requested": D("170000.00"),
        "amount_in_review": D("150000.00"),
        "amount_granted": D("0.00"),
    }
    assert figures.territory_wide == {
        "laureate_companies": 1,  # a5, not supported, decided on the date itself
        "accepted": 1,
        "decided": 2,  # a5 accepted, a3 withdrawn
        "amount_granted": D("40000.00"),
        "investment_supported": D("200000.00"),
        "jobs": 5,
        "acceptance_rate": D("0.5000"),
    }


def test_applications_at_the_end_of_april_and_may(world, dossiers):
    april = indicators.compute(world.territory_a, dt.date(2026, 4, 30))
    assert april.applications == {
        "filed": 4, "in_review": 2, "accepted": 1, "refused": 0, "withdrawn": 1,
        "amount_requested": D("200000.45"), "amount_in_review": D("80000.45"),
        "amount_granted": D("80000.00"),
    }  # fmt: skip
    assert april.territory_wide["laureate_companies"] == 1  # a1 and a5: one SIREN
    assert april.territory_wide["accepted"] == 2
    assert april.territory_wide["amount_granted"] == D("120000.00")
    assert april.territory_wide["investment_supported"] == D("700000.00")
    assert april.territory_wide["jobs"] == 15
    assert april.territory_wide["acceptance_rate"] == D("0.6667")
    e1, e2 = world.epcis["e1"].siren, world.epcis["e2"].siren
    assert list(april.by_epci) == sorted([e1, e2], key=lambda s: april.epci_names[s])
    assert april.by_epci[e1]["filed"] == 2
    assert april.by_epci[e1]["accepted"] == 1
    assert april.by_epci[e1]["in_review"] == 1
    assert april.by_epci[e2]["filed"] == 2
    assert april.by_epci[e2]["withdrawn"] == 1
    assert april.by_epci[e2]["amount_in_review"] == D("30000.45")
    may = indicators.compute(world.territory_a, dt.date(2026, 5, 31))
    assert may.applications["refused"] == 1
    assert may.applications["in_review"] == 1
    assert may.territory_wide["decided"] == 4
    assert may.territory_wide["acceptance_rate"] == D("0.5000")


def test_before_anything_and_no_decision(world, dossiers):
    figures = indicators.compute(world.territory_a, dt.date(2025, 12, 31))
    assert set(figures.applications.values()) == {0, D("0.00")}
    assert figures.territory_wide["acceptance_rate"] is None


def test_readers_count_only_what_they_see(world):
    application_of(world, "e2", "agent_e2", visibility=Visibility.EPCI)
    application_of(world, "e2", "agent_e2", visibility=Visibility.TERRITORY)
    application_of(world, "e1", "agent_e1", visibility=Visibility.PARTNERS)
    application_of(world, "e1", "agent_e1", visibility=Visibility.EPCI)
    day = dt.date(2026, 3, 31)
    expected = {
        None: 4, "manager": 4, "agent_e1": 3, "agent_e2": 3, "partner": 1, "admin": 0,
        "manager_b": 0, "nobody": 0,
    }  # fmt: skip
    for actor, filed in expected.items():
        reader = world.users[actor] if actor else None
        figures = indicators.compute(world.territory_a, day, reader)
        assert figures.applications["filed"] == filed, actor
    e2 = world.epcis["e2"].siren
    agent_e1 = indicators.compute(world.territory_a, day, world.users["agent_e1"])
    assert agent_e1.by_epci[e2]["filed"] == 1  # the territory-visibility one only


def test_activity(world):
    site = site_of(world, "e1")
    meeting_of(world, establishment=site, occurred_on=dt.date(2026, 2, 3))
    meeting_of(world, establishment=site, occurred_on=dt.date(2026, 3, 3))  # same site
    InteractionFactory(
        establishment=site_of(world, "e2"), kind=InteractionKind.PHONE,
        occurred_on=dt.date(2026, 3, 10), time_spent_minutes=30, **written_by(world, "agent_e2"),
    )  # fmt: skip
    InteractionFactory(  # planned: not held
        establishment=site_of(world, "e1"), occurred_on=dt.date(2099, 1, 1),
        **written_by(world, "agent_e1"),
    )  # fmt: skip
    meeting = meeting_of(world, "e2", "agent_e2", occurred_on=dt.date(2026, 4, 2))
    NeedFactory(establishment=meeting.establishment, interaction=meeting,
                resolved_on=dt.date(2026, 5, 2), **written_by(world, "agent_e2"))  # fmt: skip
    ProjectFactory(establishment=site, investment_amount=D("1000.10"), jobs_created=2,
                   jobs_kept=3, **written_by(world, "agent_e1"))  # fmt: skip
    DiagnosticFactory(establishment=site, offered_on=dt.date(2026, 3, 1),
                      status=DiagnosticStatus.DONE, done_on=dt.date(2026, 4, 20),
                      **written_by(world, "agent_e1"))  # fmt: skip
    ReferralFactory(establishment=site, referred_on=dt.date(2026, 3, 5),
                    **written_by(world, "agent_e1"))  # fmt: skip
    backdate(dt.date(2026, 3, 15))  # the project was recorded on 15 March
    march = indicators.compute(world.territory_a, dt.date(2026, 3, 31)).activity
    assert march == {
        "establishments_met": 1, "interactions": 3, "interviews": 2,
        "interaction_minutes": 90 + 90 + 30, "needs": 0, "needs_resolved": 0, "projects": 1,
        "projects_investment": D("1000.10"), "projects_jobs_created": 2,
        "projects_jobs_kept": 3, "diagnostics_offered": 1, "diagnostics_done": 0,
        "referrals": 1,
    }  # fmt: skip
    may = indicators.compute(world.territory_a, dt.date(2026, 5, 31))
    assert may.activity["establishments_met"] == 2
    assert may.activity["needs"] == 1
    assert may.activity["needs_resolved"] == 1
    assert may.activity["diagnostics_done"] == 1
    assert may.activity_by_epci[world.epcis["e2"].siren]["interactions"] == 2
    seen_by_e1 = indicators.compute(
        world.territory_a, dt.date(2026, 5, 31), world.users["agent_e1"]
    )
    assert seen_by_e1.activity["interactions"] == 2  # not e2's EPCI-visibility ones


def test_series_matches_compute(world, dossiers):
    months = [dt.date(2026, m, 1) for m in range(1, 7)]
    points = indicators.series(world.territory_a, months)
    assert [p.as_of for p in points][:3] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]
    for point in points:
        alone = indicators.compute(world.territory_a, point.as_of)
        assert indicators.to_json(point) == indicators.to_json(alone)


def test_to_json(world, dossiers):
    data = indicators.to_json(indicators.compute(world.territory_a, dt.date(2026, 4, 30)))
    assert data["as_of"] == "2026-04-30"
    assert data["frozen"] is False
    assert data["territory_name"] == "TI A"
    assert data["snapshot"] is None
    assert data["applications"]["amount_requested"] == "200000.45"
    assert data["applications"]["amount_granted"] == "80000.00"
    assert data["territory"]["acceptance_rate"] == "0.6667"
    assert data["territory"]["amount_granted"] == "120000.00"
    assert set(data["by_epci"]) == {world.epcis["e1"].siren, world.epcis["e2"].siren}
    assert data["by_epci"][world.epcis["e2"].siren]["amount_in_review"] == "30000.45"
    assert set(data["activity"]) == set(indicators.ACTIVITY_KEYS)
