"""Who reads and who runs the governance of a territory (docs/governance.md#permissions).

Bodies and their meetings are read by every member organisation of the territory — TI
managers, EPCI agents, partners — but not by an administrator who holds no other role
there (404). A bilateral meeting with one EPCI (`Meeting.epci`) is that EPCI's follow-up:
only the TI managers of the territory and that EPCI's agents read it; it counts in the
cadence only for them. The TI managers run everything: bodies, members, meetings.
"""

from __future__ import annotations

from django.db.models import Q

from pilote.accounts.scope import get_scope


def reader_territory_ids(user) -> frozenset[int]:
    """The territories whose governance `user` reads (administrators excluded)."""
    from pilote.territories.models import Territory

    scope = get_scope(user)
    if not scope.territory_epci_ids:
        return frozenset()
    return frozenset(
        Territory.objects.filter(
            pk__in=scope.territory_ids, epcis__in=scope.territory_epci_ids
        ).values_list("pk", flat=True)
    )


def can_read(user, territory) -> bool:
    return territory is not None and territory.pk in reader_territory_ids(user)


def can_manage(user, territory) -> bool:
    return territory is not None and territory.pk in get_scope(user).managed_territory_ids


def meetings_q(user, *, prefix: str = "") -> Q:
    """The meetings `user` reads (`prefix`: the lookup path to the meeting, e.g. "meetings__")."""
    scope = get_scope(user)
    territory = Q(**{f"{prefix}body__territory__in": reader_territory_ids(user)})
    open_ = Q(**{f"{prefix}epci__isnull": True})
    bilateral = Q(**{f"{prefix}body__territory__in": scope.managed_territory_ids}) | Q(
        **{f"{prefix}epci__in": scope.agent_epci_ids}
    )
    return territory & (open_ | bilateral)
