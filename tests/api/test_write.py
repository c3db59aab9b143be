"""The write endpoints go through the apps' services: the write rule, optimistic locking and
one audit event per write, exactly as the pages."""

import pytest

from pilote.accompaniment.models import Interaction, Need
from pilote.api.models import Scope
from pilote.applications.models import Application, StatusChange
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.notes.models import Note
from tests.accompaniment.factories import InteractionFactory, NeedFactory, ProjectFactory
from tests.factories import EstablishmentFactory, NoteFactory


@pytest.fixture
def writer(world, key_for):
    return key_for(world.users["agent_e1"], scope=Scope.READ_WRITE)


@pytest.fixture
def site(world):
    return EstablishmentFactory(epci=world.epcis["e1"])


def own(world, factory, **fields):
    return factory(author=world.users["agent_e1"], author_organisation=world.orgs["o1"], **fields)


def test_a_note_is_written_and_edited_through_the_notes_services(world, api, writer, site):
    response = api.post(writer, "/notes", {
        "epci": world.epcis["e1"].pk, "title": "Visite", "body": "Compte rendu",
        "visibility": Visibility.TERRITORY, "establishment": site.siret,
    })  # fmt: skip
    assert response.status_code == 201
    note = Note.objects.get(pk=response.json()["id"])
    assert (note.author, note.author_organisation, note.establishment) == (
        world.users["agent_e1"], world.orgs["o1"], site,
    )  # fmt: skip
    version = response.json()["version"]
    edited = api.patch(writer, f"/notes/{note.pk}", {"title": "Visite 2", "version": version})
    assert edited.status_code == 200
    assert edited.json()["title"] == "Visite 2"
    actions = list(AuditEvent.objects.for_object(note).values_list("action", flat=True))
    assert sorted(actions) == ["note.create", "note.update"]


def test_patch_answers_404_to_what_the_user_cannot_see_and_403_to_what_they_cannot_edit(
    world, api, writer, key_for
):
    hidden = NoteFactory(
        epci=world.epcis["e2"], visibility=Visibility.EPCI, author=world.users["agent_e2"],
        author_organisation=world.orgs["o2"], title="Cachée",
    )  # fmt: skip
    assert api.patch(writer, f"/notes/{hidden.pk}", {"title": "x"}).status_code == 404
    shared = NoteFactory(
        epci=world.epcis["e2"], visibility=Visibility.TERRITORY, author=world.users["agent_e2"],
        author_organisation=world.orgs["o2"], title="Partagée",
    )  # fmt: skip
    assert api.patch(writer, f"/notes/{shared.pk}", {"title": "x"}).status_code == 403
    partner = key_for(world.users["partner"], scope=Scope.READ_WRITE)
    data = {"epci": world.epcis["e1"].pk, "title": "t", "body": "b"}
    assert api.post(partner, "/notes", data).status_code == 403
    shared.refresh_from_db()
    hidden.refresh_from_db()
    assert (shared.title, hidden.title) == ("Partagée", "Cachée")
    assert not AuditEvent.objects.filter(action="note.update").exists()


def test_an_interaction_is_recorded_and_edited(world, api, writer, site):
    response = api.post(writer, "/echanges", {
        "establishment": site.siret, "kind": "phone", "occurred_on": "2026-11-30",
        "summary": "Appel au dirigeant", "time_spent_minutes": 20,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get(pk=response.json()["id"])
    assert interaction.author == world.users["agent_e1"]
    assert interaction.epci == site.epci
    edited = api.patch(
        writer, f"/echanges/{interaction.pk}", {"summary": "Rappel", "start_time": None}
    )
    assert edited.status_code == 200
    assert edited.json()["summary"] == "Rappel"
    refused = api.patch(writer, f"/echanges/{interaction.pk}", {"time_spent_minutes": -5})
    assert refused.status_code == 422
    far = api.post(writer, "/echanges", {
        "establishment": site.siret, "kind": "phone", "occurred_on": "1900-01-01",
    })  # fmt: skip
    assert far.status_code == 422
    assert far.json()["errors"][0]["champ"] == "occurred_on"
    assert sorted(AuditEvent.objects.for_object(interaction).values_list("action", flat=True)) == [
        "interaction.create", "interaction.update",
    ]  # fmt: skip


def test_a_need_is_recorded_on_a_visible_interaction_and_resolved(world, api, writer, site):
    meeting = own(world, InteractionFactory, establishment=site, epci=site.epci)
    response = api.post(writer, "/besoins", {
        "establishment": site.siret, "theme": "employment", "description": "Soudeurs",
        "interaction": meeting.pk,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    need = Need.objects.get(pk=response.json()["id"])
    assert need.interaction == meeting
    assert need.visibility == meeting.visibility
    resolved = api.patch(writer, f"/besoins/{need.pk}", {"resolved_on": "2026-12-01"})
    assert resolved.status_code == 200
    assert resolved.json()["resolved_on"] == "2026-12-01"
    other = EstablishmentFactory(epci=world.epcis["e2"])
    refused = api.post(writer, "/besoins", {
        "establishment": other.siret, "theme": "employment", "description": "x",
    })  # fmt: skip
    assert refused.status_code == 403
    unknown = api.post(writer, "/besoins", {
        "establishment": "00000000000000", "theme": "employment", "description": "x",
    })  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["champ"] == "establishment"


def test_an_application_is_created_with_its_history_and_edited(world, api, writer, site):
    project = own(world, ProjectFactory, establishment=site, epci=site.epci)
    response = api.post(writer, "/dossiers", {
        "establishment": site.siret, "title": "Four électrique", "funder": "Région",
        "status": "en_instruction", "filed_on": "2026-10-01", "amount_requested": "150000.50",
        "project": project.pk,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount_requested"] == "150000.50"
    assert body["project"] == project.pk
    application = Application.objects.get(pk=body["id"])
    assert StatusChange.objects.filter(application=application).count() == 1
    edited = api.patch(writer, f"/dossiers/{application.pk}", {"amount_requested": "1200"})
    assert edited.status_code == 200
    assert edited.json()["amount_requested"] == "1200.00"
    decided = api.post(writer, "/dossiers", {
        "establishment": site.siret, "funder": "Région", "status": "accepte",
    })  # fmt: skip
    assert decided.status_code == 422
    assert decided.json()["errors"][0]["champ"] in {"decided_on", "filed_on"}
    hidden = NeedFactory(
        establishment=site, epci=site.epci, visibility=Visibility.PRIVATE,
        author=world.users["manager"], author_organisation=world.orgs["cci"],
    )  # fmt: skip
    refused = api.post(writer, "/dossiers", {
        "establishment": site.siret, "funder": "Région", "need": hidden.pk,
    })  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["champ"] == "need"
