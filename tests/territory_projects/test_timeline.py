"""Territory projects on the establishment's timeline (pilote.companies.registry): the project
and its milestones reached, to the readers who see the project only."""

import datetime as dt
import html

import pytest

from pilote.companies import registry
from pilote.core.enums import CHOSEN, Visibility
from pilote.territory_projects import services
from pilote.territory_projects.timeline import timeline_entries
from tests.factories import EstablishmentFactory
from tests.territory_projects.factories import make_project
from tests.territory_projects.test_access import third_epci_agent

pytestmark = pytest.mark.django_db


def page(client, site) -> str:
    response = client.get(site.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_source_is_registered_once():
    assert registry.timeline_sources.count(timeline_entries) == 1


def test_a_project_and_its_milestones_on_the_establishments_timeline(world, login):
    site = EstablishmentFactory(epci=world.epcis["e1"])
    other_site = EstablishmentFactory(epci=world.epcis["e1"])
    project = make_project(world, epci="e1", visibility=CHOSEN, shared_with=["e2"],
                           title="Boucle de chaleur fatale", establishments=[site],
                           starts_on=dt.date(2026, 3, 1))  # fmt: skip
    services.milestone_add(acting_user=world.users["agent_e1"], project=project,
                           title="Étude de faisabilité rendue", due_on=dt.date(2026, 6, 1),
                           done_on=dt.date(2026, 5, 28))  # fmt: skip
    services.milestone_add(acting_user=world.users["agent_e1"], project=project,
                           title="Travaux lancés", due_on=dt.date(2027, 3, 1))  # fmt: skip

    entries = timeline_entries(world.users["agent_e2"], site)
    assert [(e.at, e.kind, e.title) for e in entries] == [
        (dt.date(2026, 3, 1), "Projet de territoire", "Boucle de chaleur fatale"),
        (dt.date(2026, 5, 28), "Jalon de projet", "Étude de faisabilité rendue"),
    ]  # the milestone not reached is no event of the establishment's history
    assert {e.url for e in entries} == {project.get_absolute_url()}
    assert timeline_entries(world.users["agent_e2"], other_site) == []

    text = page(login(world.users["agent_e2"]), site)
    assert "Boucle de chaleur fatale" in text
    assert "Étude de faisabilité rendue" in text
    assert f'href="{project.get_absolute_url()}"' in text


def test_who_may_not_see_the_project_sees_nothing_of_it(world, login):
    _, agent_e4 = third_epci_agent(world)
    site = EstablishmentFactory(epci=world.epcis["e1"])
    project = make_project(world, epci="e1", visibility=CHOSEN, shared_with=["e2"],
                           title="Hydrogène Sévéral", establishments=[site])  # fmt: skip
    services.milestone_add(acting_user=world.users["agent_e1"], project=project,
                           title="Jalon Sévéral atteint", due_on=dt.date(2026, 6, 1),
                           done_on=dt.date(2026, 5, 28))  # fmt: skip
    private = make_project(world, epci="e1", visibility=Visibility.PRIVATE,
                           title="Projet privé Sévéral", establishments=[site])  # fmt: skip
    for actor, user in [("agent_e4", agent_e4), ("partner", world.users["partner"])]:
        assert timeline_entries(user, site) == [], actor
        text = page(login(user), site)
        assert "Sévéral" not in text, actor
    text = page(login(world.users["agent_e2"]), site)
    assert project.title in text
    assert private.title not in text  # agent_e1's organisation only
    assert private.title in page(login(world.users["agent_e1"]), site)
