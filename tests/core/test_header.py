"""The main menu: well-formed, and every page it should reach is one click away."""

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["manager", "agent_e1", "partner", "admin"])
def test_the_main_menu_closes_every_list_it_opens(world, login, actor):
    html = login(world.users[actor]).get("/").content.decode()
    nav = re.search(r'<nav class="fr-nav".*?</nav>', html, re.S).group(0)
    assert nav.count("<ul") == nav.count("</ul>")
    assert nav.count("<li") == nav.count("</li>")


@pytest.mark.django_db
def test_the_lists_sent_to_the_epcis_are_in_the_dispositifs_menu(world, login):
    html = login(world.users["manager"]).get("/").content.decode()
    assert 'href="/dispositifs/envois/"' in html
    assert "Listes envoyées aux EPCI" in html


@pytest.mark.django_db
def test_an_empty_my_actions_page_tells_a_partner_what_it_can_expect(world, login):
    html = login(world.users["partner"]).get("/accompagnement/actions/").content.decode()
    assert "celles qui vous sont confiées apparaîtront ici" in html
    assert "pour en mener un" not in html  # a partner runs no interview
    manager = login(world.users["manager"]).get("/accompagnement/actions/").content.decode()
    assert "pour en mener un" in manager


@pytest.mark.django_db
def test_no_form_offers_djangos_dashes_as_its_empty_choice(world, login):
    html = login(world.users["manager"]).get("/comptes/membres/inviter/").content.decode()
    assert "---------" not in html
    assert "Choisissez une organisation" in html
