"""The budget follow-up (forecast vs actual per nature and per financer) on the demo's
agreement, and its section of the bilan."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pilote.agreement import bilan_section, followup, funds, services
from pilote.agreement.enums import Basis, Rule
from pilote.agreement.models import Year
from pilote.indicators import bilan
from tests.agreement.factories import agreement_of, call_of

D = Decimal


def test_compare_is_exact_and_says_where_the_actual_comes_from():
    rule = funds.compute("100.00", {"CCI": "40.00"}, [("2", "B", "25.00"), ("1", "A", "25.00")])
    financers = [
        followup.Financer("CCI", "", Rule.FIXED, D("40.00")),
        followup.Financer("A", "1", Rule.SHARE, D("25.00")),
        followup.Financer("B", "2", Rule.SHARE, D("25.00")),
    ]
    result = followup.compare(forecast={"fournitures": D("90")}, actual={"fournitures": D("100")},
                              financers=financers, actual_rule=rule)  # fmt: skip
    assert result.source == followup.RULE
    assert [(r.label, r.forecast, r.actual) for r in result.financers] == [
        ("CCI", D("40.00"), D("40.00")), ("A", D("25.00"), D("25.00")),
        ("B", D("25.00"), D("25.00")),
    ]  # fmt: skip
    assert result.uncovered == D("10.00")  # 60 to share, two shares capped at 25
    assert (result.expenses.forecast, result.expenses.actual) == (D("90.00"), D("100.00"))
    issued = followup.compare(forecast={}, actual={}, financers=financers, actual_rule=rule,
                              issued={"1": D("24.00")})  # fmt: skip
    assert issued.source == followup.CALLS
    assert [r.actual for r in issued.financers] == [D("40.00"), D("24.00"), D("0.00")]


def test_the_demo_year_1(hdc):
    year = Year.objects.get(number=1)
    result = followup.for_year(year)
    assert (result.expenses.forecast, result.expenses.actual) == (D("97865.00"), D("96210.00"))
    assert result.resources.forecast == D("97865.00")
    by_label = {r.label: r for r in result.financers}
    assert by_label["État (FNADT)"].actual == D("40000.00")
    assert by_label["CCI Grand Hainaut"].actual == D("9865.00")
    shares = sorted(r.actual for r in result.financers if r.rule == Rule.SHARE.label)
    assert shares == [D("7724.16")] * 2 + [D("7724.17")] * 4
    assert result.source == followup.RULE
    assert result.resources.actual == result.expenses.actual  # nothing uncovered
    salaries = next(r for r in result.natures if r.label == "Salaires et charges")
    assert (salaries.forecast, salaries.actual, salaries.difference) == (
        D("85365.00"), D("84210.00"), D("-1155.00"),
    )  # fmt: skip

    services.calls_issue(acting_user=None, year=year, basis=Basis.ACTUAL,
                         issued_on=dt.date(2023, 10, 2))  # fmt: skip
    issued = followup.for_year(year)
    assert issued.source == followup.CALLS
    assert [r.actual for r in issued.financers] == [r.actual for r in result.financers]


def test_the_demo_year_2_shows_what_the_caps_leave(hdc):
    result = followup.for_year(Year.objects.get(number=2))
    assert result.uncovered == D("1275.02")
    assert result.resources.actual + result.uncovered == result.expenses.actual


def test_the_bilan_section_for_the_readers_of_the_agreement_only(world):
    call = call_of(world.epcis["e2"], world.territory_a)  # in its own agreement
    agreement = call.year.agreement
    today = timezone.localdate()
    for actor in ("partner", "admin", "manager_b", "nobody"):
        assert bilan_section.section(world.territory_a, today, world.users[actor]) is None
    for actor in ("manager", "agent_e1", None):
        reader = world.users[actor] if actor else None
        section = bilan_section.section(world.territory_a, today, reader)
        assert section["agreement"] == agreement
        assert [y["year"].number for y in section["years"]] == [1]
    built = bilan.build(world.territory_a, today - dt.timedelta(days=30), today,
                        reader=world.users["agent_e1"])  # fmt: skip
    html = bilan.render_html(built)
    assert "Convention de partenariat : suivi budgétaire" in html
    assert "Année 1 — ressources par financeur" in html
    assert call.number not in html  # aggregates, never another EPCI's call
    assert any(t.sheet == "Convention A1 ressources" for t in built.tables)
    partner = bilan.build(world.territory_a, today - dt.timedelta(days=30), today,
                          reader=world.users["partner"])  # fmt: skip
    assert "Convention de partenariat" not in bilan.render_html(partner)


def test_the_bilan_pdf_with_the_section(world, login):
    agreement_of(world.territory_a, epcis=[world.epcis["e1"]])
    today = timezone.localdate()
    response = login(world.users["manager"]).get(
        f"/programme/bilan.pdf?de={today - dt.timedelta(days=30)}&a={today}"
    )
    assert response.status_code == 200
    from tests.accompaniment.leak_cases_followup import pdf_text

    assert "suivi budgétaire" in pdf_text(response.content)
