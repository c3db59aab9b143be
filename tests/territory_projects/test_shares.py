"""Carriers, shares of the budget, votes and milestones through the services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilote.core.models import AuditEvent
from pilote.territory_projects import services
from pilote.territory_projects.enums import CarrierRole, VoteOutcome
from tests.territory_projects.factories import make_project

pytestmark = pytest.mark.django_db


def shares(project):
    return {c.epci_id: (c.role, c.share) for c in project.carriers.all()}


def test_equal_parts_sum_exactly_to_the_budget(world):
    third = world.epcis["e2"]
    project = make_project(world, epci="e1", partners=["e2"], budget="100000.01")
    got = shares(project)
    assert got[world.epcis["e1"].pk] == (CarrierRole.LEAD, Decimal("50000.01"))
    assert got[third.pk] == (CarrierRole.PARTNER, Decimal("50000.00"))
    assert sum(s for _, s in got.values()) == Decimal("100000.01")


def test_explicit_shares_must_make_the_budget_to_the_cent(world):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    with pytest.raises(ValidationError) as error:
        services.project_create(
            acting_user=world.users["manager"], territory=world.territory_a, epci=e1,
            title="Hydrogène", budget=Decimal("300000"), partners=[e2],
            shares={e1: Decimal("200000"), e2: Decimal("99999.99")},
        )  # fmt: skip
    assert "au centime près" in str(error.value)
    assert "299\xa0999,99\xa0€" in error.value.message_dict["shares"][0]
    project = services.project_create(
        acting_user=world.users["manager"], territory=world.territory_a, epci=e1,
        title="Hydrogène", budget=Decimal("300000"), partners=[e2],
        shares={e1: Decimal("200000"), e2: Decimal("100000")},
    )  # fmt: skip
    assert shares(project)[e2.pk] == (CarrierRole.PARTNER, Decimal("100000.00"))


def test_an_edit_keeps_the_shares_until_the_budget_or_the_carriers_change(world):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    project = services.project_create(
        acting_user=world.users["manager"], territory=world.territory_a, epci=e1,
        title="Friches", budget=Decimal("90000"), partners=[e2],
        shares={e1: Decimal("60000"), e2: Decimal("30000")},
    )  # fmt: skip
    services.project_update(acting_user=world.users["manager"], project=project, title="Friches 2")
    assert shares(project)[e2.pk][1] == Decimal("30000.00")
    services.project_update(acting_user=world.users["manager"], project=project,
                            budget=Decimal("90000.01"))  # fmt: skip
    assert sorted(s for _, s in shares(project).values()) == [
        Decimal("45000.00"),
        Decimal("45000.01"),
    ]
    services.project_update(acting_user=world.users["manager"], project=project, partners=[])
    assert shares(project) == {e1.pk: (CarrierRole.LEAD, Decimal("90000.01"))}


def test_only_who_writes_on_the_lead_epci_creates_and_only_editors_edit(world):
    with pytest.raises(PermissionDenied):
        make_project(world, epci="e1", author="agent_e2")
    with pytest.raises(PermissionDenied):
        make_project(world, epci="e1", author="partner")
    project = make_project(world, epci="e1", author="agent_e1", shared_with=["e2"])
    with pytest.raises(PermissionDenied):  # a chosen EPCI reads, the lead's team edits
        services.project_update(acting_user=world.users["agent_e2"], project=project, title="X")
    services.project_update(acting_user=world.users["manager"], project=project, title="Y")
    actions = list(
        AuditEvent.objects.filter(object_id=str(project.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["territory_project.create", "territory_project.update"]


def test_a_carrier_epcis_agents_record_their_own_councils_vote(world):
    project = make_project(world, epci="e1", partners=["e2"])
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    vote = services.vote_record(
        acting_user=world.users["agent_e2"], project=project, epci=e2,
        voted_on="2026-10-02", deliberation_number="2026-DEL-12", outcome=VoteOutcome.ADOPTED,
    )  # fmt: skip
    assert vote.epci_id == e2.pk
    with pytest.raises(PermissionDenied):  # not for the lead's council
        services.vote_record(acting_user=world.users["agent_e2"], project=project, epci=e1,
                             voted_on="2026-10-02", deliberation_number="1")  # fmt: skip
    with pytest.raises(ValidationError) as error:  # a voted deliberation has its number
        services.vote_record(acting_user=world.users["manager"], project=project, epci=e1,
                             voted_on="2026-10-02", outcome=VoteOutcome.REJECTED)  # fmt: skip
    assert "numéro" in str(error.value)


def test_a_vote_is_for_a_carrying_epci_only(world):
    project = make_project(world, epci="e1", shared_with=["e2"])
    with pytest.raises(ValidationError):
        services.vote_record(acting_user=world.users["manager"], project=project,
                             epci=world.epcis["e2"], voted_on="2026-10-02")  # fmt: skip


def test_milestones_are_checked_and_move_the_projects_version(world):
    project = make_project(world, epci="e1")
    version = project.updated_at
    with pytest.raises(ValidationError):
        services.milestone_add(acting_user=world.users["manager"], project=project,
                               title="Étude", due_on="0001-01-01")  # fmt: skip
    services.milestone_add(acting_user=world.users["manager"], project=project,
                           title="Étude de faisabilité", due_on="2027-03-31")  # fmt: skip
    project.refresh_from_db()
    assert project.updated_at > version
