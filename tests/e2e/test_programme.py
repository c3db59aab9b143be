"""The programme's dashboard in a real browser: at 1280×800 nothing scrolls sideways, every
chart has its data table, the DSFR charts (static/vendor/dsfr-chart) draw, their tooltips show
on hover, and the page raises no CSP violation nor console error — hovering included: the
vendored bundle is patched so that its tooltips write no style attribute."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pilote.core.enums import Visibility
from pilote.indicators import snapshots
from tests.accompaniment.factories import meeting_of
from tests.applications.factories import accepted_of, application_of, payment_of
from tests.e2e.test_layout import OVERFLOW_JS
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where to hover to hit a chart element: the centre of the rightmost 5×5 block of coloured
# pixels on the canvas (a line chart's point or a bar; a 2 px line, the grey axes and the text
# never fill one), in CSS pixels from the canvas' top left corner; null if there is none.
# Rightmost: the last months have non-zero values, which the unpatched tooltips did show.
FIND_MARK_JS = """(canvas) => {
  const { width, height } = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const coloured = (x, y) => {
    const i = (y * width + x) * 4;
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    return a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60;
  };
  for (let x = width - 3; x >= 2; x -= 1) {
    for (let y = 2; y < height - 2; y += 1) {
      let full = true;
      for (let dx = -2; dx <= 2 && full; dx += 1)
        for (let dy = -2; dy <= 2 && full; dy += 1) full = coloured(x + dx, y + dy);
      if (full) {
        const scale = canvas.width / canvas.clientWidth;
        return { x: x / scale, y: y / scale };
      }
    }
  }
  return null;
}"""


def test_the_dashboard_fits_and_shows_its_data_tables(page, context, login_as, browser_errors):
    world = build_world()
    first = accepted_of(
        world, "e1", "agent_e1", visibility=Visibility.TERRITORY, filed_on=dt.date(2026, 2, 10),
        decided_on=dt.date(2026, 4, 15), amount_requested=Decimal("123456789.00"),
        amount_granted=Decimal("98765432.10"),
    )  # fmt: skip
    payment_of(first, "12345678.90", dt.date(2026, 5, 10))
    application_of(world, "e2", "agent_e2", filed_on=dt.date(2026, 3, 1))
    snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    # `browser_errors` listens to the `context` fixture: its page, resized (a context of
    # `new_context` would go unheard).
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(context, world.users["manager"])

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


def test_the_charts_draw_and_their_tooltips_raise_no_csp_error(
    page, context, login_as, browser_errors
):
    world = build_world()
    first = accepted_of(
        world, "e1", "agent_e1", visibility=Visibility.TERRITORY, filed_on=dt.date(2026, 2, 10),
        decided_on=dt.date(2026, 4, 15), amount_requested=Decimal("123456789.00"),
        amount_granted=Decimal("98765432.10"),
    )  # fmt: skip
    payment_of(first, "12345678.90", dt.date(2026, 5, 10))
    application_of(world, "e2", "agent_e2", filed_on=dt.date(2026, 3, 1))
    for day in (dt.date(2026, 2, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 20)):
        meeting_of(world, "e1", "manager", visibility=Visibility.TERRITORY, occurred_on=day)
    snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    # `browser_errors` listens to the `context` fixture: its page, resized (a context of
    # `new_context` would go unheard).
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(context, world.users["manager"])
    page.goto("/programme/?de=2026-01&a=2026-06")
    page.wait_for_load_state("networkidle")

    expected = {1: "line-chart", 2: "line-chart", 3: "bar-chart"}
    for n, tag in expected.items():
        chart = page.locator(f'[data-testid="chart-{n}"]')
        plot = chart.locator(".pilote-chart__plot")
        expect(plot).to_have_attribute("role", "img")
        expect(plot).to_have_attribute("aria-label", re.compile(r"Données du graphique"))
        canvas = chart.locator(f"{tag} canvas")
        expect(canvas).to_have_count(1)
        expect(canvas).to_be_visible()
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        assert box["width"] > 600, (n, box)
        # The component's legend names the series, in French.
        expect(chart.locator(".chart_legend")).to_contain_text(
            {1: "Déposés", 2: "Versé", 3: "Échanges"}[n]
        )
        # Hover: across the plot, then on a point or a bar, so that the tooltip shows.
        page.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2)
        page.mouse.move(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2, steps=25)
        mark = canvas.evaluate(FIND_MARK_JS)
        assert mark is not None, f"chart-{n}: nothing drawn"
        page.mouse.move(box["x"] + mark["x"], box["y"] + mark["y"], steps=5)
        tooltip = chart.locator(".tooltip")
        expect(tooltip).to_have_css("opacity", "1")
        expect(tooltip.locator(".tooltip_header")).to_contain_text("2026")
        if n == 2:
            expect(tooltip.locator(".tooltip_value")).to_contain_text("€")
        # The data table is still there.
        chart.get_by_text("Données du graphique").click()
        expect(chart.locator("details table tbody tr")).to_have_count(6)
        # The unpatched bundle fails here: a style-src-attr violation and its console error.
        browser_errors.assert_none()
        # The patched tooltip's colour dots: the colour in data-color, set through the CSSOM.
        dot = tooltip.locator(".tooltip_dot").first
        expect(dot).to_have_attribute("data-color", re.compile(r"^#[0-9A-Fa-f]{6}$"))
        assert dot.evaluate("(d) => d.style.backgroundColor") != ""
        page.mouse.move(0, 0)

    expect(page.locator('[data-testid="chart-1"]')).to_contain_text("Mois figé : mars 2026")
    found = page.evaluate(OVERFLOW_JS)
    assert found["page"]["scroll"] <= found["page"]["inner"], found
    assert found["tables"] == [], found
    browser_errors.assert_none()
