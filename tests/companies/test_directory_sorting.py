"""The directory's sortable column headers, and its name sort putting the establishments
without a public name (non-diffusible sole traders) last."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilote.companies import views
from tests.factories import CompanyFactory, EstablishmentFactory

HIDDEN = "Entrepreneur individuel (non diffusible)"


def hidden_company():
    return CompanyFactory(name=None, is_person=True, diffusion="P")


def names(response):
    return [e.display_name for e in response.context["page"].object_list]


def headers(html: str) -> dict[str, tuple[str, str | None]]:
    """Each column header's text → (its aria-sort, its link's query as a dict) ."""
    found = {}
    for th in re.findall(r"<th scope=\"col\"[^>]*>.*?</th>", html, re.S):
        aria = re.search(r'aria-sort="([a-z]+)"', th)
        link = re.search(r'href="([^"]*)"', th)
        label = re.sub(r"<span class=\"fr-sr-only\">.*?</span>|<[^>]+>", "", th).strip()
        query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query) if link else None
        found[label] = (aria.group(1) if aria else "", query)
    return found


@pytest.fixture
def sites(world):
    e1 = world.epcis["e1"]
    return {
        "zinc": EstablishmentFactory(epci=e1, company=CompanyFactory(name="Zinc du Nord")),
        "acier": EstablishmentFactory(epci=e1, company=CompanyFactory(name="Aciéries Réunies")),
        "hidden": EstablishmentFactory(epci=e1, company=hidden_company()),
    }


def test_the_default_list_is_sorted_by_name_on_its_header(world, sites, login):
    html = login(world.users["agent_e1"]).get("/entreprises/").content.decode()
    cols = headers(html)
    assert cols["Établissement"][0] == "ascending"
    # the defaults (industrial scope, open) are kept by the header links
    assert cols["Commune"] == ("", {"industrial": ["on"], "state": ["open"], "tri": ["commune"]})
    assert cols["Effectif"][1]["tri"] == ["-headcount"]
    assert cols["Création"][1]["tri"] == ["-created"]
    # a column without a sort key is plain text
    assert cols["Activité (NAF)"] == ("", None)
    assert "Score" not in cols
    assert "(trier par ordre décroissant)" in html  # « Effectif », read by a screen reader


def test_a_header_link_keeps_the_filters_and_goes_back_to_page_one(world, sites, login):
    epci = world.epcis["e1"].pk
    query = f"q=zinc&epci={epci}&band=21&band=22&state=all&sort=-headcount&page=2"
    response = login(world.users["agent_e1"]).get(f"/entreprises/?{query}")
    cols = headers(response.content.decode())
    assert cols["Effectif"][0] == "descending"
    assert cols["Établissement"][0] == ""
    assert cols["Établissement"][1] == {
        "q": ["zinc"],
        "epci": [str(epci)],
        "band": ["21", "22"],
        "state": ["all"],
        "tri": ["name"],  # as every list's headers; the select's `sort` is dropped
    }


def test_following_a_header_sorts_the_list(world, sites, login):
    client = login(world.users["agent_e1"])
    sites["zinc"].commune.name = "Aniche"
    sites["zinc"].commune.save()
    sites["hidden"].commune.name = "Marly"
    sites["hidden"].commune.save()
    sites["acier"].commune.name = "Wallers"
    sites["acier"].commune.save()
    cols = headers(client.get("/entreprises/?state=all").content.decode())
    url = "/entreprises/?" + "&".join(f"{k}={v[0]}" for k, v in cols["Commune"][1].items())
    response = client.get(url)
    assert names(response) == ["Zinc du Nord", HIDDEN, "Aciéries Réunies"]
    assert headers(response.content.decode())["Commune"][0] == "ascending"


def test_the_score_header_shows_when_sorted_by_score(world, sites, login):
    html = login(world.users["agent_e1"]).get("/entreprises/?sort=-score").content.decode()
    assert headers(html)["Score"][0] == "descending"


def test_establishments_without_a_public_name_come_last_in_the_name_sort(world, sites, login):
    client = login(world.users["agent_e1"])
    # « Entrepreneur individuel (non diffusible) » has no name: its search text is its SIRET
    assert sites["hidden"].search_text.startswith(" ")
    expected = ["Aciéries Réunies", "Zinc du Nord", HIDDEN]
    assert names(client.get("/entreprises/")) == expected
    assert names(client.get("/entreprises/?sort=name&state=all")) == expected
    # the export follows the page's order
    raw = client.get("/entreprises/export.csv?sort=name&state=all").content.decode("utf-8")
    assert [r[1] for r in csv.reader(io.StringIO(raw[1:]), delimiter=";")][1:] == expected


@pytest.mark.parametrize("capped", [False, True])
def test_every_page_of_the_name_sort_holds_the_right_rows(world, login, monkeypatch, capped):
    e1 = world.epcis["e1"]
    for name in ["Delta", "Bravo", "Alpha"]:
        EstablishmentFactory(epci=e1, company=CompanyFactory(name=name))
    hidden = sorted(
        (EstablishmentFactory(epci=e1, company=hidden_company()) for _ in range(4)),
        key=lambda e: e.siret,
    )
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    if capped:  # the count stops before the end: the pages find where the names end
        monkeypatch.setattr(views, "COUNT_CAP", 6)
    client = login(world.users["agent_e1"])
    pages = [names(client.get(f"/entreprises/?page={n}")) for n in (1, 2, 3, 4)]
    assert pages == [["Alpha", "Bravo"], ["Delta", HIDDEN], [HIDDEN, HIDDEN], [HIDDEN]]
    sirets = [
        e.siret
        for n in (2, 3, 4)
        for e in client.get(f"/entreprises/?page={n}").context["page"].object_list
        if e.display_name == HIDDEN
    ]
    assert sirets == [e.siret for e in hidden]  # in SIRET order among themselves


def test_a_page_of_named_establishments_reads_them_in_one_query(world, login, monkeypatch):
    for name in ["Alpha", "Bravo", "Charlie"]:
        EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name=name))
    EstablishmentFactory(epci=world.epcis["e1"], company=hidden_company())
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = login(world.users["agent_e1"])
    client.get("/entreprises/")
    with CaptureQueriesContext(connection) as first:
        client.get("/entreprises/")
    with CaptureQueriesContext(connection) as meeting:  # where the names end: one more query
        client.get("/entreprises/?page=2")
    assert len(meeting.captured_queries) == len(first.captured_queries) + 1


def test_page_two_of_the_default_list_keeps_the_default_filters(world, login, monkeypatch):
    for name in ["Alpha", "Bravo", "Charlie"]:
        EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name=name))
    EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Boulangerie"), naf_section="G"
    )
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    assert names(login(world.users["agent_e1"]).get("/entreprises/?page=2")) == ["Charlie"]


def test_tri_as_on_every_list_sorts_and_sets_the_select(world, sites, login):
    client = login(world.users["agent_e1"])
    sites["zinc"].commune.name = "Aniche"
    sites["zinc"].commune.save()
    sites["acier"].commune.name = "Wallers"
    sites["acier"].commune.save()
    response = client.get("/entreprises/?state=all&tri=commune")
    assert names(response)[0] == "Zinc du Nord"
    assert names(response)[-1] == "Aciéries Réunies"
    assert response.context["form"]["sort"].value() == "commune"
    assert headers(response.content.decode())["Commune"][0] == "ascending"
    # a column's name stands for its one indexed direction; the export follows
    response = client.get("/entreprises/?state=all&tri=headcount")
    assert headers(response.content.decode())["Effectif"][0] == "descending"
    raw = client.get("/entreprises/export.csv?state=all&tri=commune").content.decode("utf-8")
    rows = [r[1] for r in csv.reader(io.StringIO(raw[1:]), delimiter=";")][1:]
    assert rows == names(client.get("/entreprises/?state=all&sort=commune"))


def test_a_forged_tri_is_ignored(world, sites, login):
    client = login(world.users["agent_e1"])
    response = client.get("/entreprises/?tri=siret;drop")
    assert response.status_code == 200
    assert names(response) == ["Aciéries Réunies", "Zinc du Nord", HIDDEN]  # the defaults
    assert headers(response.content.decode())["Établissement"][0] == "ascending"
