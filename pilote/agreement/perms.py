"""Who reads and who runs the partnership agreement (docs/agreement.md#permissions).

The agreement, its budget and its follow-up are read by the TI managers and the EPCI agents
of its territory; partners, administrators without another role there and other territories
get 404. A call for funds and its payments are read by the TI managers of the territory and
by the agents of the called EPCI (`party.epci`) only. Only the TI managers write: import the
expenses, issue calls, record payments, send reminders.
"""

from __future__ import annotations

from django.db.models import Q

from pilote.accounts.scope import get_scope


def reader_territory_ids(user) -> frozenset[int]:
    """The territories whose agreement `user` reads: those where they are a TI manager or an
    EPCI agent (partners and administrators excluded)."""
    from pilote.territories.models import Territory

    scope = get_scope(user)
    if not scope.member_epci_ids:
        return frozenset()
    return frozenset(
        Territory.objects.filter(
            pk__in=scope.territory_ids, epcis__in=scope.member_epci_ids
        ).values_list("pk", flat=True)
    )


def can_read(user, territory) -> bool:
    return territory is not None and territory.pk in reader_territory_ids(user)


def can_manage(user, territory) -> bool:
    return territory is not None and territory.pk in get_scope(user).managed_territory_ids


def agreements_q(user, *, prefix: str = "") -> Q:
    """The agreements `user` reads (`prefix`: the lookup path to the agreement)."""
    return Q(**{f"{prefix}territory__in": reader_territory_ids(user)})


def calls_q(user, *, prefix: str = "") -> Q:
    """The calls for funds `user` reads (`prefix`: the lookup path to the call, e.g. "call__"):
    every call of a territory they manage, and the calls to their own EPCI in a territory
    whose agreement they read."""
    scope = get_scope(user)
    territory = f"{prefix}year__agreement__territory__in"
    managed = Q(**{territory: scope.managed_territory_ids})
    own = Q(**{territory: reader_territory_ids(user)}) & Q(
        **{f"{prefix}party__epci__in": scope.agent_epci_ids}
    )
    return managed | own


def can_read_call(user, call) -> bool:
    from pilote.agreement.models import FundsCall

    return FundsCall.objects.filter(calls_q(user), pk=call.pk).exists()


def can_manage_call(user, call) -> bool:
    return can_manage(user, call.year.agreement.territory)
