"""The fifth visibility, « EPCI choisis », in the access layer (docs/rules.md)."""

import pytest

from pilote.core.enums import CHOSEN, Visibility
from pilote.territory_projects.models import TerritoryProject
from tests.factories import CommuneFactory, EpciFactory, MembershipFactory, UserFactory
from tests.territory_projects.factories import make_project
from tests.world import ACTORS

pytestmark = pytest.mark.django_db


def seen_by(world, project):
    return {
        actor
        for actor in ACTORS
        if TerritoryProject.objects.visible_to(world.users[actor]).filter(pk=project.pk).exists()
    }


def third_epci_agent(world):
    """A third EPCI in territory A, with its agent."""
    from pilote.accounts.enums import OrganisationKind, Role
    from tests.factories import OrganisationFactory

    e4 = EpciFactory(name="CA du Quatrième")
    CommuneFactory(epci=e4)
    world.territory_a.epcis.add(e4)
    org = OrganisationFactory(name="Agglo 4", kind=OrganisationKind.EPCI, epci=e4,
                              territories=[world.territory_a])  # fmt: skip
    membership = MembershipFactory(user=UserFactory(email="agent_e4@exemple.fr"),
                                   organisation=org, territory=world.territory_a,
                                   role=Role.EPCI_AGENT)  # fmt: skip
    return e4, membership.user


def test_a_project_shared_with_two_chosen_epcis_is_seen_by_them_and_no_third(world):
    e4, agent_e4 = third_epci_agent(world)
    project = make_project(world, epci="e1", shared_with=["e2"])
    assert seen_by(world, project) == {"manager", "agent_e1", "agent_e2"}
    assert not TerritoryProject.objects.visible_to(agent_e4).filter(pk=project.pk).exists()
    # Choosing the third EPCI opens it to its agent, and only then.
    from pilote.territory_projects import services

    services.project_update(acting_user=world.users["manager"], project=project,
                            shared_with=[world.epcis["e2"], e4])  # fmt: skip
    assert TerritoryProject.objects.visible_to(agent_e4).filter(pk=project.pk).exists()
    services.project_update(acting_user=world.users["manager"], project=project,
                            shared_with=[e4])  # fmt: skip
    assert seen_by(world, project) == {"manager", "agent_e1"}


def test_the_carriers_are_always_among_the_chosen(world):
    project = make_project(world, epci="e1", shared_with=[], partners=["e2"])
    assert set(project.shares.values_list("epci_id", flat=True)) == {
        world.epcis["e1"].pk,
        world.epcis["e2"].pk,
    }
    assert "agent_e2" in seen_by(world, project)


def test_a_share_row_never_opens_another_territorys_agent(world):
    """Even a share row written by hand for an EPCI of territory B opens nothing to it."""
    from pilote.territory_projects.models import ProjectShare

    project = make_project(world, epci="e1", shared_with=[])
    ProjectShare.objects.create(project=project, epci=world.epcis["e3"])
    assert "agent_e3" not in seen_by(world, project)


def test_chosen_epcis_outside_the_territory_are_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_project(world, epci="e1", shared_with=["e3"])
    assert "membres du territoire" in str(error.value)


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (Visibility.EPCI, {"manager", "agent_e1"}),
        (CHOSEN, {"manager", "agent_e1", "agent_e2"}),
        (Visibility.TERRITORY, {"manager", "agent_e1", "agent_e2"}),
        (Visibility.PARTNERS, {"manager", "agent_e1", "agent_e2", "partner"}),
        (Visibility.PRIVATE, {"manager", "agent_e1"}),
    ],
)
def test_the_five_visibilities_of_a_project_shared_with_e2(world, visibility, expected):
    project = make_project(world, epci="e1", visibility=visibility, shared_with=["e2"])
    assert seen_by(world, project) == expected
