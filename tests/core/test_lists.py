"""The lists' shared mechanisms (`core.htmx.render_list`, `includes/pagination.html`,
`includes/sort_header.html`): sortable column headers and numbered pagination."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from pilote.core.enums import Visibility
from pilote.core.htmx import list_context
from tests.aids.factories import AidSchemeFactory
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def notes(world, titles):
    membership = world.memberships["agent_e1"]
    return [
        NoteFactory(
            title=title,
            epci=world.epcis["e1"],
            visibility=Visibility.EPCI,
            author=membership.user,
            author_organisation=membership.organisation,
        )
        for title in titles
    ]


def header(html: str, label: str) -> tuple[str, dict]:
    """The `aria-sort` and the query of the link of the column header `label`."""
    match = re.search(
        rf'<th scope="col"(?: aria-sort="(\w+)")?[^>]*><a class="pilote-sort" href="([^"]*)">'
        rf"{re.escape(label)}<",
        html,
    )
    assert match, f"no sortable header « {label} »"
    return match.group(1) or "", parse_qs(urlsplit(unescape(match.group(2))).query)


def titles(response) -> list[str]:
    return [note.title for note in response.context["page"].object_list]


def test_a_header_sorts_ascending_then_toggles_keeping_the_filters(world, login):
    notes(world, ["Usine B", "Usine C", "Usine A", "Autre"])
    client = login(world.users["agent_e1"])

    response = client.get("/notes/?q=usine&page=1")
    assert titles(response) == ["Usine A", "Usine C", "Usine B"]  # default: newest first
    state, query = header(response.content.decode(), "Titre")
    assert state == ""
    assert query == {"q": ["usine"], "tri": ["titre"]}  # the page goes, the filter stays
    assert header(response.content.decode(), "Date")[0] == "descending"  # the default order

    response = client.get("/notes/?q=usine&tri=titre")
    assert titles(response) == ["Usine A", "Usine B", "Usine C"]
    state, query = header(response.content.decode(), "Titre")
    assert state == "ascending"
    assert query == {"q": ["usine"], "tri": ["-titre"]}
    assert header(response.content.decode(), "Date")[0] == ""  # one sorted column at a time

    response = client.get("/notes/?q=usine&tri=-titre")
    assert titles(response) == ["Usine C", "Usine B", "Usine A"]
    state, query = header(response.content.decode(), "Titre")
    assert state == "descending"
    assert query == {"q": ["usine"], "tri": ["titre"]}


@pytest.mark.parametrize(
    "forged",
    ["body", "-author__password", "author__password", "--titre", "titre;drop", "pk", "", "-"],
)
def test_a_forged_sort_falls_back_to_the_default_order(world, login, forged):
    notes(world, ["Usine B", "Usine C", "Usine A"])
    response = login(world.users["agent_e1"]).get("/notes/", {"tri": forged})
    assert response.status_code == 200
    assert titles(response) == ["Usine A", "Usine C", "Usine B"]


@pytest.mark.parametrize(
    "path",
    [
        "/contacts/",
        "/prospection/",
        "/accompagnement/echanges/",
        "/accompagnement/actions/",
        "/accompagnement/besoins/",
        "/accompagnement/projets/",
        "/accompagnement/diagnostics/",
        "/accompagnement/mises-en-relation/",
        "/dispositifs/",
    ],
)
@pytest.mark.parametrize("sort", ["nope", "-__class__", "epci", "-visibilite", "title"])
def test_every_list_answers_any_sort(world, login, path, sort):
    response = login(world.users["manager"]).get(path, {"tri": sort})
    assert response.status_code == 200
    htmx = login(world.users["manager"]).get(path, {"tri": sort}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200


def test_the_record_lists_sort_on_their_columns(world, login):
    from tests.accompaniment.factories import ProjectFactory, site_of, written_by

    for amount in (300, 100, 200):
        ProjectFactory(
            establishment=site_of(world), investment_amount=amount, **written_by(world, "manager")
        )
    client = login(world.users["manager"])
    response = client.get("/accompagnement/projets/", {"tri": "-investment_amount"})
    amounts = [int(p.investment_amount) for p, _ in response.context["rows"]]
    assert amounts == [300, 200, 100]
    state, query = header(response.content.decode(), "Investissement (€)")
    assert state == "descending"
    assert query == {"tri": ["investment_amount"]}


def test_the_catalogue_sorts_its_rows_by_key(world, login):
    for title in ("Béta", "alpha", "Gamma"):
        AidSchemeFactory(title=title)
    client = login(world.users["manager"])
    response = client.get("/dispositifs/", {"statut": "all", "tri": "-dispositif"})
    assert [s.title for s, _ in response.context["page"].object_list] == [
        "Gamma",
        "Béta",
        "alpha",
    ]


def test_the_pages_are_numbered_and_keep_the_filters(world, login):
    notes(world, [f"Usine {n:02d}" for n in range(60)])  # 25 a page: 3 pages
    response = login(world.users["agent_e1"]).get("/notes/?q=usine&tri=titre&page=2")
    html = unescape(response.content.decode())
    nav = html[html.index('class="fr-pagination') :]
    nav = nav[: nav.index("</nav>")]
    links = {
        text: parse_qs(urlsplit(href).query)
        for href, text in re.findall(r'href="([^"]*)"[^>]*>([^<]+)</a>', nav)
    }
    for text, page in [
        ("Première page", "1"),
        ("Page précédente", "1"),
        ("1", "1"),
        ("3", "3"),
        ("Page suivante", "3"),
        ("Dernière page", "3"),
    ]:
        assert links[text] == {"q": ["usine"], "tri": ["titre"], "page": [page]}, text
    assert 'aria-current="page" title="Page 2">2</a>' in nav
    assert titles(response)[0] == "Usine 25"


def test_long_lists_elide_the_page_numbers():
    request = RequestFactory().get("/", {"page": "10"})
    page = list_context(request, list(range(1000)), page_size=10)["page"]
    assert page.numbers[:2] == [1, page.paginator.ELLIPSIS]
    assert page.numbers[2:7] == [8, 9, 10, 11, 12]
    assert page.numbers[-2:] == [page.paginator.ELLIPSIS, 100]
