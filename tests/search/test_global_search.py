"""The global search in the header (pilote.search): every kind found by its name, each group
under its own confidentiality rule, the current territory's establishments only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilote.core.enums import Visibility
from pilote.search import registry
from tests.accompaniment.factories import ProjectFactory, written_by
from tests.aids.factories import AidSchemeFactory
from tests.contacts.factories import ContactFactory
from tests.factories import CommuneFactory, CompanyFactory, EstablishmentFactory, NoteFactory

URL = reverse("search:results")


def _search(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def _note(world, title, *, epci="e1", visibility=Visibility.EPCI, author="agent_e1"):
    membership = world.memberships[author]
    return NoteFactory(
        epci=world.epcis[epci], visibility=visibility, title=title,
        author=membership.user, author_organisation=membership.organisation,
    )  # fmt: skip


@pytest.mark.django_db
def test_every_kind_is_found_by_its_name(world, login):
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges Zéphyrines")
    )
    note = _note(world, "Zéphyrine : point foncier")
    contact = ContactFactory(
        main_establishment=site, last_name="Zéphyrinou", **written_by(world, "agent_e1")
    )
    project = ProjectFactory(
        establishment=site, title="Four Zéphyrine électrique", **written_by(world, "agent_e1")
    )
    scheme = AidSchemeFactory(title="Aide Zéphyrine à l'investissement")
    html = _search(login(world.users["agent_e1"]), "zéphyrin")
    for obj, url in [
        (site, site.get_absolute_url()),
        (note, note.get_absolute_url()),
        (contact, contact.get_absolute_url()),
        (project, project.get_absolute_url()),
        (scheme, scheme.get_absolute_url()),
    ]:
        assert f'href="{url}"' in html, obj
    for label in ["Établissements (1)", "Contacts (1)", "Notes de suivi (1)"]:
        assert label in html
    assert "Projets d&#x27;entreprise (1)" in html
    assert "Dispositifs d&#x27;aide (1)" in html
    # « voir tout » opens each list's own search
    assert 'href="/notes/?q=z%C3%A9phyrin"' in html
    assert 'href="/contacts/?q=z%C3%A9phyrin"' in html
    assert 'href="/accompagnement/projets/?q=z%C3%A9phyrin"' in html
    assert 'href="/entreprises/?q=z%C3%A9phyrin&amp;state=all"' in html
    assert 'href="/dispositifs/?q=z%C3%A9phyrin&amp;status=all"' in html


@pytest.mark.django_db
def test_a_siret_typed_with_spaces_finds_its_establishment(world, login):
    site = EstablishmentFactory(epci=world.epcis["e2"])
    spaced = f"{site.siret[:3]} {site.siret[3:6]} {site.siret[6:9]} {site.siret[9:]}"
    html = _search(login(world.users["manager"]), spaced)
    assert f'href="{site.get_absolute_url()}"' in html
    assert "Établissements (1)" in html


@pytest.mark.django_db
def test_an_establishment_is_found_by_its_commune(world, login):
    commune = CommuneFactory(name="Saint-Zénobe-lès-Forges", epci=world.epcis["e1"])
    site = EstablishmentFactory(epci=world.epcis["e1"], commune=commune)
    html = _search(login(world.users["partner"]), "saint zenobe")
    assert f'href="{site.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_the_establishment_of_another_territory_is_not_listed(world, login):
    here = EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name="Quillard A"))
    there = EstablishmentFactory(epci=world.epcis["e3"], company=CompanyFactory(name="Quillard B"))
    client = login(world.users["manager"])
    html = _search(client, "quillard")
    assert here.get_absolute_url() in html
    assert there.get_absolute_url() not in html
    by_siret = _search(client, there.siret)
    assert there.get_absolute_url() not in by_siret
    assert "Établissements (0)" in by_siret
    # the manager of territory B finds it
    assert there.get_absolute_url() in _search(login(world.users["manager_b"]), there.siret)


@pytest.mark.django_db
def test_a_private_note_of_another_epci_is_never_listed(world, login):
    mine = _note(world, "Friche Orvault (e1)")
    private = _note(
        world, "Friche Orvault privée (e2)", epci="e2", visibility=Visibility.PRIVATE,
        author="agent_e2",
    )  # fmt: skip
    for page in [_search(login(world.users["agent_e1"]), "orvault")]:
        assert mine.title in page
        assert private.title not in page
        assert "Notes de suivi (1)" in page
    # nor in the one-kind page, nor in the htmx fragment
    client = login(world.users["agent_e1"])
    assert private.title not in _search(client, "orvault", type="notes")
    fragment = client.get(URL, {"q": "orvault"}, headers={"HX-Request": "true"}).content.decode()
    assert mine.title in fragment
    assert private.title not in fragment
    assert "<html" not in fragment
    # the author's own organisation does see it
    assert private.title in _search(login(world.users["agent_e2"]), "orvault")


@pytest.mark.django_db
def test_an_administrator_finds_schemes_and_establishments_but_no_follow_up(world, login):
    note = _note(world, "Orvault partagé", visibility=Visibility.PARTNERS)
    scheme = AidSchemeFactory(title="Orvault industrie")
    html = _search(login(world.users["admin"]), "orvault")
    assert note.title not in html
    assert scheme.title in html


@pytest.mark.django_db
def test_groups_are_limited_and_say_how_many_there_are(world, login):
    for n in range(7):
        _note(world, f"Lot Beauséjour {n}", visibility=Visibility.TERRITORY)
    client = login(world.users["agent_e1"])
    html = _search(client, "beauséjour")
    assert html.count("Lot Beauséjour") == 5
    assert "Notes de suivi (7)" in html
    assert "Voir tout (7)" in html
    assert _search(client, "beauséjour", type="notes").count("Lot Beauséjour") == 7


@pytest.mark.django_db
def test_one_query_per_group(world, login):
    client = login(world.users["manager"])
    client.get(URL, {"q": "rien"})  # session, membership and scope cached by a first request
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"q": "rien du tout"})
    search_queries = [q["sql"] for q in queries.captured_queries if "OVER ()" in q["sql"].upper()]
    assert len(search_queries) == len(registry.sources)


@pytest.mark.django_db
def test_an_empty_query_explains_what_can_be_searched(world, login):
    client = login(world.users["agent_e1"])
    html = _search(client, "")
    for source in registry.ordered():
        assert source.label.replace("'", "&#x27;") in html
    assert "SIRET" in html
    assert "La recherche parcourt" in html
    assert 'role="status"' not in html
    assert "au moins 2 caractères" in _search(client, "a")


@pytest.mark.django_db
def test_the_page_is_a_real_form_usable_without_javascript(world, login):
    html = _search(login(world.users["agent_e1"]), "")
    form = re.search(r'<form method="get" action="/recherche/".*?</form>', html, re.S).group(0)
    assert '<label class="fr-label" for="id_q">' in form
    assert 'type="submit"' in form


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/notes/", "/entreprises/", "/dispositifs/", "/recherche/"])
def test_the_header_search_is_on_every_page_for_a_member(world, login, path):
    html = login(world.users["partner"]).get(path).content.decode()
    header = re.search(r'<header role="banner".*?</header>', html, re.S).group(0)
    form = re.search(r'<form class="fr-search-bar".*?</form>', header, re.S).group(0)
    assert 'action="/recherche/"' in form
    assert 'method="get"' in form
    assert '<label class="fr-label" for="recherche-globale-q">' in form
    assert 'name="q"' in form
    assert 'type="submit"' in form


@pytest.mark.django_db
def test_the_header_search_is_absent_for_anonymous_visitors(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "fr-search-bar" not in html
    assert "recherche-globale" not in html
    assert client.get(URL + "?q=x").status_code == 302


@pytest.mark.django_db
def test_voir_tout_lists_an_establishment_found_by_its_commune_only(world, login):
    commune = CommuneFactory(name="Saint-Zénobe-lès-Forges", epci=world.epcis["e1"])
    by_commune = EstablishmentFactory(
        epci=world.epcis["e1"], commune=commune, company=CompanyFactory(name="Tôlerie Martin"),
        naf_section="G", state="F",
    )  # fmt: skip
    by_name = EstablishmentFactory(
        epci=world.epcis["e2"], company=CompanyFactory(name="Zénobe Mécanique")
    )
    EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name="Autre Usine"))
    client = login(world.users["manager"])
    html = _search(client, "zénobe")
    assert "Établissements (2)" in html
    link = re.search(r'href="(/entreprises/\?[^"]*)"', html).group(1).replace("&amp;", "&")
    # « voir tout » (the directory, every state, no industrial scope) lists the same two
    listed = client.get(link).context["page"].object_list
    assert {e.pk for e in listed} == {by_commune.pk, by_name.pk}


@pytest.mark.django_db
def test_establishments_without_a_public_name_are_listed_last(world, login):
    commune = CommuneFactory(name="Quérénaing", epci=world.epcis["e1"])
    hidden = CompanyFactory(name=None, is_person=True, diffusion="P")
    for company in [hidden, CompanyFactory(name="Zingueurs Réunis"), CompanyFactory(name="Acier")]:
        EstablishmentFactory(epci=world.epcis["e1"], commune=commune, company=company)
    html = _search(login(world.users["manager"]), "querenaing")
    titles = re.findall(
        r"(Acier|Zingueurs Réunis|Entrepreneur individuel \(non diffusible\))", html
    )
    assert titles == ["Acier", "Zingueurs Réunis", "Entrepreneur individuel (non diffusible)"]
