"""Deleting an interaction or a record entered by mistake: who may, what goes with it, what
stays, and the audit event that keeps what it held."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilote.accompaniment import services
from pilote.accompaniment.models import (
    Action,
    Answer,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    answer_to,
    meeting_of,
    site_of,
    written_by,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    "need": (NeedFactory, Need),
    "project": (ProjectFactory, Project),
    "diagnostic": (DiagnosticFactory, Diagnostic),
    "referral": (ReferralFactory, Referral),
    "action": (ActionFactory, Action),
}


def record_of(world, kind, author="agent_e1", epci="e1", **fields):
    factory, _ = FACTORIES[kind]
    return factory(establishment=site_of(world, epci), **written_by(world, author), **fields)


@pytest.mark.parametrize("kind", FACTORIES)
def test_a_record_is_deleted_by_who_may_edit_it_and_the_audit_keeps_it(world, kind):
    record = record_of(world, kind)
    pk, model = record.pk, FACTORIES[kind][1]

    services.record_delete(acting_user=world.users["agent_e1"], record=record)

    assert not model.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action=f"{kind}.delete")
    assert (event.actor, event.object_id) == (world.users["agent_e1"], str(pk))
    assert event.changes  # what the record held, field by field
    assert all(after is None for _, after in event.changes.values())


@pytest.mark.parametrize("user", ["agent_e2", "partner", "admin", "manager_b"])
def test_others_may_not_delete_a_record(world, user):
    need = record_of(world, "need")
    with pytest.raises(PermissionDenied):
        services.record_delete(acting_user=world.users[user], record=need)
    assert Need.objects.filter(pk=need.pk).exists()
    assert not AuditEvent.objects.filter(action="need.delete").exists()


def test_a_private_record_of_another_organisation_stays_with_it(world):
    need = record_of(world, "need", author="manager", visibility=Visibility.PRIVATE)
    with pytest.raises(PermissionDenied):
        services.record_delete(acting_user=world.users["agent_e1"], record=need)
    services.record_delete(acting_user=world.users["manager"], record=need)
    assert not Need.objects.exists()


def test_an_interaction_goes_with_its_answers_and_what_it_produced_stays(world):
    meeting = meeting_of(world, author="agent_e1")
    answer_to(meeting, "effectif", number=45)
    need = NeedFactory(
        establishment=meeting.establishment, interaction=meeting, **written_by(world, "agent_e1")
    )

    with pytest.raises(PermissionDenied):
        services.interaction_delete(acting_user=world.users["agent_e2"], interaction=meeting)
    services.interaction_delete(acting_user=world.users["manager"], interaction=meeting)

    assert not Interaction.objects.exists()
    assert not Answer.objects.exists()
    need.refresh_from_db()
    assert need.interaction is None
    event = AuditEvent.objects.get(action="interaction.delete")
    assert event.changes["answers"] == [1, None]
    assert event.actor == world.users["manager"]


class TestPages:
    def test_the_record_page_offers_deletion_then_asks_before_deleting(self, client, login, world):
        project = record_of(world, "project")
        login(world.users["agent_e1"])
        page = client.get(project.get_absolute_url()).content.decode()
        url = reverse("accompaniment:project_delete", args=[project.pk])
        assert url in page

        confirm = html.unescape(client.get(url).content.decode())
        assert f"Supprimer le projet « {project} » ?" in confirm
        assert "La suppression est définitive" in confirm
        assert Project.objects.filter(pk=project.pk).exists()  # GET deletes nothing

        response = client.post(url)
        assert response.status_code == 302
        assert response.url == project.establishment.get_absolute_url()
        assert not Project.objects.filter(pk=project.pk).exists()
        followed = html.unescape(client.get(response.url).content.decode())
        assert "Le projet est supprimé." in followed

    def test_the_interaction_page_says_what_goes_and_what_stays(self, client, login, world):
        meeting = meeting_of(world, author="agent_e1")
        answer_to(meeting, "effectif", number=12)
        NeedFactory(
            establishment=meeting.establishment,
            interaction=meeting,
            **written_by(world, "agent_e1"),
        )
        login(world.users["agent_e1"])
        url = reverse("accompaniment:interaction_delete", args=[meeting.pk])
        assert url in client.get(meeting.get_absolute_url()).content.decode()

        confirm = html.unescape(client.get(url).content.decode())
        assert "ses réponses à la trame d'entretien (1) sont supprimées" in confirm
        assert "saisis lors de cet échange (1) sont conservés, sans lien avec lui" in confirm

        assert client.post(url).status_code == 302
        assert not Interaction.objects.filter(pk=meeting.pk).exists()
        assert Need.objects.count() == 1

    @pytest.mark.parametrize("user", ["agent_e2", "partner"])
    def test_a_forged_url_for_someone_elses_record_is_refused(self, client, login, world, user):
        """404 for whoever may not see the record, 403 for whoever sees it read-only."""
        need = record_of(world, "need", visibility=Visibility.TERRITORY)
        meeting = meeting_of(world, author="agent_e1", visibility=Visibility.TERRITORY)
        login(world.users[user])
        expected = 403 if user == "agent_e2" else 404
        for url in (
            reverse("accompaniment:need_delete", args=[need.pk]),
            reverse("accompaniment:interaction_delete", args=[meeting.pk]),
        ):
            assert client.get(url).status_code == expected
            assert client.post(url).status_code == expected
        assert Need.objects.filter(pk=need.pk).exists()
        assert Interaction.objects.filter(pk=meeting.pk).exists()
