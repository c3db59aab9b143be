import pytest
from django.contrib.contenttypes.models import ContentType

from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.notes import services
from tests.factories import NoteFactory


def history_url(obj) -> str:
    return f"/historique/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


@pytest.fixture
def note(world):
    membership = world.memberships["agent_e1"]
    return services.note_create(
        acting_user=membership.user,
        epci=world.epcis["e1"],
        title="Foncier disponible",
        body="Deux lots.",
        visibility=Visibility.EPCI,
    )


def test_a_service_write_records_who_what_and_the_values(world, note):
    event = AuditEvent.objects.for_object(note).get()
    assert event.actor == world.users["agent_e1"]
    assert event.action == "note.create"
    assert event.changes["title"] == [None, "Foncier disponible"]
    assert event.changes["epci"] == [None, world.epcis["e1"].pk]


def test_an_update_records_only_the_changed_fields_before_and_after(world, note):
    services.note_update(
        acting_user=world.users["manager"], note=note, title="Foncier : 3 lots", body="Deux lots."
    )
    event = AuditEvent.objects.for_object(note).filter(action="note.update").get()
    assert event.actor == world.users["manager"]
    assert event.changes == {"title": ["Foncier disponible", "Foncier : 3 lots"]}


def test_a_refused_write_leaves_nothing(world, note):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.note_update(acting_user=world.users["agent_e2"], note=note, title="piraté")
    note.refresh_from_db()
    assert note.title == "Foncier disponible"
    assert AuditEvent.objects.for_object(note).count() == 1


def test_the_ti_manager_reads_the_history_page(world, note, login):
    services.note_update(acting_user=world.users["manager"], note=note, title="Nouveau titre")
    response = login(world.users["manager"]).get(history_url(note))
    assert response.status_code == 200
    html = response.content.decode()
    assert "note.update" in html
    assert "Nouveau titre" in html
    assert "Foncier disponible" in html


@pytest.mark.parametrize("actor", ["agent_e1", "partner"])
def test_other_roles_get_404_on_history(world, note, login, actor):
    assert login(world.users[actor]).get(history_url(note)).status_code == 404


def test_administrators_see_account_history_but_not_follow_up_history(world, note, login):
    client = login(world.users["admin"])
    assert client.get(history_url(note)).status_code == 404
    organisation = world.orgs["o1"]
    from pilote.core import audit

    audit.record(actor=None, action="organisation.create", obj=organisation)
    response = client.get(history_url(organisation))
    assert response.status_code == 200
    assert "organisation.create" in response.content.decode()


def test_a_forged_history_url_answers_404(world, login):
    client = login(world.users["manager"])
    assert client.get("/historique/999999/1/").status_code == 404
    note = NoteFactory(epci=world.epcis["e3"])  # territory B
    assert client.get(history_url(note)).status_code == 404


def test_history_of_accounts_is_limited_to_the_readers_territories(world, login):
    from pilote.core import audit

    for obj in (world.users["agent_e3"], world.orgs["o3"], world.memberships["agent_e3"],
                world.territory_b, world.users["agent_e1"], world.orgs["o1"]):  # fmt: skip
        audit.record(actor=None, action="test.touch", obj=obj)
    for actor in ("manager", "admin"):
        client = login(world.users[actor])
        for foreign in (world.users["agent_e3"], world.orgs["o3"], world.memberships["agent_e3"],
                        world.territory_b):  # fmt: skip
            assert client.get(history_url(foreign)).status_code == 404, (actor, foreign)
        for own in (world.users["agent_e1"], world.orgs["o1"], world.territory_a):
            assert client.get(history_url(own)).status_code == 200, (actor, own)


def test_objects_without_a_history_rule_have_no_history_page(world, login):
    from axes.models import AccessLog

    log = AccessLog.objects.create(username="manager@exemple.fr", ip_address="127.0.0.1")
    client = login(world.users["manager"])
    assert client.get(history_url(log)).status_code == 404


def test_snapshot_values_keep_list_order_and_serialise_nested_objects():
    from decimal import Decimal

    from pilote.core.audit import _json_value

    porteurs = [{"nom": "Région", "roles": ["financeur", "instructeur"]}, {"nom": "Bpifrance"}]
    assert _json_value(porteurs) == porteurs  # order kept, dicts allowed
    assert _json_value(("b", "a")) == ["b", "a"]
    assert _json_value({"b", "a"}) == ["a", "b"]  # a set has no order: a stable one
    assert _json_value({"montant": Decimal("10.50")}) == {"montant": "10.50"}
