"""The directory's XLSX export as people expect it: real dates and numbers, a frozen, filtered
and bold header, fitted widths, and the reader's prospecting score and follow-up state —
never follow-up they may not see."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from pilote.companies import directory, exports
from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.scoring import annotate_score
from tests.factories import CompanyFactory, EstablishmentFactory, NoteFactory
from tests.prospecting.factories import TargetFactory, campaign_of


@pytest.fixture
def sites(world):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    return {
        "forge": EstablishmentFactory(
            epci=e1, company=CompanyFactory(name="Forges de l'Escaut"), naf_code="24.10Z",
            created_on=dt.date(1998, 5, 14),
        ),
        "rail": EstablishmentFactory(
            epci=e2, company=CompanyFactory(name="Rail Composants"), naf_code="30.20Z",
            created_on=None, headcount_band="32",
        ),
    }  # fmt: skip


def export(world, actor: str, filters: dict | None = None):
    """The directory export of `actor`, as the view builds it, re-read with openpyxl."""
    user = world.users[actor]
    filters = {**directory.DEFAULTS, "state": "all", **(filters or {})}
    qs = directory.establishments(world.territory_a, user, filters)
    data = exports.rows(directory.with_display(qs), user=user, territory=world.territory_a)
    response = exports.xlsx_response("annuaire-etablissements", data)
    return load_workbook(io.BytesIO(response.content)).active


def by_name(sheet) -> dict[str, dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_xlsx_export_is_formatted(world, sites, login):
    response = login(world.users["manager"]).get("/entreprises/export.xlsx?state=all")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = next(sheet.iter_rows(max_row=1))
    titles = [cell.value for cell in header]
    assert titles[:3] == ["SIRET", "Nom", "Entreprise"]
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    last = header[-1].column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    assert sheet.max_row == 3  # the header and the two establishments
    for letter in (cell.column_letter for cell in header):
        assert 6 <= sheet.column_dimensions[letter].width <= 60
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    created = rows["Forges de l'Escaut"][titles.index("Création")]
    assert created.is_date
    assert created.value.date() == dt.date(1998, 5, 14)
    assert created.number_format == "dd/mm/yyyy"
    assert rows["Rail Composants"][titles.index("Création")].value is None
    # Identifiers stay text (leading zeros, no thousands separator).
    siret = rows["Forges de l'Escaut"][0]
    assert siret.data_type == "s"
    assert siret.value == sites["forge"].siret


def test_the_export_holds_the_score_and_follow_up_of_the_reader(world, sites):
    sheet = export(world, "agent_e1")
    titles = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert titles[-2:] == ["Score de prospection", "Suivi"]
    scores = dict(
        annotate_score(
            directory.establishments(world.territory_a, world.users["agent_e1"], {"state": "all"}),
            territory=world.territory_a,
            user=world.users["agent_e1"],
        ).values_list("siret", "score")
    )
    for row in sheet.iter_rows(min_row=2):
        score = row[titles.index("Score de prospection")]
        assert score.data_type == "n"
        assert score.value == scores[row[0].value]
        assert row[titles.index("Suivi")].value == "jamais rencontré"


def test_follow_up_the_reader_may_not_see_changes_nothing_in_their_export(world, sites):
    before = by_name(export(world, "agent_e2"))
    # Agglo 1's confidential follow-up of the forge: a note and a met target.
    NoteFactory(
        epci=world.epcis["e1"],
        establishment=sites["forge"],
        visibility=Visibility.EPCI,
        author_organisation=world.orgs["o1"],
    )
    campaign = campaign_of(world, "e1", "agent_e1", visibility=Visibility.EPCI)
    TargetFactory(campaign=campaign, establishment=sites["forge"], status=TargetStatus.MET)

    seen = by_name(export(world, "agent_e1"))["Forges de l'Escaut"]
    assert seen["Suivi"] == "suivi"
    unseen = by_name(export(world, "agent_e2"))
    assert unseen == before
    assert unseen["Forges de l'Escaut"]["Suivi"] == "jamais rencontré"
    # Met recently, for agent_e1 only: the « jamais rencontré » points are gone.
    assert seen["Score de prospection"] < unseen["Forges de l'Escaut"]["Score de prospection"]


def test_the_export_keeps_the_lists_order_and_filters(world, sites):
    campaign = campaign_of(world, "e1", "agent_e1", visibility=Visibility.EPCI)
    TargetFactory(campaign=campaign, establishment=sites["rail"], status=TargetStatus.MET)
    EstablishmentFactory(  # first by name, second by score (35 points, Rail met: 30)
        epci=world.epcis["e1"], company=CompanyFactory(name="Atelier Petit"),
        headcount_band="01", is_head_office=False,
    )  # fmt: skip

    def names(filters):
        return [
            row[1]
            for row in export(world, "agent_e1", filters).iter_rows(min_row=2, values_only=True)
        ]

    assert names({}) == ["Atelier Petit", "Forges de l'Escaut", "Rail Composants"]
    assert names({"sort": "-score"}) == ["Forges de l'Escaut", "Atelier Petit", "Rail Composants"]
    followed = by_name(export(world, "agent_e1", {"followed": "followed"}))
    assert list(followed) == ["Rail Composants"]
    assert followed["Rail Composants"]["Suivi"] == "suivi"


def test_the_view_exports_the_readers_score_and_follow_up(world, sites, login):
    NoteFactory(
        epci=world.epcis["e1"],
        establishment=sites["forge"],
        visibility=Visibility.EPCI,
        author_organisation=world.orgs["o1"],
    )

    def exported(actor):
        response = login(world.users[actor]).get("/entreprises/export.xlsx?state=all")
        return by_name(load_workbook(io.BytesIO(response.content)).active)

    assert exported("agent_e1")["Forges de l'Escaut"]["Suivi"] == "suivi"
    assert exported("agent_e2")["Forges de l'Escaut"]["Suivi"] == "jamais rencontré"
    assert isinstance(exported("manager")["Forges de l'Escaut"]["Score de prospection"], int)
