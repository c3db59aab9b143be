"""The establishment pages and the directory's « suivi » filter under the confidentiality rule.

Outside the leak matrix because these pages answer 404 outside the reader's territory, while
the matrix's sample URLs must answer 200: here 404 counts as showing nothing.
"""

import pytest

from tests.contacts.leak_cases import make_contact
from tests.leak_matrix import SPECIMENS, expected_visible
from tests.world import ACTORS

TERRITORY_A = {"manager", "agent_e1", "agent_e2", "partner", "admin"}


@pytest.fixture
def specimens(world):
    return [
        (spec, make_contact(world, epci=spec[0], visibility=spec[1], author=spec[2]))
        for spec in SPECIMENS
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_establishment_timeline_shows_only_visible_contacts(world, login, specimens, actor):
    client = login(world.users[actor])
    leaks = []
    for spec, contact in specimens:
        response = client.get(contact.main_establishment.get_absolute_url())
        if response.status_code == 404 and actor not in TERRITORY_A:
            continue
        assert response.status_code == 200, (spec, response.status_code)
        shown = contact.last_name in response.content.decode()
        if shown != expected_visible(actor, *spec):
            leaks.append(f"{spec}: affiché={shown}")
    assert not leaks, f"{actor}:\n" + "\n".join(leaks)


@pytest.mark.parametrize("actor", sorted(TERRITORY_A))
def test_the_followed_filter_counts_only_visible_contacts(world, login, specimens, actor):
    client = login(world.users[actor])

    def listed(followed):
        response = client.get(f"/entreprises/?followed={followed}&state=all")
        return {e.pk for e in response.context["page"].object_list}

    visible = {c.main_establishment_id for spec, c in specimens if expected_visible(actor, *spec)}
    hidden = {c.main_establishment_id for spec, c in specimens} - visible
    assert listed("followed") == visible
    assert listed("never") & hidden == hidden
