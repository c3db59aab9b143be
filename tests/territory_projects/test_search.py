"""Territory projects in the header's global search (pilote.search): found by title and
description, word by word, by the readers who see them and in the current territory only."""

import html

import pytest
from django.urls import reverse

from pilote.core.enums import CHOSEN, Visibility
from pilote.search import registry
from tests.territory_projects.factories import make_project
from tests.territory_projects.test_access import third_epci_agent

pytestmark = pytest.mark.django_db

URL = reverse("search:results")


def search(client, q, **params) -> str:
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_source_is_registered():
    source = registry.sources["projets-territoire"]
    assert source.label == "Projets de territoire"
    assert source.list_url("friche") == reverse("territory_projects:list") + "?q=friche"


def test_a_project_is_found_by_title_and_description_word_by_word(world, login):
    project = make_project(world, epci="e1", title="Reconquête des friches du Cambrésis",
                           summary="Dépollution et portage foncier des sites Vauban")  # fmt: skip
    client = login(world.users["agent_e2"])  # e2 is among the chosen EPCIs
    for q in ("friches", "vauban", "cambrésis portage"):
        text = search(client, q)
        assert f'href="{project.get_absolute_url()}"' in text, q
        assert "Projets de territoire (1)" in text, q
    assert project.title not in search(client, "friches hydrogène")
    assert f'href="{reverse("territory_projects:list")}?q=vauban"' in search(client, "vauban")


def test_the_header_search_never_shows_a_project_the_reader_may_not_see(world, login):
    """A project shared with e1 and e2 (« EPCI choisis »): neither a third EPCI's agent of the
    same territory nor the partner nor territory B finds it, on the page, the one-kind page
    or the htmx fragment; its own readers do."""
    _, agent_e4 = third_epci_agent(world)
    shared = make_project(world, epci="e1", visibility=CHOSEN, shared_with=["e2"],
                          title="Écosystème Quimperlé partagé")  # fmt: skip
    private = make_project(world, epci="e1", visibility=Visibility.PRIVATE,
                           title="Projet Quimperlé privé")  # fmt: skip
    for user in (agent_e4, world.users["partner"], world.users["manager_b"],
                 world.users["agent_e3"], world.users["admin"]):  # fmt: skip
        client = login(user)
        for text in (
            search(client, "quimperlé"),
            search(client, "quimperlé", type="projets-territoire"),
            client.get(URL, {"q": "quimperlé"}, headers={"HX-Request": "true"}).content.decode(),
        ):
            assert "Quimperlé" not in html.unescape(text), user.email
    seen_by_e2 = search(login(world.users["agent_e2"]), "quimperlé")
    assert shared.title in seen_by_e2
    assert private.title not in seen_by_e2
    seen_by_e1 = search(login(world.users["agent_e1"]), "quimperlé")
    assert shared.title in seen_by_e1
    assert private.title in seen_by_e1
    assert "Projets de territoire (2)" in seen_by_e1
