"""Territory projects for the tests, made through the service as the pages make them."""

from __future__ import annotations

from decimal import Decimal

from pilote.territory_projects import services
from tests.leak_matrix import CHOSEN_SHARES


def make_project(world, *, epci="e1", visibility="chosen", author="agent_e1", title=None,
                 shared_with=None, partners=(), budget="120000.00", **fields):  # fmt: skip
    """A project led by `epci` of territory A, written by `author` (an actor of the world),
    shared with the EPCIs of `CHOSEN_SHARES` (or `shared_with`, keys of `world.epcis`)."""
    chosen = CHOSEN_SHARES.get(epci, []) if shared_with is None else shared_with
    return services.project_create(
        acting_user=world.users[author],
        territory=world.territory_a,
        epci=world.epcis[epci],
        title=title or f"Projet témoin {epci} {visibility} {author}",
        visibility=visibility,
        budget=Decimal(budget),
        partners=[world.epcis[p] for p in partners],
        shared_with=[world.epcis[k] for k in chosen],
        **fields,
    )
