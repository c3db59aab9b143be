"""The first journey of an EPCI agent: log in, write a follow-up note, find it in the list.

Every page along the way must run without a console error and without a single
Content-Security-Policy violation (the app serves a strict CSP: no inline script or style).
"""

import re

import pytest
from playwright.sync_api import expect

from pilote.notes.models import Note
from tests.factories import PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Rencontre avec le vice-président au développement économique"
BODY = "Point sur la **friche** de la zone d'activités.\n\n- foncier disponible : 12 ha"


def log_in(page, email, password):
    page.goto("/comptes/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_agent_logs_in_and_writes_a_note(page, browser_errors):
    world = build_world()
    agent = world.users["agent_e1"]

    log_in(page, agent.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
    identity = page.get_by_test_id("identite")
    expect(identity).to_contain_text("Agglo 1")
    expect(identity).to_contain_text("Agent de développement économique")

    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("button", name="Entreprises").click()  # a DSFR menu opens
    menu.get_by_role("link", name="Notes de suivi").click()
    expect(page.get_by_role("heading", level=1, name="Notes de suivi")).to_be_visible()

    page.get_by_role("link", name="Nouvelle note").click()
    expect(page.get_by_role("heading", level=1, name="Nouvelle note")).to_be_visible()
    page.get_by_role("combobox", name="EPCI").select_option(label="CA du Premier")
    page.get_by_role("textbox", name="Titre").fill(TITLE)
    page.get_by_role("textbox", name="Texte").fill(BODY)
    # As with every DSFR radio, the user clicks the label drawn over the hidden input.
    page.locator("label", has_text=re.compile(r"^Tout le territoire")).click()
    expect(page.get_by_role("radio", name=re.compile(r"^Tout le territoire"))).to_be_checked()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(r"/notes/\d+/$"))
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("La note est enregistrée.")).to_be_visible()
    expect(page.locator(".pilote-prose strong")).to_have_text("friche")  # Markdown rendered

    note = Note.objects.get(title=TITLE)
    assert note.author == agent
    assert note.author_organisation == world.orgs["o1"]
    assert note.epci == world.epcis["e1"]
    assert note.visibility == "territory"
    assert page.url.endswith(note.get_absolute_url())

    menu.get_by_role("button", name="Entreprises").click()  # a DSFR menu opens
    menu.get_by_role("link", name="Notes de suivi").click()
    expect(page.get_by_role("status").filter(has_text="1 note")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("CA du Premier")
    expect(row).to_contain_text("Tout le territoire")

    # Typing in the search box filters in place (htmx swaps #resultats, pushes the URL).
    search = page.get_by_role("textbox", name="Rechercher")
    search.press_sequentially("introuvable")
    expect(page.get_by_text("Aucune note ne correspond.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=introuvable"))
    search.clear()
    search.press_sequentially("friche")
    expect(page.locator("#resultats").get_by_role("link", name=TITLE)).to_be_visible()

    browser_errors.assert_none()


def test_five_wrong_passwords_lock_the_account(page, browser_errors):
    world = build_world()
    manager = world.users["manager"]

    for _ in range(4):
        log_in(page, manager.email, "pas-le-bon-mot-de-passe")
        expect(page.get_by_text("Adresse électronique ou mot de passe incorrect")).to_be_visible()
    # The fifth failure reaches the limit: the answer is already the lockout page.
    log_in(page, manager.email, "pas-le-bon-mot-de-passe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte temporairement verrouillé")

    # Even the right password is refused now.
    log_in(page, manager.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte temporairement verrouillé")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next=/$"))

    # The locked page is an error answer (429); the browser logs that as a console error,
    # which is expected here. Nothing else may appear.
    unexpected = [problem for problem in browser_errors.all() if "status of 429" not in problem]
    assert not unexpected, "Erreurs dans le navigateur :\n" + "\n".join(unexpected)


def test_small_screen_menu_offers_login(page, browser_errors):
    """On a phone the header tools are hidden; DSFR copies them into the "Menu" modal."""
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/comptes/connexion/")
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#menu-mobile")
    expect(menu.get_by_role("link", name="Se connecter")).to_be_visible()
    menu.get_by_role("button", name="Fermer").click()
    expect(menu.get_by_role("link", name="Se connecter")).to_be_hidden()
    browser_errors.assert_none()
