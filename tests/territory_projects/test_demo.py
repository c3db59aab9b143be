"""The territory projects demo (pilote/territory_projects/demo.py) on the demo territory, its
accounts and its catalogue of calls, at 06/12/2026: idempotent; the roadmap's projects in
every phase and status, over the six EPCIs; shares exact to the cent; « EPCI choisis » seen
by the chosen EPCIs' agents and by no other; votes and milestones on both sides of today.
Loads only the geography, the accounts, the aid catalogue and one flagship establishment (not
the whole demo)."""

import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from pilote.accounts import demo as accounts_demo
from pilote.accounts.models import User
from pilote.aids import demo as aids_demo
from pilote.core.enums import CHOSEN, Visibility
from pilote.territories import demo as territories_demo
from pilote.territories.models import Commune, Epci
from pilote.territory_projects import demo
from pilote.territory_projects.enums import CarrierRole, Phase, Status, Theme, VoteOutcome
from pilote.territory_projects.models import (
    Carrier,
    CouncilVote,
    Milestone,
    ProjectShare,
    TerritoryProject,
)
from tests.factories import CompanyFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)
CAC, CA2C, CAPH = demo.SIRENS["CAC"], demo.SIRENS["CA2C"], demo.SIRENS["CAPH"]
AGENTS = {
    "CAVM": "agent.valenciennes@pilote.demo",
    "CAPH": "agent.porteduhainaut@pilote.demo",
    "CAMVS": "agent.maubeuge@pilote.demo",
    "CAC": "agent.cambrai@pilote.demo",
    "CA2C": "agent.caudresis@pilote.demo",
    "CAD": "agent.douaisis@pilote.demo",
}
BROWNFIELDS = "Reconquête des friches industrielles du Cambrésis et du Caudrésis"
HYDROGEN = "Écosystème hydrogène vert pour les électro-intensifs du Hainaut"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        time_machine.travel(dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC), tick=False),
    ):
        out = io.StringIO()
        territories_demo.load(out=out)
        accounts_demo.load(out=out)
        aids_demo.load(out=out)
        caph = Epci.objects.get(pk=CAPH)
        flagship = EstablishmentFactory(
            company=CompanyFactory(name="STELLANTIS — SEVELNORD HORDAIN"), epci=caph,
            commune=Commune.objects.filter(epci=caph).first(), naf_code="29.10Z",
            headcount_band="42",
        )  # fmt: skip
        report = io.StringIO()
        first = demo.load(out=report)
        counts = _counts()
        second = demo.load(out=io.StringIO())
        yield {"first": first, "second": second, "counts": counts, "report": report.getvalue(),
               "flagship": flagship}  # fmt: skip
        # The module fixture lives outside the per-test transactions: empty the database
        # after it (flush re-creates content types and permissions).
        call_command("flush", interactive=False, verbosity=0)


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (TerritoryProject, Carrier, ProjectShare, CouncilVote, Milestone)
    }


def _agent(short: str) -> User:
    return User.objects.get(email=AGENTS[short])


def test_a_second_run_creates_nothing(loaded):
    assert loaded["first"] > 0
    assert loaded["second"] == 0
    assert _counts() == loaded["counts"]
    assert loaded["counts"]["TerritoryProject"] == len(demo.PLANS) == 8


def test_the_roadmaps_projects_in_every_phase_and_status_over_the_six_epcis(loaded):
    projects = TerritoryProject.objects.all()
    assert {p.phase for p in projects} == set(Phase.values)
    assert {p.status for p in projects} == set(Status.values)
    assert {Theme.DETECTION, Theme.EIT, Theme.HYDROGEN, Theme.LAND, Theme.REV3, Theme.CALL} <= {
        p.theme for p in projects
    }
    assert set(Carrier.objects.values_list("epci_id", flat=True)) == set(demo.SIRENS.values())
    assert {p.visibility for p in projects} >= {
        CHOSEN, Visibility.EPCI, Visibility.TERRITORY, Visibility.PARTNERS,
    }  # fmt: skip
    assert projects.filter(carriers__role=CarrierRole.PARTNER).distinct().count() >= 5
    for project in projects:
        assert project.carriers.filter(role=CarrierRole.LEAD).get().epci_id == project.epci_id
        assert project.starts_on < project.ends_on
        assert dt.date(2023, 1, 1) <= project.starts_on <= TODAY
        assert project.author.email == demo.MANAGER


def test_shares_sum_to_the_budget_to_the_cent(loaded):
    unequal = equal_with_remainder = 0
    for project in TerritoryProject.objects.prefetch_related("carriers"):
        shares = [c.share for c in project.carriers.all()]
        assert sum(shares, Decimal("0.00")) == project.budget, project.title
        assert all(s == s.quantize(Decimal("0.01")) for s in shares)
        if len(set(shares)) > 1 and max(shares) - min(shares) > Decimal("0.01"):
            unequal += 1
        if len(shares) > 1 and max(shares) - min(shares) == Decimal("0.01"):
            equal_with_remainder += 1
    assert unequal >= 2
    assert equal_with_remainder >= 2
    call = TerritoryProject.objects.get(theme=Theme.CALL)
    assert Counter(call.carriers.values_list("share", flat=True)) == {
        Decimal("41666.67"): 4, Decimal("41666.66"): 2,
    }  # fmt: skip


def test_a_project_shared_with_two_chosen_epcis_is_seen_by_their_agents_only(loaded):
    brownfields = TerritoryProject.objects.get(title=BROWNFIELDS)
    assert brownfields.visibility == CHOSEN
    assert set(brownfields.shares.values_list("epci_id", flat=True)) == {CAC, CA2C}
    for short in AGENTS:
        seen = TerritoryProject.objects.visible_to(_agent(short)).filter(pk=brownfields.pk)
        assert seen.exists() == (short in {"CAC", "CA2C"}), short
    partner = User.objects.get(email="partenaire.etat@pilote.demo")
    assert not TerritoryProject.objects.visible_to(partner).filter(visibility=CHOSEN).exists()
    manager = User.objects.get(email=demo.MANAGER)
    assert TerritoryProject.objects.visible_to(manager).count() == 8
    # The demo says so when it loads.
    line = next(line for line in loaded["report"].splitlines() if BROWNFIELDS in line)
    assert AGENTS["CAC"] in line.split(" ; ")[0]
    assert AGENTS["CAD"] in line.split(" ; ")[1]


def test_an_epci_chosen_without_carrying_the_project_sees_it(loaded):
    hydrogen = TerritoryProject.objects.get(title=HYDROGEN)
    assert CAPH in set(hydrogen.shares.values_list("epci_id", flat=True))
    assert not hydrogen.carriers.filter(epci_id=CAPH).exists()
    assert TerritoryProject.objects.visible_to(_agent("CAPH")).filter(pk=hydrogen.pk).exists()
    assert not TerritoryProject.objects.visible_to(_agent("CAD")).filter(pk=hydrogen.pk).exists()
    # Each agent sees some projects and not others.
    for short in AGENTS:
        seen = TerritoryProject.objects.visible_to(_agent(short)).count()
        assert 0 < seen < 8, short


def test_votes_and_milestones_on_both_sides_of_today(loaded):
    votes = CouncilVote.objects.all()
    assert {v.outcome for v in votes} == set(VoteOutcome.values)
    for vote in votes:
        assert vote.project.carriers.filter(epci_id=vote.epci_id).exists()
        if vote.outcome == VoteOutcome.PENDING:
            assert vote.voted_on > TODAY
            assert vote.deliberation_number == ""
        else:
            assert vote.voted_on <= TODAY
            assert re.fullmatch(r"20\d\d-DEL-\d{3}", vote.deliberation_number)
            assert vote.deliberation_number[:4] == str(vote.voted_on.year)
    assert votes.filter(deliberation_number="2025-DEL-114", outcome=VoteOutcome.ADOPTED).exists()
    milestones = Milestone.objects.all()
    assert milestones.filter(done_on__isnull=False, due_on__lt=TODAY).exists()  # done
    assert milestones.filter(done_on__isnull=True, due_on__lt=TODAY).exists()  # late
    assert milestones.filter(due_on__gt=TODAY).exists()  # to come
    assert not milestones.filter(done_on__gt=TODAY).exists()


def test_calls_and_establishments_are_linked_when_their_demos_are_loaded(loaded):
    eit = TerritoryProject.objects.get(theme=Theme.EIT)
    assert [c.scheme.title for c in eit.calls.all()] == [demo.ZIBAC]
    detection = TerritoryProject.objects.get(theme=Theme.DETECTION)
    assert demo.AUTO in {c.scheme.title for c in detection.calls.all()}
    assert list(detection.establishments.all()) == [loaded["flagship"]]
    assert TerritoryProject.objects.filter(calls__isnull=False).distinct().count() >= 4
