"""Acceptance crawl (docs/rules.md): an « EPCI concerné » note written by an agent of e1 is
found by nobody outside e1 and its TI manager, on any page they can reach.

The note is written through its form. Each actor then visits every page reachable from the
home page (and /admin/), following every same-site link, submitting every search box with
the beginning of the note's words, and searching every admin list: the note's words show
nowhere. The TI manager's crawl, the positive control, finds them.

Searches are filled with a word's beginning and pages checked for the whole word, so a page
that only repeats the search (the search box, « export this search ») does not count, while
a result showing the note does (every search here matches parts of words).
"""

from __future__ import annotations

import time

import pytest
from django.contrib import admin
from django.urls import reverse

from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.notes.models import Note
from tests.crawler import crawl
from tests.factories import CompanyFactory, EstablishmentFactory

TITLE_WORD = "Krokmitaine"
BODY_WORD = "Zigouplexe"
WORDS = [TITLE_WORD, BODY_WORD]
SEARCH_TERMS = [TITLE_WORD[:7], BODY_WORD[:7]]  # « Krokmit », « Zigoupl »
MAX_PAGES = 600
# django-dsfr's own admin page (its settings' URL fields) warns about Django 6's default
# scheme; that warning is not what this test is about.
URLFIELD_WARNING = (
    "ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning"
)
OUTSIDERS = ["agent_e2", "agent_e3", "partner", "admin", "manager_b", "nobody"]


@pytest.fixture
def note(world, login):
    """The note, written through the form by agent_e1 on an establishment of e1."""
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Chaudronnerie du Premier")
    )
    client = login(world.users["agent_e1"])
    response = client.post(
        reverse("notes:create") + f"?etablissement={site.siret}",
        {
            "epci": world.epcis["e1"].pk,
            "title": f"Projet {TITLE_WORD}",
            "body": f"Le dirigeant envisage une extension {BODY_WORD}, à ne pas ébruiter.",
            "visibility": Visibility.EPCI,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    note = Note.objects.get()
    assert note.visibility == Visibility.EPCI
    assert note.establishment == site
    assert note.author == world.users["agent_e1"]
    return note


def start_pages() -> list[str]:
    """The home page, the admin's home and every admin list searched for each term."""
    pages = ["/", reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pages.append(changelist)
        if model_admin.search_fields:
            pages += [f"{changelist}?q={term}" for term in SEARCH_TERMS]
    return pages


def crawl_as(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    result = crawl(client, start=start_pages(), words=WORDS, search_terms=SEARCH_TERMS,
                   max_pages=MAX_PAGES)  # fmt: skip
    client.logout()
    return result


@pytest.mark.filterwarnings(URLFIELD_WARNING)
def test_the_ti_manager_finds_the_note_so_the_crawl_can(client, world, note):
    """Positive control: the crawl reaches the note's page and the notes list, and a search
    box filled with the beginning of the title lists it."""
    result = crawl_as(client, world.users["manager"])
    detail = reverse("notes:detail", args=[note.pk])
    assert detail in result.found.get(BODY_WORD, []), sorted(result.found)
    assert any(url.startswith(reverse("notes:list")) for url in result.found[TITLE_WORD])
    searches_finding_it = set(result.searches) & set(result.found[TITLE_WORD])
    assert any(url.startswith(reverse("notes:list")) for url in searches_finding_it)
    assert not result.truncated, len(result.visited)


@pytest.mark.filterwarnings(URLFIELD_WARNING)
@pytest.mark.parametrize("actor", OUTSIDERS)
def test_nobody_outside_the_epci_finds_the_note_anywhere(client, world, note, actor):
    user = world.users[actor]
    if actor == "admin":  # the platform administrator also opens the technical admin
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    events = AuditEvent.objects.count()
    started = time.monotonic()
    result = crawl_as(client, user)
    elapsed = time.monotonic() - started
    assert AuditEvent.objects.count() == events  # GET only: the crawl wrote nothing
    assert result.found == {}, f"{actor} : {result.found}"
    assert not result.truncated, f"{actor} : plus de {MAX_PAGES} pages"
    # The crawl did explore (the home page and beyond) and tried search boxes.
    assert len(result.visited) > 5, result.visited
    if actor != "nobody":
        assert result.searches, f"{actor} : aucune recherche soumise"
    if actor == "admin":
        assert any(url.startswith("/admin/core/auditevent/") for url in result.visited)
    print(f"{actor}: {len(result.visited)} pages, {len(result.searches)} recherches, "
          f"{elapsed:.1f} s")  # fmt: skip
