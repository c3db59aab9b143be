"""Bodies and members pages: the TI managers create and edit bodies (optimistic locking),
add, edit and remove members; everyone else gets 404; every write leaves an audit event."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilote.core.locking import StaleEdit, version_of
from pilote.core.models import AuditEvent
from pilote.governance import bodies
from pilote.governance.enums import BodyKind
from pilote.governance.models import Body, Member

pytestmark = pytest.mark.django_db

NOT_MANAGERS = ["agent_e1", "agent_e2", "partner", "admin", "manager_b", "agent_e3", "nobody"]


@pytest.fixture
def body(world):
    body = bodies.body_create(
        acting_user=None, territory=world.territory_a, name="COTECH", kind=BodyKind.TECHNICAL,
        required_per_year=2, organisations=[world.orgs["cci"]],
    )  # fmt: skip
    bodies.member_add(acting_user=None, body=body, name="Paul Directeur", role="DGS")
    return body


def test_the_manager_creates_a_body_with_the_territorys_organisations(client, login, world):
    login(world.users["manager"])
    page = client.get(reverse("governance:body_create"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "CCI A" in text
    assert "Agglo 1" in text
    assert "CCI B" not in text  # another territory's organisation is not offered
    response = client.post(
        reverse("governance:body_create"),
        {
            "name": "Comité local de projet",
            "kind": BodyKind.STEERING,
            "description": "Élus et industriels",
            "required_per_year": "",
            "organisations": [world.orgs["o1"].pk, world.orgs["state"].pk],
            "position": "1",
        },
    )
    body = Body.objects.get(name="Comité local de projet")
    assert response.status_code == 302
    assert response["Location"] == body.get_absolute_url()
    assert body.territory == world.territory_a
    assert body.required_per_year is None
    assert body.frequency_label == "selon les besoins"
    assert set(body.organisations.all()) == {world.orgs["o1"], world.orgs["state"]}
    assert AuditEvent.objects.filter(action="governance_body.create").count() == 1
    # another territory's organisation is refused
    response = client.post(
        reverse("governance:body_create"),
        {"name": "Autre", "kind": BodyKind.OTHER, "organisations": [world.orgs["cci_b"].pk],
         "position": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Body.objects.filter(name="Autre").exists()


def test_list_and_body_pages_link_to_the_forms_for_the_manager_only(client, login, world, body):
    member = body.members.get()
    login(world.users["manager"])
    assert (
        reverse("governance:body_create") in client.get(reverse("governance:list")).content.decode()
    )
    text = client.get(body.get_absolute_url()).content.decode()
    for url in (
        reverse("governance:body_edit", args=[body.pk]),
        reverse("governance:member_add", args=[body.pk]),
        reverse("governance:member_edit", args=[member.pk]),
        reverse("governance:member_remove", args=[member.pk]),
    ):
        assert url in text
    login(world.users["agent_e1"])
    assert (
        reverse("governance:body_create")
        not in client.get(reverse("governance:list")).content.decode()
    )
    text = client.get(body.get_absolute_url()).content.decode()
    assert "Paul Directeur" in text
    assert reverse("governance:body_edit", args=[body.pk]) not in text
    assert reverse("governance:member_edit", args=[member.pk]) not in text


@pytest.mark.parametrize("actor", NOT_MANAGERS)
def test_forms_answer_404_to_everyone_but_the_manager(client, login, world, body, actor):
    member = body.members.get()
    login(world.users[actor])
    if actor != "manager_b":  # who runs territory B creates B's bodies
        assert client.get(reverse("governance:body_create")).status_code == 404
    for url in (
        reverse("governance:body_edit", args=[body.pk]),
        reverse("governance:member_add", args=[body.pk]),
        reverse("governance:member_edit", args=[member.pk]),
    ):
        assert client.get(url).status_code == 404, url
    events = AuditEvent.objects.count()
    assert client.post(reverse("governance:member_remove", args=[member.pk])).status_code == 404
    assert (
        client.post(
            reverse("governance:body_edit", args=[body.pk]),
            {
                "name": "Piraté",
                "kind": BodyKind.OTHER,
                "position": "0",
                "version": version_of(body),
            },
        ).status_code
        == 404
    )
    assert Member.objects.filter(pk=member.pk).exists()
    assert Body.objects.get(pk=body.pk).name == "COTECH"
    assert AuditEvent.objects.count() == events


def test_the_manager_edits_a_body(client, login, world, body):
    login(world.users["manager"])
    url = reverse("governance:body_edit", args=[body.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "COTECH élargi", "kind": BodyKind.TECHNICAL, "required_per_year": "3",
         "organisations": [world.orgs["o2"].pk], "position": "2", "version": version_of(body)},
    )  # fmt: skip
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.name, body.required_per_year, body.position) == ("COTECH élargi", 3, 2)
    assert list(body.organisations.all()) == [world.orgs["o2"]]
    event = AuditEvent.objects.filter(action="governance_body.update").get()
    assert event.changes["name"] == ["COTECH", "COTECH élargi"]


def test_a_stale_body_edit_is_refused_and_says_what_changed(client, login, world, body):
    read_at = version_of(body)
    bodies.body_update(acting_user=world.users["manager"], body=body, required_per_year=4)
    login(world.users["manager"])
    response = client.post(
        reverse("governance:body_edit", args=[body.pk]),
        {"name": "COTECH renommé", "kind": BodyKind.TECHNICAL, "required_per_year": "2",
         "organisations": [world.orgs["cci"].pk], "position": "0", "version": read_at},
    )  # fmt: skip
    assert response.status_code == 200
    text = response.content.decode()
    assert "a été modifiée" in text
    assert "Valeur enregistrée : « 4 »" in text
    body.refresh_from_db()
    assert (body.name, body.required_per_year) == ("COTECH", 4)
    with pytest.raises(StaleEdit):
        bodies.body_update(acting_user=None, body=body, version=read_at, name="X")


def test_the_manager_adds_edits_and_removes_members(client, login, world, body):
    login(world.users["manager"])
    page = client.get(reverse("governance:member_add", args=[body.pk])).content.decode()
    assert world.users["agent_e1"].email in page or world.users["agent_e1"].last_name in page
    # not of the territory (by the option's value: a random last name may be another user's)
    assert f'value="{world.users["agent_e3"].pk}"' not in page
    assert f'value="{world.users["agent_e1"].pk}"' in page
    response = client.post(
        reverse("governance:member_add", args=[body.pk]),
        {"user": world.users["agent_e1"].pk, "name": "", "role": "Directeur du développement",
         "organisation": world.orgs["o1"].pk, "position": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    member = body.members.get(user=world.users["agent_e1"])
    assert member.organisation == world.orgs["o1"]
    # neither account nor name: refused
    response = client.post(
        reverse("governance:member_add", args=[body.pk]),
        {"user": "", "name": " ", "role": "Rien", "position": "0"},
    )
    assert response.status_code == 200
    assert not body.members.filter(role="Rien").exists()
    # an account of another territory: refused
    response = client.post(
        reverse("governance:member_add", args=[body.pk]),
        {"user": world.users["agent_e3"].pk, "role": "Intrus", "position": "0"},
    )
    assert response.status_code == 200
    assert not body.members.filter(role="Intrus").exists()
    response = client.post(
        reverse("governance:member_edit", args=[member.pk]),
        {"user": "", "name": "Jean Binôme", "role": "Binôme industriel", "organisation": "",
         "position": "3", "version": version_of(member)},
    )  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.user, member.name, member.role) == (None, "Jean Binôme", "Binôme industriel")
    assert AuditEvent.objects.filter(action="governance_member.update").count() == 1
    response = client.post(reverse("governance:member_remove", args=[member.pk]))
    assert response.status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(action="governance_member.delete").count() == 1
    assert client.get(reverse("governance:member_remove", args=[member.pk])).status_code in {
        404,
        405,
    }


def test_the_services_refuse_who_does_not_run_the_governance(world, body):
    member = body.members.get()
    for actor in ("agent_e1", "partner", "manager_b"):
        with pytest.raises(PermissionDenied):
            bodies.body_update(acting_user=world.users[actor], body=body, name="X")
        with pytest.raises(PermissionDenied):
            bodies.member_update(acting_user=world.users[actor], member=member, role="X")
        with pytest.raises(PermissionDenied):
            bodies.member_remove(acting_user=world.users[actor], member=member)
    with pytest.raises(ValidationError):
        bodies.member_update(acting_user=None, member=member, name="")
    assert Member.objects.get(pk=member.pk).name == "Paul Directeur"


def test_the_cadence_check_defaults_to_the_only_territory():
    """Without --territory: the only territory that has bodies, or the only territory."""
    import io
    import json

    from django.core.management import CommandError, call_command

    from tests.factories import TerritoryFactory

    TerritoryFactory(name="TI seul", slug="ti-seul")
    out = io.StringIO()
    call_command("governance_check", "--year", "2026", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"bodies": []}
    TerritoryFactory(name="TI autre", slug="ti-autre")
    with pytest.raises(CommandError):  # two territories, no body: which one?
        call_command("governance_check", "--year", "2026", stdout=io.StringIO())
