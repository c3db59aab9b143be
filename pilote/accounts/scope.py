"""What a user's memberships give access to, computed once per request and cached on the user.

`pilote.core.visibility` turns this into the confidentiality rule; nothing else should
interpret memberships for follow-up data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pilote.accounts.enums import Role

_CACHE_ATTR = "_pilote_scope"


@dataclass(frozen=True)
class Scope:
    managed_epci_ids: frozenset[str] = frozenset()  # territories the user manages (TI manager)
    agent_epci_ids: frozenset[str] = frozenset()  # the EPCIs the user works for
    member_epci_ids: frozenset[str] = frozenset()  # territories where the user is a member
    partner_epci_ids: frozenset[str] = frozenset()  # territories where the user is a partner
    territory_epci_ids: frozenset[str] = frozenset()  # all of the above
    author_org_ids: frozenset[int] = frozenset()  # organisations whose own records they see
    roles: frozenset[str] = frozenset()
    managed_territory_ids: frozenset[int] = frozenset()
    admin_territory_ids: frozenset[int] = frozenset()
    territory_ids: frozenset[int] = frozenset()
    # For each EPCI the user may write on, the organisation a new record is filed under.
    writing_org_by_epci: tuple[tuple[str, int], ...] = ()

    def writing_organisation_id(self, epci_id: str) -> int | None:
        return dict(self.writing_org_by_epci).get(epci_id)

    @property
    def is_empty(self) -> bool:
        return not self.territory_epci_ids

    @property
    def history_territory_ids(self) -> frozenset[int]:
        """Territories whose audit trails the user may read (TI manager or administrator)."""
        return self.managed_territory_ids | self.admin_territory_ids


EMPTY = Scope()


def get_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _compute(user) -> Scope:
    from pilote.accounts.models import Membership
    from pilote.territories.models import Territory

    memberships = list(
        Membership.objects.active()
        .filter(user=user)
        .values_list("role", "territory_id", "organisation_id", "organisation__epci_id")
    )
    if not memberships:
        return EMPTY
    territory_ids = {territory_id for _, territory_id, _, _ in memberships}
    epcis_of: dict[int, set[str]] = defaultdict(set)
    for territory_id, epci_id in Territory.epcis.through.objects.filter(
        territory_id__in=territory_ids
    ).values_list("territory_id", "epci_id"):
        epcis_of[territory_id].add(epci_id)

    managed, agent, member, partner, orgs = set(), set(), set(), set(), set()
    managed_territories, admin_territories, roles = set(), set(), set()
    writing_org: dict[str, int] = {}
    for role, territory_id, organisation_id, org_epci_id in memberships:
        roles.add(role)
        territory_epcis = epcis_of[territory_id]
        if role == Role.TI_MANAGER:
            managed |= territory_epcis
            member |= territory_epcis
            managed_territories.add(territory_id)
            orgs.add(organisation_id)
        elif role == Role.EPCI_AGENT:
            if org_epci_id in territory_epcis:
                agent.add(org_epci_id)
                writing_org[org_epci_id] = organisation_id  # the EPCI's own org comes first
            member |= territory_epcis
            orgs.add(organisation_id)
        elif role == Role.PARTNER:
            partner |= territory_epcis
            orgs.add(organisation_id)
        elif role == Role.ADMIN:  # accounts and reference data, no follow-up
            admin_territories.add(territory_id)
    for role, territory_id, organisation_id, _ in memberships:
        if role == Role.TI_MANAGER:
            for epci_id in epcis_of[territory_id]:
                writing_org.setdefault(epci_id, organisation_id)
    return Scope(
        managed_epci_ids=frozenset(managed),
        agent_epci_ids=frozenset(agent),
        member_epci_ids=frozenset(member),
        partner_epci_ids=frozenset(partner),
        territory_epci_ids=frozenset(managed | agent | member | partner),
        author_org_ids=frozenset(orgs),
        roles=frozenset(roles),
        managed_territory_ids=frozenset(managed_territories),
        admin_territory_ids=frozenset(admin_territories),
        territory_ids=frozenset(territory_ids),
        writing_org_by_epci=tuple(sorted(writing_org.items())),
    )
