"""The bilan of a period: its figures (the period's and the end's), the reader's filtering,
the PDF's French formats, the XLSX's typed sheets, the command and the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from pilote.accompaniment.enums import InteractionKind
from pilote.core.enums import Visibility
from pilote.core.spreadsheet import XLSX_CONTENT_TYPE
from pilote.indicators import bilan
from tests.accompaniment.factories import InteractionFactory, meeting_of, site_of, written_by
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.applications.factories import accepted_of, payment_of
from tests.factories import CompanyFactory
from tests.indicators.conftest import backdate

pytestmark = pytest.mark.django_db

D = Decimal
D1, D2 = dt.date(2026, 4, 1), dt.date(2026, 6, 30)


def plain(text: str) -> str:
    """French formats with ordinary spaces (narrow and no-break spaces read as spaces)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def squash(text: str) -> str:
    """Without spaces: a line break in the PDF drops the space it falls on."""
    return "".join(plain(text).split())


@pytest.fixture
def period(world, dossiers):
    """The conftest's applications, a payment, and meetings before and during the period."""
    a1 = dossiers["a1"]
    a1.establishment.company.name = "Forges du Premier"
    a1.establishment.company.save()
    payment_of(a1, "40000.00", paid_on=dt.date(2026, 5, 4))
    payment_of(a1, "10000.00", paid_on=dt.date(2026, 7, 1))  # after the period
    site = a1.establishment
    meeting_of(world, establishment=site, occurred_on=dt.date(2026, 2, 3))  # before
    meeting_of(world, establishment=site, occurred_on=dt.date(2026, 4, 8))
    meeting_of(world, "e2", "agent_e2", occurred_on=dt.date(2026, 5, 12),
               visibility=Visibility.TERRITORY)  # fmt: skip
    InteractionFactory(  # a call: an exchange, not a meeting
        establishment=site_of(world, "e2"), kind=InteractionKind.PHONE,
        occurred_on=dt.date(2026, 6, 2), **written_by(world, "agent_e2"),
    )  # fmt: skip
    backdate()
    return dossiers


def test_the_figures_are_the_periods(world, period):
    built = bilan.build(world.territory_a, D1, D2)
    # Supported applications: a1 accepted 15/04, a2 refused 10/05, a4 filed 01/04 are the
    # period's; a3 (withdrawn 20/03) is before it.
    assert built.end["filed"] == 4
    assert built.period["filed"] == 1
    assert built.end["accepted"] == 1
    assert built.period["accepted"] == 1
    assert built.period["refused"] == 1
    assert built.end["withdrawn"] == 1
    assert built.period["withdrawn"] == 0
    assert built.end["in_review"] == 1
    assert built.start["in_review"] == 2
    assert built.period["amount_granted"] == D("80000.00")
    assert built.end["amount_paid"] == D("40000.00")  # the July payment is after D2
    # The territory's results: a5 (not supported) was accepted on 31/03, before the period:
    # it counts at the end, not in the period's increase.
    assert built.end["t_accepted"] == 2
    assert built.period["t_accepted"] == 1
    assert built.end["t_amount_granted"] == D("120000.00")
    assert built.period["t_amount_granted"] == D("80000.00")
    assert built.period["t_laureate_companies"] == 0  # a1's company was a5's: not new
    assert built.period["t_decided"] == 2  # a1 and a2
    assert built.period["t_acceptance_rate"] == D("0.5")
    # Activity: two meetings in the period, one establishment met for the first time.
    assert built.met_count == 2
    assert built.meetings == 2
    assert built.met_first == 1
    assert built.period["interactions"] == 3
    assert built.end["interactions"] == 4
    assert [row[0] for row in built.accepted.rows] == ["Forges du Premier"]
    assert [row[0] for row in built.largest.rows] == ["Forges du Premier"]
    april = built.monthly.rows[0]
    assert april[0] == "avril 2026"
    assert april[1:3] == [D1, dt.date(2026, 4, 30)]
    columns = [c.title for c in built.monthly.columns]
    assert april[columns.index("Dossiers acceptés")] == 1
    assert len(built.monthly.rows) == 3


def test_the_html_is_in_french_formats(world, period):
    html = plain(bilan.render_html(bilan.build(world.territory_a, D1, D2)))
    assert "du 01/04/2026 au 30/06/2026" in html
    assert "Au 31/03/2026" in html
    assert "80 000,00 €" in html  # granted over the period
    assert "+80 000,00 €" in html
    assert "200 000,45 €" in html  # requested at the end
    assert "50 %" in html  # the acceptance rate
    assert "15/04/2026" in html  # a1's decision
    assert "Forges du Premier" in html
    assert "Document interne" in html
    sections = ("Activité d'accompagnement", "Entreprises rencontrées", "Dossiers de candidature",
                "Faits marquants", "Par EPCI", "Mois par mois")  # fmt: skip
    for section in sections:
        assert section in html


def test_french_formats():
    assert bilan.fr_amount(D("10833.333")) == "10\u202f833,33\xa0€"
    assert bilan.fr_int(1234567) == "1\u202f234\u202f567"
    assert bilan.fr_rate(D("50")) == "50\xa0%"
    assert bilan.fr_rate(D("66.67")) == "66,7\xa0%"
    assert bilan.fr_delta(-2, "integer") == "−2"
    assert bilan.fr_delta(3, "integer") == "+3"
    assert bilan.parse_date("30/11/2026") == bilan.parse_date("2026-11-30") == dt.date(2026, 11, 30)
    assert bilan.last_semester(dt.date(2026, 12, 6)) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert bilan.last_semester(dt.date(2026, 3, 1)) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))


@pytest.fixture
def secret(world):
    """An application of e1, confidential to e1 (visibility `epci`), with a distinctive
    amount and company name."""
    site = site_of(world, "e1", company=CompanyFactory(name="Aciérie Confidentielle"))
    application = accepted_of(
        world, establishment=site, filed_on=dt.date(2026, 4, 2), decided_on=dt.date(2026, 5, 20),
        amount_granted=D("123456.78"), visibility=Visibility.EPCI,
    )  # fmt: skip
    meeting_of(world, establishment=site, occurred_on=dt.date(2026, 4, 9))
    backdate()
    return application


def test_an_epci_agent_never_sees_another_epcis_confidential_follow_up(world, secret):
    for actor, sees in (("manager", True), ("agent_e1", True), ("agent_e2", False),
                        ("partner", False)):  # fmt: skip
        built = bilan.build(world.territory_a, D1, D2, world.users[actor])
        html = plain(bilan.render_html(built))
        assert ("Aciérie Confidentielle" in html) is sees, actor
        assert ("123 456,78 €" in html) is sees, actor
        assert built.period["accepted"] == (1 if sees else 0), actor
        assert built.met_count == (1 if sees else 0), actor


def test_the_command_writes_the_pdf_and_the_xlsx(world, period, tmp_path):
    pdf, xlsx = tmp_path / "bilan.pdf", tmp_path / "bilan.xlsx"
    out = io.StringIO()
    call_command("bilan", "--from", "01/04/2026", "--to", "2026-06-30", "--output", str(pdf),
                 "--xlsx", str(xlsx), "--territory", "ti-a", stdout=out)  # fmt: skip
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    text = squash(pdf_text(content))
    assert "80000,00€" in text
    assert "ForgesduPremier" in text
    assert "Documentinterne" in text
    assert "du01/04/2026au30/06/2026" in text
    assert "Page1/" in text
    assert load_workbook(xlsx).sheetnames[0] == "Activité"


def test_the_command_as_a_reader_and_its_errors(world, secret, tmp_path):
    pdf = tmp_path / "bilan.pdf"
    as_e2 = ("--territory", "ti-a", "--as", "agent_e2@exemple.fr")
    call_command("bilan", "--from", "2026-04-01", "--to", "2026-06-30", "--output", str(pdf),
                 *as_e2, stdout=io.StringIO())  # fmt: skip
    text = squash(pdf_text(pdf.read_bytes()))
    assert "AciérieConfidentielle" not in text
    assert "123456,78" not in text
    with pytest.raises(CommandError, match="Plusieurs territoires"):
        call_command("bilan", "--from", "2026-04-01", "--to", "2026-06-30", "--output", str(pdf))
    with pytest.raises(CommandError, match="précéder"):
        call_command("bilan", "--from", "2026-07-01", "--to", "2026-06-30", "--output", str(pdf),
                     "--territory", "ti-a")  # fmt: skip
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("bilan", "--from", "31/02/2026", "--to", "2026-06-30", "--output", str(pdf),
                     "--territory", "ti-a")  # fmt: skip
    with pytest.raises(CommandError, match="Utilisateur inconnu"):
        call_command("bilan", "--from", "2026-04-01", "--to", "2026-06-30", "--output", str(pdf),
                     "--territory", "ti-a", "--as", "personne@exemple.fr")  # fmt: skip


def test_the_xlsx_sheets_and_typed_cells(world, period, tmp_path):
    path = tmp_path / "bilan.xlsx"
    bilan.write_xlsx(bilan.build(world.territory_a, D1, D2), path)
    book = load_workbook(path)
    assert book.sheetnames == [
        "Activité", "Dossiers accompagnés", "Résultats du territoire", "Entreprises rencontrées",
        "Plus fortes aides", "Dossiers acceptés", "Par EPCI — activité", "Par EPCI — dossiers",
        "Mois par mois",
    ]  # fmt: skip
    accepted = book["Dossiers acceptés"]
    header = [c.value for c in accepted[1]]
    row = dict(zip(header, accepted[2], strict=True))
    assert row["Entreprise"].value == "Forges du Premier"
    assert row["Décidé le"].value == dt.datetime(2026, 4, 15)  # noqa: DTZ001 (Excel has no time zones)
    assert row["Décidé le"].number_format == "dd/mm/yyyy"
    assert row["Montant accordé"].value == 80000
    assert row["Montant accordé"].number_format == '#,##0.00 "€"'
    assert row["Emplois"].value == 10
    pipeline = book["Dossiers accompagnés"]
    header = [c.value for c in pipeline[1]]
    period_row = list(pipeline[4])
    assert period_row[0].value.startswith("Sur la période")
    assert period_row[header.index("Dossiers déposés")].value == 1
    assert period_row[header.index("Montant versé")].value == 40000
    results = book["Résultats du territoire"]
    header = [c.value for c in results[1]]
    assert results[3][header.index("Taux d'acceptation (acceptés ÷ décidés) (%)")].value == 50


def _get(client, name, **params):
    return client.get(reverse(f"indicators:{name}"), params)


def test_the_form_page(world, login):
    response = _get(login(world.users["agent_e1"]), "bilan")
    assert response.status_code == 200
    start, end = bilan.last_semester()
    html = response.content.decode()
    assert f'value="{start:%Y-%m-%d}"' in html
    assert f'value="{end:%Y-%m-%d}"' in html
    assert reverse("indicators:bilan_pdf") in html
    assert reverse("indicators:bilan_xlsx") in html


@pytest.mark.parametrize(
    ("de", "a", "message"),
    [
        ("2026-07-01", "2026-06-30", "La date de début doit précéder la date de fin."),
        ("1999-12-31", "2026-06-30", "postérieures au 01/01/2000"),
        ("2010-01-01", "2026-06-30", "ne peut pas dépasser 10 ans"),
        ("31/02/2026", "2026-06-30", "Date de début invalide"),
    ],
)
def test_bad_dates_are_refused_in_french(world, login, de, a, message):
    client = login(world.users["manager"])
    for name in ("bilan_pdf", "bilan_xlsx", "bilan"):
        response = _get(client, name, de=de, a=a)
        assert response.status_code == (200 if name == "bilan" else 400)
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode(), name


@pytest.mark.parametrize("actor", ["admin", "nobody"])
def test_who_may_not_ask_for_a_bilan(world, login, actor):
    client = login(world.users[actor])
    for name in ("bilan", "bilan_pdf", "bilan_xlsx"):
        assert _get(client, name, de="2026-04-01", a="2026-06-30").status_code == 404


def test_the_pdf_and_xlsx_responses(world, login, secret):
    manager = login(world.users["manager"])
    response = _get(manager, "bilan_pdf", de="01/04/2026", a="30/06/2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "bilan-ti-a-20260401-20260630.pdf" in response["Content-Disposition"]
    assert "123456,78" in squash(pdf_text(response.content))
    response = _get(manager, "bilan_xlsx", de="2026-04-01", a="2026-06-30")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE


def test_an_epci_agents_pages_never_show_another_epcis_confidential_follow_up(world, login, secret):
    agent = login(world.users["agent_e2"])
    response = _get(agent, "bilan_pdf", de="2026-04-01", a="2026-06-30")
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert "AciérieConfidentielle" not in text
    assert "123456,78" not in text
    response = _get(agent, "bilan_xlsx", de="2026-04-01", a="2026-06-30")
    book = load_workbook(io.BytesIO(response.content))
    values = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
    assert "Aciérie Confidentielle" not in values
    assert not any(v.startswith("123456.78") for v in values)
