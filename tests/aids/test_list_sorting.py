"""Sortable headers and numbered pagination of the EPCIs informed (`/dispositifs/envois/`)
and of the calendar's sections (`/dispositifs/calendrier/`): `?tri=` whitelisted, `aria-sort`
on the active header, the filters kept from page to page, what each role sees unchanged."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.aids.models import Dispatch
from pilote.core.enums import Visibility
from tests.aids.factories import AidSchemeFactory, CallWindowFactory

pytestmark = pytest.mark.django_db

DISPATCHES = reverse("aids:dispatches")
CALENDAR = reverse("aids:calendar")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def dispatch(world, *, epci="e1", title="Appel", visibility=Visibility.TERRITORY, ago=0):
    membership = world.memberships["manager"]
    sent = Dispatch.objects.create(
        scheme=AidSchemeFactory(title=title),
        territory=world.territory_a,
        epci=world.epcis[epci],
        visibility=visibility,
        author=membership.user,
        author_organisation=membership.organisation,
        message=f"Message {title}",
        recipients=["agent@exemple.fr"],
    )
    Dispatch.objects.filter(pk=sent.pk).update(created_at=timezone.now() - dt.timedelta(days=ago))
    return sent


def titles(response) -> list[str]:
    return [d.scheme.title for d in response.context["page"]]


def aria_sort(html: str, label: str) -> str | None:
    """The aria-sort of the header whose link reads `label` (None: not sorted on)."""
    for th in re.findall(r"<th [^>]*>.*?</th>", html, flags=re.S):
        if f">{label}<span" in th:
            found = re.search(r'aria-sort="(\w+)"', th)
            return found.group(1) if found else None
    raise AssertionError(f"no sortable header {label!r}")


# --- /dispositifs/envois/ ---------------------------------------------------------------------


def test_dispatches_open_latest_first_and_sort_both_ways(world, login):
    dispatch(world, title="Bravo", ago=1)
    dispatch(world, title="Alpha", epci="e2", ago=5)
    dispatch(world, title="Charlie", ago=3)
    client = login(world.users["manager"])

    response = client.get(DISPATCHES)
    assert titles(response) == ["Bravo", "Charlie", "Alpha"]
    html = response.content.decode()
    assert aria_sort(html, "Date") == "descending"
    assert aria_sort(html, "Dispositif") is None

    response = client.get(DISPATCHES + "?tri=dispositif")
    assert titles(response) == ["Alpha", "Bravo", "Charlie"]
    html = response.content.decode()
    assert aria_sort(html, "Dispositif") == "ascending"
    assert 'href="?tri=-dispositif"' in html  # the next click sorts the other way
    assert titles(client.get(DISPATCHES + "?tri=-dispositif")) == ["Charlie", "Bravo", "Alpha"]
    assert titles(client.get(DISPATCHES + "?tri=date")) == ["Alpha", "Charlie", "Bravo"]
    # ties (same EPCI) broken by the primary key, the other way too
    assert titles(client.get(DISPATCHES + "?tri=-epci")) == ["Charlie", "Bravo", "Alpha"]
    assert titles(client.get(DISPATCHES + "?tri=epci")) == ["Alpha", "Bravo", "Charlie"]


def test_an_unknown_sort_on_dispatches_is_ignored(world, login):
    dispatch(world, title="Bravo", ago=1)
    dispatch(world, title="Alpha", ago=5)
    client = login(world.users["manager"])
    for forged in ("message", "-author__password", "scheme__title", "-"):
        response = client.get(DISPATCHES, {"tri": forged})
        assert response.status_code == 200
        assert titles(response) == ["Bravo", "Alpha"]
        assert aria_sort(response.content.decode(), "Date") == "descending"


def test_dispatches_are_paginated_with_numbered_pages_keeping_the_sort(world, login):
    for n in range(30):
        dispatch(world, title=f"Appel {n:02d}", ago=n)
    client = login(world.users["manager"])
    html = client.get(DISPATCHES + "?tri=dispositif").content.decode()
    assert 'class="fr-pagination' in html
    assert 'href="?tri=dispositif&amp;page=2"' in html
    response = client.get(DISPATCHES + "?tri=dispositif&page=2")
    assert titles(response) == [f"Appel {n:02d}" for n in range(25, 30)]
    assert 'aria-current="page" title="Page 2"' in response.content.decode()
    # the list no longer stops at the last 200: every page is reachable
    assert response.context["page"].paginator.count == 30


def test_dispatches_show_each_role_what_it_showed_before(world, login):
    """EPCI-visible dispatches of e1: its agent and the TI manager; not e2's agent, not
    territory B — whatever the sort or the page asked."""
    for n in range(27):
        dispatch(world, title=f"Envoi e1 {n:02d}", visibility=Visibility.EPCI)
    for user, count in (("manager", 27), ("agent_e1", 27), ("agent_e2", 0), ("manager_b", 0)):
        client = login(world.users[user])
        for query in ("", "?tri=-epci", "?tri=par&page=2"):
            response = client.get(DISPATCHES + query)
            assert response.context["page"].paginator.count == count, (user, query)
            if not count:
                assert "Envoi e1" not in response.content.decode()


# --- /dispositifs/calendrier/ -----------------------------------------------------------------


@pytest.fixture
def open_calls():
    """Three open calls closing beyond 30 days, out of alphabetical order."""
    for title, closes, carrier in (
        ("Bêta", 60, "Région"),
        ("Alpha", 90, "ADEME"),
        ("Gamma", 45, "Bpifrance"),
    ):
        scheme = AidSchemeFactory(title=title, carriers=[{"nom": carrier}], themes=["innovation"])
        CallWindowFactory(scheme=scheme, opens_on=days(-10), closes_on=days(closes))


def section(response, key: str) -> list[str]:
    found = next(s for s in response.context["sections"] if s["key"] == key)
    return [e.scheme.title for e in found["page"]]


def test_calendar_sections_open_in_their_own_order_and_sort_both_ways(world, login, open_calls):
    client = login(world.users["partner"])
    response = client.get(CALENDAR)
    assert section(response, "open") == ["Gamma", "Bêta", "Alpha"]  # closing soonest first
    assert aria_sort(response.content.decode(), "Clôture") == "ascending"

    response = client.get(CALENDAR + "?tri=dispositif")
    assert section(response, "open") == ["Alpha", "Bêta", "Gamma"]  # accents folded
    html = response.content.decode()
    assert aria_sort(html, "Dispositif") == "ascending"
    assert aria_sort(html, "Clôture") is None
    assert 'href="?tri=-dispositif"' in html
    assert section(client.get(CALENDAR + "?tri=-dispositif"), "open") == ["Gamma", "Bêta", "Alpha"]
    assert section(client.get(CALENDAR + "?tri=-cloture"), "open") == ["Alpha", "Bêta", "Gamma"]
    assert section(client.get(CALENDAR + "?tri=porteurs"), "open") == ["Alpha", "Gamma", "Bêta"]
    # the context's agenda follows the sort (the page's sections are built from it)
    assert [
        e.scheme.title for e in client.get(CALENDAR + "?tri=dispositif").context["agenda"].open
    ] == [
        "Alpha",
        "Bêta",
        "Gamma",
    ]


def test_the_past_section_keeps_latest_first_and_an_unknown_sort_is_ignored(world, login):
    for title, closed in (("Ancien", -200), ("Récent", -5), ("Moyen", -60)):
        CallWindowFactory(
            scheme=AidSchemeFactory(title=title), opens_on=days(closed - 30), closes_on=days(closed)
        )
    client = login(world.users["agent_e1"])
    for query in ("", "?tri=themes", "?tri=scheme__title", "?tri=-window"):
        response = client.get(CALENDAR + query)
        assert response.status_code == 200
        assert section(response, "past") == ["Récent", "Moyen", "Ancien"], query
    assert section(client.get(CALENDAR + "?tri=cloture"), "past") == ["Ancien", "Moyen", "Récent"]


def test_calendar_sections_are_paginated_on_their_own_keeping_the_filters(world, login):
    for n in range(30):
        scheme = AidSchemeFactory(title=f"Appel {n:02d}", themes=["innovation"])
        CallWindowFactory(scheme=scheme, opens_on=days(-10), closes_on=days(40 + n))
    CallWindowFactory(scheme=AidSchemeFactory(title="Hors thème", themes=["export"]))
    client = login(world.users["manager"])
    html = client.get(CALENDAR + "?theme=innovation&tri=dispositif").content.decode()
    assert 'aria-label="Pagination : Ouverts"' in html
    assert 'href="?theme=innovation&amp;tri=dispositif&amp;page_ouverts=2"' in html
    response = client.get(CALENDAR + "?theme=innovation&tri=dispositif&page_ouverts=2")
    assert section(response, "open") == [f"Appel {n:02d}" for n in range(25, 30)]
    html = response.content.decode()
    assert "Hors thème" not in html
    # a header's link keeps the filter and goes back to the first page
    assert 'href="?theme=innovation&amp;tri=-dispositif"' in html
    # the other sections have no pagination of their own when they fit on one page
    assert html.count('<nav role="navigation" class="fr-pagination') == 1
