import csv
import io

import pytest

from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from pilote.notes.models import Note
from tests.factories import NoteFactory


def note_form(world, **overrides):
    data = {
        "epci": world.epcis["e1"].pk,
        "title": "Besoin de soudeurs",
        "body": "Trois postes **urgents**.",
        "visibility": Visibility.TERRITORY,
    }
    return {**data, **overrides}


def test_an_epci_agent_creates_a_note_on_their_epci(world, login):
    client = login(world.users["agent_e1"])
    response = client.post("/notes/nouvelle/", note_form(world))
    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/notes/{note.pk}/"
    assert (note.author, note.author_organisation) == (world.users["agent_e1"], world.orgs["o1"])
    assert note.visibility == Visibility.TERRITORY
    assert AuditEvent.objects.for_object(note).get().action == "note.create"
    page = client.get(response["Location"]).content.decode()
    assert "<strong>urgents</strong>" in page


def test_an_agent_cannot_write_on_another_epci(world, login):
    client = login(world.users["agent_e1"])
    response = client.post("/notes/nouvelle/", note_form(world, epci=world.epcis["e2"].pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Note.objects.exists()


@pytest.mark.parametrize("actor", ["partner", "admin", "nobody"])
def test_readers_cannot_create_notes(world, login, actor):
    client = login(world.users[actor])
    assert client.get("/notes/nouvelle/").status_code == 404
    assert client.post("/notes/nouvelle/", note_form(world)).status_code == 404
    assert not Note.objects.exists()


def test_missing_fields_are_reported_in_french_and_nothing_is_saved(world, login):
    client = login(world.users["manager"])
    response = client.post("/notes/nouvelle/", note_form(world, title="", body=""))
    assert response.status_code == 200
    assert response.content.decode().count("Ce champ est obligatoire.") == 2
    assert not Note.objects.exists()


def test_the_ti_manager_edits_any_note_and_the_change_is_audited(world, login):
    note = NoteFactory(
        epci=world.epcis["e2"], author_organisation=world.orgs["o2"], title="Ancien titre"
    )
    client = login(world.users["manager"])
    form = note_form(world, epci=note.epci.pk, title="Nouveau titre", body=note.body)
    form["version"] = version_of(note)
    form["visibility"] = note.visibility
    response = client.post(f"/notes/{note.pk}/modifier/", form)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "Nouveau titre"
    event = AuditEvent.objects.for_object(note).get(action="note.update")
    assert event.changes == {"title": ["Ancien titre", "Nouveau titre"]}


def test_a_visible_note_of_another_organisation_is_not_editable(world, login):
    note = NoteFactory(
        epci=world.epcis["e1"],
        visibility=Visibility.TERRITORY,
        author_organisation=world.orgs["o1"],
    )
    client = login(world.users["agent_e2"])
    assert client.get(f"/notes/{note.pk}/").status_code == 200
    assert client.get(f"/notes/{note.pk}/modifier/").status_code == 403
    assert client.post(f"/notes/{note.pk}/modifier/", note_form(world)).status_code == 403


def test_a_forged_note_url_answers_404(world, login):
    client = login(world.users["manager"])
    assert client.get("/notes/999999/").status_code == 404
    assert client.get("/notes/abc/").status_code == 404


def test_the_list_filters_by_text_epci_and_visibility(world, login):
    NoteFactory(epci=world.epcis["e1"], title="Friche de Louvroil", visibility=Visibility.EPCI)
    NoteFactory(epci=world.epcis["e2"], title="Hydrogène vert", visibility=Visibility.PARTNERS)
    client = login(world.users["manager"])
    titles = lambda response: [n.title for n in response.context["page"].object_list]  # noqa: E731
    assert titles(client.get("/notes/?q=friche")) == ["Friche de Louvroil"]
    assert titles(client.get(f"/notes/?epci={world.epcis['e2'].pk}")) == ["Hydrogène vert"]
    assert titles(client.get("/notes/?visibility=partners")) == ["Hydrogène vert"]


def test_the_list_answers_htmx_with_a_fragment(world, login):
    NoteFactory(epci=world.epcis["e1"], title="Friche de Louvroil")
    response = login(world.users["manager"]).get("/notes/?q=friche", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Friche de Louvroil" in html
    assert "<html" not in html


def test_the_list_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.users["manager"])
    NoteFactory.create_batch(3, epci=world.epcis["e1"], author_organisation=world.orgs["o1"])
    client.get("/notes/")  # warm the session and content types
    # session, user, current membership, scope (2), count, page, EPCI filter choices
    with django_assert_num_queries(8) as few:
        client.get("/notes/")
    NoteFactory.create_batch(20, epci=world.epcis["e2"], author_organisation=world.orgs["o2"])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/notes/")


def test_the_list_is_paginated(world, login):
    NoteFactory.create_batch(30, epci=world.epcis["e1"])
    response = login(world.users["manager"]).get("/notes/?page=2")
    assert len(response.context["page"].object_list) == 5
    assert login(world.users["manager"]).get("/notes/?page=999").status_code == 200


def test_the_csv_export_holds_exactly_the_filtered_visible_notes(world, login):
    NoteFactory(epci=world.epcis["e1"], title="Friche; « Louvroil »", body="ligne 1\nligne 2")
    NoteFactory(epci=world.epcis["e1"], title="Autre sujet")
    NoteFactory(epci=world.epcis["e3"], title="Friche d'un autre territoire")
    response = login(world.users["manager"]).get("/notes/export.csv?q=friche")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="notes-')
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:5] == ["N°", "Créée le", "EPCI", "Visibilité", "Titre"]
    assert [r[4] for r in rows[1:]] == ["Friche; « Louvroil »"]
    assert rows[1][5] == "ligne 1\nligne 2"
    assert rows[1][3] == "EPCI concerné"


def test_a_note_is_filed_under_the_authors_organisation_for_that_epci(world, login):
    from tests.factories import MembershipFactory

    # agent_e1 also acts as a partner for the sous-préfecture, and has chosen that hat.
    extra = MembershipFactory(
        user=world.users["agent_e1"],
        organisation=world.orgs["state"],
        territory=world.territory_a,
        role="partner",
    )
    client = login(world.users["agent_e1"])
    client.post(f"/comptes/organisation/{extra.pk}/choisir/")
    client.post("/notes/nouvelle/", note_form(world))
    assert Note.objects.get().author_organisation == world.orgs["o1"]
    login(world.users["manager"]).post("/notes/nouvelle/", note_form(world, title="CCI"))
    assert Note.objects.get(title="CCI").author_organisation == world.orgs["cci"]
