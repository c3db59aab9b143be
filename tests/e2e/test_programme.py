"""The programme's dashboard in a real browser: at 1280×800 nothing scrolls sideways, every
chart has its data table, and the page raises no CSP violation nor console error."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pilote.core.enums import Visibility
from pilote.indicators import snapshots
from tests.applications.factories import accepted_of, application_of, payment_of
from tests.e2e.test_layout import OVERFLOW_JS
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_fits_and_shows_its_data_tables(new_context, login_as, browser_errors):
    world = build_world()
    first = accepted_of(
        world, "e1", "agent_e1", visibility=Visibility.TERRITORY, filed_on=dt.date(2026, 2, 10),
        decided_on=dt.date(2026, 4, 15), amount_requested=Decimal("123456789.00"),
        amount_granted=Decimal("98765432.10"),
    )  # fmt: skip
    payment_of(first, "12345678.90", dt.date(2026, 5, 10))
    application_of(world, "e2", "agent_e2", filed_on=dt.date(2026, 3, 1))
    snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    context = new_context(viewport={"width": 1280, "height": 800})
    login_as(context, world.users["manager"])
    page = context.new_page()

    for query in ("", "?de=2017-01&a=2026-11", "?au=30/04/2026&de=2026-01&a=2026-06"):
        response = page.goto(f"/programme/{query}")
        assert response is not None
        assert response.ok
        page.wait_for_load_state("networkidle")
        found = page.evaluate(OVERFLOW_JS)
        assert found["page"]["scroll"] <= found["page"]["inner"], (query, found)
        assert found["tables"] == [], (query, found)

    expect(page.get_by_role("heading", name="Tableau de bord du programme")).to_be_visible()
    charts = page.locator("figure.pilote-chart")
    expect(charts).to_have_count(5)  # two funnels, three month-by-month charts
    for i in range(5):
        chart = charts.nth(i)
        chart.get_by_text("Données du graphique").click()
        expect(chart.locator("details table")).to_be_visible()
    expect(page.locator('[data-testid="chart-1"] .fr-badge', has_text="figé")).to_have_count(1)
    # Opened tables still fit.
    found = page.evaluate(OVERFLOW_JS)
    assert found["page"]["scroll"] <= found["page"]["inner"]
    # The menu leads there.
    page.goto("/")
    page.get_by_role("button", name="Programme").click()
    page.locator("#menu-programme").get_by_role("link", name="Tableau de bord du programme").click()
    page.wait_for_url("**/programme/")
    browser_errors.assert_none()
