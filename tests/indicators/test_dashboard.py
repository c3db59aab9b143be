"""The programme's dashboard (/programme/): figures per reader, per EPCI, at a date, month by
month with frozen months, the funnels, French formats, and no leak between EPCIs."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pilote.applications.enums import Status
from pilote.core.enums import Visibility
from pilote.indicators import snapshots
from pilote.indicators.views import bar_class, parse_day, percent, read_params
from tests.applications.factories import accepted_of, application_of, payment_of
from tests.indicators.conftest import backdate

pytestmark = pytest.mark.django_db

URL = "/programme/"
JUNE = "?au=30/06/2026"


def fr(text: str) -> str:
    """« 987 654,32 € » as the page writes it (non-breaking spaces)."""
    return text.replace(" ", "\xa0")


def kpi(html: str, name: str) -> str:
    match = re.search(rf'data-testid="kpi-{name}">([^<]*)<', html)
    assert match, f"kpi-{name} absent"
    return match.group(1)


def epci_row(html: str, siren: str, table: str = "epci-applications") -> list[str]:
    section = html.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<tr data-siren="{siren}">(.*?)</tr>', section, re.S).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


@pytest.fixture
def programme(world):
    """A (e1, « EPCI concerné ») carries the distinctive amount 987 654,32 €; B (e2, EPCI);
    C (e2, shared with partners), D (e1, whole territory)."""
    a = accepted_of(
        world, "e1", "agent_e1", visibility=Visibility.EPCI, filed_on=dt.date(2026, 2, 10),
        decided_on=dt.date(2026, 4, 15), amount_requested=Decimal("987654.32"),
        amount_granted=Decimal("800000.00"), investment=Decimal("2000000.00"), jobs=30,
    )  # fmt: skip
    payment_of(a, "300000.00", dt.date(2026, 5, 10))
    b = accepted_of(
        world, "e2", "agent_e2", visibility=Visibility.EPCI, filed_on=dt.date(2026, 3, 1),
        decided_on=dt.date(2026, 5, 20), amount_requested=Decimal("100000.00"),
        amount_granted=Decimal("50000.00"), investment=Decimal("400000.00"), jobs=4,
    )  # fmt: skip
    payment_of(b, "12345.67", dt.date(2026, 6, 1))
    c = application_of(
        world, "e2", "agent_e2", visibility=Visibility.PARTNERS, status=Status.REVIEW,
        filed_on=dt.date(2026, 4, 1), amount_requested=Decimal("45678.90"),
    )  # fmt: skip
    d = application_of(
        world, "e1", "agent_e1", visibility=Visibility.TERRITORY, status=Status.REFUSED,
        filed_on=dt.date(2026, 1, 10), decided_on=dt.date(2026, 3, 10),
        amount_requested=Decimal("20000.00"),
    )  # fmt: skip
    backdate()
    return {"a": a, "b": b, "c": c, "d": d}


def page(login, world, who: str, query: str = JUNE) -> str:
    response = login(world.users[who]).get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def test_url_name():
    assert reverse("indicators:dashboard") == URL


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/comptes/" in response["Location"]


@pytest.mark.parametrize("who", ["admin", "nobody"])
def test_administrators_and_users_without_membership_get_404(login, world, who):
    assert login(world.users[who]).get(URL).status_code == 404


def test_the_manager_sees_every_application(login, world, programme):
    html = page(login, world, "manager")
    assert kpi(html, "filed") == "4"
    assert kpi(html, "in-review") == "1"
    assert kpi(html, "accepted") == "2"
    assert kpi(html, "requested") == fr("1 153 333,22 €")
    assert kpi(html, "amount-in-review") == fr("45 678,90 €")
    assert kpi(html, "granted") == fr("850 000,00 €")
    assert kpi(html, "paid") == fr("312 345,67 €")
    assert kpi(html, "laureates") == "2"
    assert kpi(html, "rate") == fr("66,7 %")
    assert kpi(html, "investment") == fr("2 400 000,00 €")
    assert kpi(html, "jobs") == "34"
    assert "chiffres au <strong>30/06/2026</strong>" in html


def test_an_epci_agent_counts_only_what_they_see(login, world, programme):
    """agent_e1 does not count B, e2's « EPCI concerné » application."""
    html = page(login, world, "agent_e1")
    assert kpi(html, "filed") == "3"
    assert kpi(html, "accepted") == "1"
    assert kpi(html, "requested") == fr("1 053 333,22 €")
    assert kpi(html, "granted") == fr("800 000,00 €")
    assert kpi(html, "paid") == fr("300 000,00 €")
    assert kpi(html, "rate") == fr("50 %")
    assert fr("12 345,67 €") not in html
    assert "ne comptent que les dossiers" in html


def test_a_partner_counts_only_what_is_shared_with_partners(login, world, programme):
    html = page(login, world, "partner")
    assert kpi(html, "filed") == "1"
    assert kpi(html, "in-review") == "1"
    assert kpi(html, "accepted") == "0"
    assert kpi(html, "requested") == fr("45 678,90 €")
    assert kpi(html, "granted") == fr("0,00 €")
    assert kpi(html, "paid") == fr("0,00 €")
    assert kpi(html, "rate") == "—"


def test_no_leak_of_another_epci_confidential_amount(login, world, programme):
    """987 654,32 € (A, e1 « EPCI concerné ») appears nowhere on e2's agent dashboard: not in
    the key figures, the funnel, the EPCI table, nor the month series and its data tables."""
    for query in ("", JUNE, "?de=2025-01&a=2026-11", "?au=30/04/2026"):
        html = page(login, world, "agent_e2", query)
        for secret in ("987 654,32", "800 000,00", "300 000,00", "1 153 333,22"):
            assert fr(secret) not in html, (query, secret)
    html = page(login, world, "agent_e2")
    assert kpi(html, "requested") == fr("165 678,90 €")
    assert kpi(html, "paid") == fr("12 345,67 €")
    manager = page(login, world, "manager", "?au=31/03/2026")  # only A, B and D filed
    assert kpi(manager, "amount-in-review") == fr("1 087 654,32 €")  # A and B


def test_per_epci_rows(login, world, programme):
    html = page(login, world, "manager")
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    # Columns: filed, in review, accepted, requested, granted, paid.
    assert epci_row(html, e1.siren) == [
        "2", "0", "1", fr("1 007 654,32 €"), fr("800 000,00 €"), fr("300 000,00 €"),
    ]  # fmt: skip
    assert epci_row(html, e2.siren) == [
        "2", "1", "1", fr("145 678,90 €"), fr("50 000,00 €"), fr("12 345,67 €"),
    ]  # fmt: skip
    # Rows by EPCI name: « CA du Deuxième » before « CA du Premier »; no EPCI of territory B.
    assert html.index("CA du Deuxième") < html.index("CA du Premier")
    assert world.epcis["e3"].siren not in html
    # The agent of e2 sees e1's row without A.
    agent = page(login, world, "agent_e2")
    assert epci_row(agent, e1.siren)[:4] == ["1", "0", "0", fr("20 000,00 €")]
    assert len(epci_row(agent, e1.siren, "epci-activity")) == 6


def test_the_as_of_selector_moves_the_figures(login, world, programme):
    html = page(login, world, "manager", "?au=31/03/2026")
    assert kpi(html, "filed") == "3"
    assert kpi(html, "in-review") == "2"
    assert kpi(html, "accepted") == "0"
    assert kpi(html, "requested") == fr("1 107 654,32 €")
    assert kpi(html, "paid") == fr("0,00 €")
    assert kpi(html, "rate") == fr("0 %")
    assert "chiffres au <strong>31/03/2026</strong>" in html
    iso = page(login, world, "manager", "?au=2026-05-15")
    assert kpi(iso, "accepted") == "1"
    assert kpi(iso, "paid") == fr("300 000,00 €")


def test_a_wrong_date_says_so_and_shows_today(login, world, programme):
    html = page(login, world, "manager", "?au=31/02/2026&de=2026-13")
    assert "Date invalide" in html
    assert "Mois invalide" in html
    assert kpi(html, "filed") == "4"


def test_the_funnels(login, world, programme):
    html = page(login, world, "manager")
    files = html.split('data-testid="funnel-dossiers"', 1)[1].split("</figure>", 1)[0]
    assert "Déposés : <strong>4</strong>" in files
    assert "En instruction : <strong>1</strong>" in files
    assert "Acceptés : <strong>2</strong>" in files
    for width in ("pilote-w-100", "pilote-w-25", "pilote-w-50"):  # 4, 1 and 2 of 4
        assert width in files
    money = html.split('data-testid="funnel-montants"', 1)[1].split("</figure>", 1)[0]
    assert f"Demandé : <strong>{fr('1 153 333,22 €')}</strong>" in money
    assert f"Accordé : <strong>{fr('850 000,00 €')}</strong>" in money
    assert f"Versé : <strong>{fr('312 345,67 €')}</strong>" in money
    assert "Données du graphique" in money


def test_the_month_series_marks_frozen_months(login, world, programme):
    snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    html = page(login, world, "manager", "?de=2026-01&a=2026-06")
    assert "Mois par mois, de janvier 2026 à juin 2026" in html
    table = html.split('data-testid="chart-1"', 1)[1].split("</figure>", 1)[0]
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S))
    assert list(rows) == [
        "janvier 2026", "février 2026", "mars 2026", "avril 2026", "mai 2026", "juin 2026",
    ]  # fmt: skip
    assert "figé" in rows["mars 2026"]
    assert all("figé" not in cells for month, cells in rows.items() if month != "mars 2026")
    # Déposés, en instruction, acceptés at each month's end.
    assert re.findall(r">(\d+)</td>", rows["mars 2026"]) == ["3", "2", "0"]
    assert re.findall(r">(\d+)</td>", rows["juin 2026"]) == ["4", "1", "2"]
    assert "pilote-chart__col--frozen" in table
    assert "peuvent différer du chiffre figé" in html
    money = html.split('data-testid="chart-2"', 1)[1].split("</figure>", 1)[0]
    assert fr("312 345,67 €") in money  # « versé » at the end of June


def test_without_frozen_month_the_page_says_so(login, world, programme):
    html = page(login, world, "manager", "?de=2026-01&a=2026-06")
    assert "Aucun mois de la période n'est figé" in html
    assert "pilote-chart__col--frozen" not in html


def test_default_period_is_the_last_24_months(login, world, programme):
    html = page(login, world, "manager", "")
    table = html.split('data-testid="chart-1"', 1)[1].split("</figure>", 1)[0]
    assert len(re.findall(r'<tr><th scope="row">', table)) == 24
    assert "en cours" in table


def test_empty_state_explains_how_to_start(login, world):
    html = page(login, world, "manager", "")
    assert "Aucun dossier de candidature pour l'instant" in html
    assert reverse("applications:import") in html
    assert reverse("applications:create") in html
    partner = page(login, world, "partner", "")
    assert "Aucun dossier de candidature pour l'instant" in partner
    assert reverse("applications:import") not in partner


def test_menu_and_home_link(login, world, programme):
    html = page(login, world, "manager", "")
    assert "Tableau de bord du programme</a>" in html
    assert reverse("indicators:bilan") in html
    home = login(world.users["manager"]).get("/").content.decode()
    assert f'href="{URL}"' in home
    admin_home = login(world.users["admin"]).get("/").content.decode()
    assert f'href="{URL}"' not in admin_home


def test_helpers():
    assert percent(Decimal("0.5000")) == "50\xa0%"
    assert percent(Decimal("0.6667")) == "66,7\xa0%"
    assert percent(None) == "—"
    assert parse_day("30/11/2026") == parse_day("2026-11-30") == dt.date(2026, 11, 30)
    with pytest.raises(ValueError, match="Date invalide"):
        parse_day("2026/11/30")
    assert bar_class(0, 10) == 0
    assert bar_class(1, 1000) == 2
    assert bar_class(10, 10) == 100
    params = read_params({"de": "2026-06", "a": "2026-01"}, dt.date(2026, 12, 6))
    assert (params.first, params.last) == (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    assert params.errors
    long = read_params({"de": "2000-01"}, dt.date(2026, 12, 6))
    assert long.first == dt.date(2017, 1, 1)
