"""A small two-territory world with one actor per role, shared by many tests.

Territory A ("ti-a") has EPCI e1 and e2; territory B ("ti-b") has EPCI e3.

    manager    TI manager of A (CCI)          agent_e1   EPCI agent of e1
    agent_e2   EPCI agent of e2               partner    State partner of A
    admin      platform administrator of A    manager_b  TI manager of B
    agent_e3   EPCI agent of e3               nobody     account with no membership
"""

from dataclasses import dataclass, field

from pilote.accounts.enums import OrganisationKind, Role
from tests.factories import (
    CommuneFactory,
    EpciFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
)

ACTORS = [
    "manager",
    "agent_e1",
    "agent_e2",
    "partner",
    "admin",
    "manager_b",
    "agent_e3",
    "nobody",
]


@dataclass
class World:
    territory_a: object
    territory_b: object
    epcis: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    memberships: dict = field(default_factory=dict)


def build_world() -> World:
    e1 = EpciFactory(name="CA du Premier")
    e2 = EpciFactory(name="CA du Deuxième")
    e3 = EpciFactory(name="CA du Troisième")
    for epci in (e1, e2, e3):
        CommuneFactory(epci=epci)
    ta = TerritoryFactory(name="TI A", slug="ti-a", epcis=[e1, e2])
    tb = TerritoryFactory(name="TI B", slug="ti-b", epcis=[e3])
    world = World(territory_a=ta, territory_b=tb, epcis={"e1": e1, "e2": e2, "e3": e3})
    world.orgs = {
        "cci": OrganisationFactory(name="CCI A", kind=OrganisationKind.CCI, territories=[ta]),
        "o1": OrganisationFactory(
            name="Agglo 1", kind=OrganisationKind.EPCI, epci=e1, territories=[ta]
        ),
        "o2": OrganisationFactory(
            name="Agglo 2", kind=OrganisationKind.EPCI, epci=e2, territories=[ta]
        ),
        "state": OrganisationFactory(
            name="Sous-préfecture A", kind=OrganisationKind.SOUS_PREFECTURE, territories=[ta]
        ),
        "operator": OrganisationFactory(
            name="Exploitant", kind=OrganisationKind.OTHER, territories=[ta]
        ),
        "cci_b": OrganisationFactory(name="CCI B", kind=OrganisationKind.CCI, territories=[tb]),
        "o3": OrganisationFactory(
            name="Agglo 3", kind=OrganisationKind.EPCI, epci=e3, territories=[tb]
        ),
    }
    specs = {
        "manager": ("cci", ta, Role.TI_MANAGER),
        "agent_e1": ("o1", ta, Role.EPCI_AGENT),
        "agent_e2": ("o2", ta, Role.EPCI_AGENT),
        "partner": ("state", ta, Role.PARTNER),
        "admin": ("operator", ta, Role.ADMIN),
        "manager_b": ("cci_b", tb, Role.TI_MANAGER),
        "agent_e3": ("o3", tb, Role.EPCI_AGENT),
    }
    for key, (org, territory, role) in specs.items():
        membership = MembershipFactory(
            user=UserFactory(email=f"{key}@exemple.fr"),
            organisation=world.orgs[org],
            territory=territory,
            role=role,
        )
        world.memberships[key] = membership
        world.users[key] = membership.user
    world.users["nobody"] = UserFactory(email="nobody@exemple.fr")
    return world
