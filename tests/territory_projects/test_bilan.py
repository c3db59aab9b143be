"""Territory projects in the bilan (its « Projets de territoire » section: PDF and XLSX) and
in the programme's figures (`territory_projects.indicators.figures`), counting only the
projects the reader sees, as at the end of the period."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from pilote.core.enums import CHOSEN, Visibility
from pilote.indicators import bilan
from pilote.territory_projects import bilan_section, indicators
from pilote.territory_projects.enums import Phase, Status, VoteOutcome
from pilote.territory_projects.models import CouncilVote, Milestone, TerritoryProject
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.territory_projects.factories import make_project
from tests.territory_projects.test_access import third_epci_agent

pytestmark = pytest.mark.django_db

D1, D2 = dt.date(2026, 7, 1), dt.date(2026, 12, 31)


def squash(text: str) -> str:
    return "".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def projects(world):
    """Three projects of territory A, entered in March 2026: one led by e1 with e2 as partner
    (« EPCI choisis »), one of e2 (« EPCI concerné »), one private to e1's organisation."""
    shared = make_project(
        world, epci="e1", visibility=CHOSEN, partners=["e2"], budget="100000.00",
        shares={world.epcis["e1"]: Decimal("66666.67"), world.epcis["e2"]: Decimal("33333.33")},
        title="Hydrogène des Forges", phase=Phase.STUDY, status=Status.LATE,
    )  # fmt: skip
    of_e2 = make_project(world, epci="e2", author="agent_e2", visibility=Visibility.EPCI,
                         budget="50000.00", title="Friche Sainte-Barbe",
                         phase=Phase.OPERATION, status=Status.DONE)  # fmt: skip
    private = make_project(world, epci="e1", visibility=Visibility.PRIVATE, budget="7000.10",
                           title="Atlas foncier confidentiel")  # fmt: skip
    entered = dt.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())
    TerritoryProject.objects.update(created_at=entered)
    # Votes and milestones: in the period, before it, after it.
    for day, number in [(dt.date(2026, 9, 14), "DEL-IN"), (dt.date(2026, 5, 4), "DEL-BEFORE")]:
        CouncilVote.objects.create(project=shared, epci=world.epcis["e2"], voted_on=day,
                                   deliberation_number=number,
                                   outcome=VoteOutcome.ADOPTED)  # fmt: skip
    CouncilVote.objects.create(project=shared, epci=world.epcis["e1"],
                               voted_on=dt.date(2026, 10, 1), deliberation_number="DEL-REJ",
                               outcome=VoteOutcome.REJECTED)  # fmt: skip
    CouncilVote.objects.create(project=private, epci=world.epcis["e1"],
                               voted_on=dt.date(2026, 10, 2), deliberation_number="DEL-PRIV",
                               outcome=VoteOutcome.ADOPTED)  # fmt: skip
    Milestone.objects.create(project=shared, title="Étude rendue", due_on=dt.date(2026, 8, 1),
                             done_on=dt.date(2026, 8, 20))  # fmt: skip
    Milestone.objects.create(project=shared, title="Permis déposé", due_on=dt.date(2026, 11, 1))
    Milestone.objects.create(project=of_e2, title="Dépollution finie",
                             due_on=dt.date(2026, 6, 1), done_on=dt.date(2026, 6, 10))  # fmt: skip
    return shared, of_e2, private


def test_the_figures_count_what_the_reader_sees(world, projects):
    figures = indicators.figures(world.territory_a, D2, world.users["manager"])
    assert figures["count"] == 3
    assert figures["open"] == 2  # the done one is closed
    assert figures["by_phase"] == {"idee": 1, "etude": 1, "operation": 1}
    assert figures["by_status"]["en_retard"] == 1
    assert figures["by_status"]["termine"] == 1
    assert figures["by_status"]["en_cours"] == 1
    assert figures["budget"] == "157000.10"
    assert figures["open_budget"] == "107000.10"
    assert figures["milestones_reached"] == 2
    assert figures["milestones_late"] == 1  # « Permis déposé », due 01/11, not reached
    assert figures["votes_adopted"] == 3
    # e2's agent: the shared project and its own, not e1's private one.
    of_e2 = indicators.figures(world.territory_a, D2, world.users["agent_e2"])
    assert (of_e2["count"], of_e2["budget"], of_e2["votes_adopted"]) == (2, "150000.00", 2)
    # A third EPCI of the territory, the partner and territory B: nothing.
    _, agent_e4 = third_epci_agent(world)
    for user in (agent_e4, world.users["partner"], world.users["manager_b"]):
        assert indicators.figures(world.territory_a, D2, user)["count"] == 0
    # The operator sees every project; before they were entered there were none.
    assert indicators.figures(world.territory_a, D2, None)["count"] == 3
    before = indicators.figures(world.territory_a, dt.date(2026, 3, 1), None)
    assert (before["count"], before["budget"]) == (0, "0.00")
    # By a date, only the milestones and votes of that date.
    june = indicators.figures(world.territory_a, dt.date(2026, 6, 30), None)
    assert (june["milestones_reached"], june["votes_adopted"]) == (1, 1)


def test_the_section_counts_the_period_and_the_shares(world, projects):
    section = bilan_section.section(world.territory_a, D2, world.users["manager"], date_from=D1)
    assert section["count"] == 3
    by_phase = {row[0]: row for row in section["by_phase"].rows}
    assert by_phase["Étude"][-1] == 1
    assert section["by_phase"].total[-1] == 3
    shares = {row[0]: row[1:] for row in section["shares"].rows}
    assert shares["CA du Premier"] == [2, 0, Decimal("73666.77")]
    assert shares["CA du Deuxième"] == [1, 1, Decimal("83333.33")]
    assert section["shares"].total == ["Budget total", 3, 1, Decimal("157000.10")]
    assert sum(row[3] for row in section["shares"].rows) == section["shares"].total[-1]
    assert [row[2] for row in section["votes"].rows] == ["DEL-IN", "DEL-PRIV"]
    assert [row[2] for row in section["milestones"].rows] == ["Étude rendue"]
    # Without the bilan's start, the semester the end date closes.
    default = bilan_section.section(world.territory_a, D2, None)
    assert default["date_from"] == D1
    assert bilan_section.section(world.territory_a, dt.date(2026, 3, 1), None) is None


def test_the_bilan_pdf_and_xlsx_show_the_section_as_the_reader_may_see_it(world, projects):
    built = bilan.build(world.territory_a, D1, D2, reader=world.users["agent_e2"])
    text = squash(pdf_text(bilan.render_pdf(built)))
    assert "Projetsdeterritoire" in text
    assert "Budgetdesprojetsetpartdechaque" in text
    assert "HydrogènedesForges" in text
    assert "150000,00€" in text  # e2's agent: the two projects it sees
    assert "Atlasfoncierconfidentiel" not in text
    assert "DEL-PRIV" not in text
    assert "DEL-IN" in text
    buffer = io.BytesIO()
    bilan.write_xlsx(built, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert {"Projets terr. phases", "Projets terr. parts EPCI", "Projets terr. délibérations",
            "Projets terr. jalons", "Projets de territoire"} <= set(book.sheetnames)  # fmt: skip
    values = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
    assert "Hydrogène des Forges" in values
    assert "Atlas foncier confidentiel" not in values
    assert "DEL-PRIV" not in values
    total = list(book["Projets terr. parts EPCI"].iter_rows(values_only=True))[-1]
    assert total[0] == "Budget total"
    assert total[-1] == 150000


def test_the_section_is_left_out_for_whoever_sees_no_project(world, projects):
    for actor in ("partner", "manager_b"):
        built = bilan.build(world.territory_a, D1, D2, reader=world.users[actor])
        assert not any(s.get("template") == bilan_section.TEMPLATE for s in built.extras), actor
        assert "Hydrogène des Forges" not in bilan.render_html(built)
