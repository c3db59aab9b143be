"""The technical admin (/admin/) shows no follow-up content (docs/rules.md: administrators see
no follow-up; `is_staff` opens the admin, not the records).

Follow-up models are not registered there, and their audit events show who did what, when, on
which content type and primary key: no values, no object label, nothing searchable by content.
Every page of every registered model admin is read with follow-up written through the
services, and none may show a word of it.
"""

from __future__ import annotations

import contextlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task

from pilote.accompaniment.enums import InteractionKind
from pilote.accompaniment.services import interactions as interaction_services
from pilote.contacts import services as contact_services
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.notes import services as note_services
from tests.factories import CompanyFactory, EstablishmentFactory, UserFactory

# Words that only the follow-up written below holds.
NOTE_TITLE = "Ondulaphore"
NOTE_BODY = "Brimbalouste"
NOTE_EDITED_BODY = "Carapistole"
CONTACT_NAME = "Quirinovska"
CONTACT_EMAIL = "ysolde.marcassin@forge-exemple.fr"
CONTACT_PHONE = "0399714258"
CONTACT_NOTES = "Pamplemoustache"
INTERACTION_SUMMARY = "Gribouillardise"
INTERACTION_MESSAGE = "Tintinnabulaire"
WORDS = [
    NOTE_TITLE,
    NOTE_BODY,
    NOTE_EDITED_BODY,
    CONTACT_NAME,
    CONTACT_EMAIL,
    CONTACT_PHONE,
    CONTACT_NOTES,
    INTERACTION_SUMMARY,
    INTERACTION_MESSAGE,
]


def is_follow_up_model(model) -> bool:
    """A confidential follow-up model, wherever its abstract base lives: it carries a
    visibility and an author organisation, and its QuerySet reads through `visible_to`."""
    names = {f.name for f in model._meta.get_fields()}
    return {"visibility", "author_organisation"} <= names and hasattr(
        model._default_manager, "visible_to"
    )


def follow_up_models() -> list:
    return [m for m in apps.get_models() if is_follow_up_model(m)]


def holds_follow_up(model) -> bool:
    """A follow-up model, or a model whose rows belong to one (a campaign's targets, a
    dispatch's lines): its rows are follow-up content too."""
    if is_follow_up_model(model):
        return True
    return any(
        f.many_to_one and f.related_model is not None and is_follow_up_model(f.related_model)
        for f in model._meta.concrete_fields
    )


@pytest.fixture
def follow_up(world):
    """A note, a contact and an interaction, written through the services by agent_e1 with
    the default « EPCI concerné » visibility, then each edited once (before/after values)."""
    agent = world.users["agent_e1"]
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges témoins")
    )
    note = note_services.note_create(
        acting_user=agent,
        epci=world.epcis["e1"],
        establishment=site,
        title=f"Visite {NOTE_TITLE}",
        body=f"Le dirigeant parle d'un plan {NOTE_BODY} confidentiel.",
        visibility=Visibility.EPCI,
    )
    note_services.note_update(
        acting_user=agent, note=note, body=f"Plan {NOTE_EDITED_BODY} reporté."
    )
    contact = contact_services.contact_create(
        acting_user=agent,
        main_establishment=site,
        first_name="Ysolde",
        last_name=CONTACT_NAME,
        email=CONTACT_EMAIL,
        phone=CONTACT_PHONE,
        source="Salon de l'industrie",
        notes=f"Préfère le {CONTACT_NOTES}.",
    )
    contact_services.contact_update(acting_user=agent, contact=contact, role="Directrice")
    interaction = interaction_services.interaction_create(
        acting_user=agent,
        establishment=site,
        kind=InteractionKind.PHONE,
        occurred_on=timezone.localdate(),
        summary=f"Projet {INTERACTION_SUMMARY} à suivre.",
        company_summary=f"Merci pour l'échange {INTERACTION_MESSAGE}.",
    )
    events = list(AuditEvent.objects.order_by("id"))
    # The trail does hold every word (so the checks below can fail).
    trail = " ".join(f"{e.object_repr} {e.changes}" for e in events)
    assert all(word in trail for word in WORDS), trail
    return {"note": note, "contact": contact, "interaction": interaction, "events": events}


@pytest.fixture
def staff(world, login):
    root = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    return login(root)


def leaked_words(text: str) -> list[str]:
    return [word for word in WORDS if word.lower() in text.lower()]


def test_the_follow_up_detection_finds_the_follow_up_models():
    labels = {m._meta.label for m in follow_up_models()}
    assert {
        "notes.Note",
        "contacts.Contact",
        "prospecting.Campaign",
        "accompaniment.Interaction",
        "aids.SchemeNote",
        "aids.Dispatch",
    } <= labels
    assert "accounts.Organisation" not in labels
    assert holds_follow_up(apps.get_model("prospecting", "CampaignTarget"))
    assert holds_follow_up(apps.get_model("aids", "DispatchLine"))


def test_no_follow_up_model_is_registered_in_the_technical_admin():
    registered = [m._meta.label for m in admin.site._registry if holds_follow_up(m)]
    assert registered == []


def test_searching_the_audit_trail_finds_no_follow_up_content(follow_up, staff):
    changelist = reverse("admin:core_auditevent_changelist")
    for word in WORDS:
        response = staff.get(changelist, {"q": word})
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, word
    # The search still works on what it is for: the action and the author.
    found = staff.get(changelist, {"q": "note.update"}).context["cl"].result_count
    assert found == 1
    found = staff.get(changelist, {"q": "agent_e1@exemple.fr"}).context["cl"].result_count
    assert found == len(follow_up["events"])


def test_the_audit_trail_list_and_filters_show_no_follow_up_content(follow_up, staff):
    response = staff.get(reverse("admin:core_auditevent_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert leaked_words(text) == []
    for action in ("note.create", "contact.update", "interaction.create"):
        assert action in text
    for spec in response.context["cl"].filter_specs:  # every filter's choices
        for choice in spec.choices(response.context["cl"]):
            assert leaked_words(str(choice.get("display", ""))) == [], spec.title


def test_an_audit_event_of_follow_up_shows_who_did_what_when_and_no_content(follow_up, staff):
    for event in follow_up["events"]:
        if event.content_type is None:
            continue
        response = staff.get(reverse("admin:core_auditevent_change", args=[event.pk]))
        assert response.status_code == 200
        text = response.content.decode()
        assert leaked_words(text) == [], (event.action, leaked_words(text))
        assert event.action in text
        assert escape(event.actor_label) in text
        assert event.object_id in text
        for changed_field in event.changes:  # the names of what changed, not the values
            assert changed_field in text, (event.action, changed_field)


def test_account_events_keep_their_values_in_the_admin(world, staff):
    organisation = world.orgs["state"]
    from pilote.core import audit

    audit.record(
        actor=world.users["admin"],
        action="organisation.update",
        obj=organisation,
        before={"short_name": "SPA"},
        after={"short_name": "SP-Valenciennes"},
    )
    event = AuditEvent.objects.get(action="organisation.update")
    text = staff.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert "SP-Valenciennes" in text  # the rule hides follow-up, not the technical trail


@task()
def queued_task(*args, **kwargs) -> None:
    """A task for the task admin's page (it reads the task from its path)."""


def _admin_urls(model, model_admin, objects) -> list[str]:
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{prefix}_changelist")]
    if model_admin.search_fields:  # without them, the admin ignores `q`
        urls += [reverse(f"{prefix}_changelist") + f"?q={word}" for word in WORDS]
    for obj in objects:
        for view in ("change", "delete", "history"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"{prefix}_{view}", args=[obj.pk]))
    return urls


def test_no_page_of_the_technical_admin_shows_follow_up_content(follow_up, staff, world):
    from django_tasks_db.models import DBTaskResult, get_date_max

    if admin.site.is_registered(DBTaskResult):
        # A task queued with follow-up in its arguments (tasks should carry ids only): the
        # admin still shows neither its arguments nor its return value.
        DBTaskResult.objects.create(
            args_kwargs={"args": [NOTE_BODY], "kwargs": {"to": CONTACT_EMAIL}},
            return_value=INTERACTION_SUMMARY,
            task_path=f"{__name__}.queued_task",
            backend_name="default",
            queue_name="default",
            run_after=get_date_max(),
            exception_class_path="",
            traceback="",
        )
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        pages.append(reverse("admin:app_list", args=[model._meta.app_label]))
        objects = list(model._default_manager.all()[:50])
        pages += _admin_urls(model, model_admin, objects)
    # The deletion pages of the EPCI and the organisation that the follow-up is filed under
    # list what protects them: by kind and number only.
    assert reverse("admin:territories_epci_delete", args=[world.epcis["e1"].pk]) in pages
    assert reverse("admin:accounts_organisation_delete", args=[world.orgs["o1"].pk]) in pages
    leaks = []
    for url in dict.fromkeys(pages):
        response = staff.get(url)
        assert response.status_code in {200, 302, 403}, (url, response.status_code)
        if response.status_code != 200:
            continue
        text = response.content.decode()
        if "?q=" in url:  # the search box repeats the query: count the results instead
            if response.context["cl"].result_count:
                leaks.append(f"{url}: {response.context['cl'].result_count} résultat(s)")
            continue
        if found := leaked_words(text):
            leaks.append(f"{url}: {found}")
    assert len(pages) > 50
    assert leaks == []
