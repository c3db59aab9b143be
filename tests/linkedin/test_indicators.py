"""LinkedIn in the programme dashboard and in the bilan (PDF's HTML and XLSX)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from pilote.indicators import bilan
from pilote.linkedin.imports import import_export
from tests.linkedin.exports import content_xlsx, followers_xlsx

pytestmark = pytest.mark.django_db

D = dt.date(2026, 4, 1)


@pytest.fixture
def page(world):
    """The page from 01/04/2026: 1 000 followers on 31/03 (a cumulative export), then 50 new
    followers a day in April; 1 200 impressions a day; three posts, one before April."""
    territory = world.territory_a
    before = "Date;Abonnés organiques;Nombre d'abonnés\n31/03/2026;0;1000\n".encode()
    import_export(io.BytesIO(before), filename="a.csv", territory=territory, wet_run=True)
    days = [(D + dt.timedelta(days=i), 50, 0) for i in range(30)]
    import_export(io.BytesIO(followers_xlsx(days)), filename="f.xlsx", territory=territory,
                  wet_run=True)  # fmt: skip
    posts = [
        {"title": "Forum de l'industrie à Douai", "date": dt.date(2026, 4, 10),
         "link": "https://www.linkedin.com/feed/update/urn:li:activity:1/",
         "impressions": 12345, "clicks": 300, "likes": 200, "comments": 20},
        {"title": "Ancienne publication de mars", "date": dt.date(2026, 3, 10),
         "impressions": 99999, "clicks": 999, "likes": 999, "comments": 99},
        {"title": "Appel à projets décarbonation", "date": dt.date(2026, 4, 20),
         "impressions": 800, "clicks": 10, "likes": 12, "comments": 1},
    ]  # fmt: skip
    content = [(D + dt.timedelta(days=i), 1200, 20) for i in range(30)]
    import_export(io.BytesIO(content_xlsx(content, posts)), filename="c.xlsx",
                  territory=territory, wet_run=True)  # fmt: skip
    return territory


def test_the_dashboard_shows_the_linkedin_figures(world, login, page):
    html = login(world.users["agent_e1"]).get("/programme/", {"au": "30/04/2026"})
    html = html.content.decode()
    section = html.split('data-testid="dash-linkedin"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="kpi-linkedin-followers">2\xa0500<' in section  # French thousands
    assert 'data-testid="kpi-linkedin-gained">1\xa0500<' in section
    assert 'data-testid="kpi-linkedin-impressions">36\xa0000<' in section
    top = section.split('data-testid="dash-linkedin-top"', 1)[1]
    # the 90 days before 30/04/2026, by interactions
    assert top.index("Ancienne publication") < top.index("Forum de l&#x27;industrie à Douai")
    assert "10/04/2026" in top
    assert 'data-testid="chart-linkedin-1"' in section
    assert "avril 2026" in section


def test_the_dashboard_without_linkedin(world, login):
    html = login(world.users["manager"]).get("/programme/").content.decode()
    assert 'data-testid="dash-linkedin"' not in html
    assert 'data-testid="dash-linkedin-none"' in html
    html = login(world.users["partner"]).get("/programme/").content.decode()
    assert "dash-linkedin" not in html


def plain(html: str) -> str:
    return html.replace("\u202f", " ").replace("\xa0", " ")


def test_the_bilan_has_a_linkedin_section(world, page):
    built = bilan.build(world.territory_a, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    html = plain(bilan.render_html(built))
    section = html.split('<h2 class="new-page">LinkedIn</h2>', 1)[1]
    assert (
        '<td>Abonnés de la page</td><td class="num">1 000</td><td class="num">2 500</td>'
        '<td class="num period">+1 500</td>' in section
    )
    assert (
        '<td>Impressions des publications</td><td class="num">0</td>'
        '<td class="num">36 000</td><td class="num period">+36 000</td>' in section
    )
    top = section.split("Les 5 publications", 1)[1]
    assert top.index("Forum de l&#x27;industrie à Douai") < top.index("Appel à projets")
    assert "Ancienne publication" not in top  # published before the period
    assert "10/04/2026" in top
    assert "12 345" in top
    assert "avril 2026" in section


def test_the_bilan_xlsx_has_the_linkedin_sheets(world, page, tmp_path):
    path = tmp_path / "bilan.xlsx"
    bilan.write_xlsx(bilan.build(world.territory_a, dt.date(2026, 4, 1),
                                 dt.date(2026, 4, 30)), path)  # fmt: skip
    book = load_workbook(path)
    assert book.sheetnames[-2:] == ["LinkedIn — mois par mois", "LinkedIn — publications"]
    months = book["LinkedIn — mois par mois"]
    header = [c.value for c in months[1]]
    april = dict(zip(header, [c.value for c in months[2]], strict=True))
    assert (
        april["Mois"],
        april["Abonnés en fin de mois"],
        april["Nouveaux abonnés"],
        april["Impressions"],
        april["Clics"],
    ) == ("avril 2026", 2500, 1500, 36000, 600)
    posts = book["LinkedIn — publications"]
    assert [c.value for c in posts[2]][:3] == [
        "Forum de l'industrie à Douai",
        dt.datetime(2026, 4, 10),  # noqa: DTZ001 (Excel has no time zones)
        12345,
    ]
    assert posts.max_row == 3


def test_no_linkedin_section_without_data(world):
    built = bilan.build(world.territory_a, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert built.linkedin is None
    assert "LinkedIn" not in bilan.render_html(built)
    assert not any(t.sheet.startswith("LinkedIn") for t in built.tables)


def test_the_indicators_command_gives_the_linkedin_key(world, page):
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-04-30", "--json", "--territory", "ti-a",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["linkedin"] == {"followers": 2500,
                                                      "impressions_90_days": 36000}  # fmt: skip
    out = io.StringIO()
    call_command("indicators", "--json", "--territory", "ti-b", stdout=out)
    assert "linkedin" not in json.loads(out.getvalue())
