"""Who reads and who runs events (docs/events.md#permissions).

Events are public information of the territory, like the aid catalogue: every member of
the territory reads the published ones. They are run — created, edited, registrations,
check-in, sign-in sheet, follow-up email — by the TI managers of the territory (every event)
and by the EPCI agents for the events of their own EPCI; a territory-wide event (no EPCI)
is run by the TI managers. Registrations are personal data: only who runs the event reads
them; everyone else gets 404 on those pages. Drafts are seen only by who may run them.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from pilote.accounts.access import NOT_FOUND
from pilote.accounts.scope import get_scope
from pilote.territories.models import Epci


def can_run(user, event) -> bool:
    scope = get_scope(user)
    if event.territory_id in scope.managed_territory_ids:
        return True
    return event.epci_id is not None and event.epci_id in scope.agent_epci_ids


def can_create(user, territory) -> bool:
    return territory is not None and creatable_epcis(user, territory) is not None


def creatable_epcis(user, territory):
    """The EPCI choices of the event form, and whether « tout le territoire » is offered:
    (queryset, territory_wide) — or None when the user may create no event there."""
    scope = get_scope(user)
    epcis = Epci.objects.in_territory(territory).order_by("name")
    if territory.pk in scope.managed_territory_ids:
        return epcis, True
    own = epcis.filter(pk__in=scope.agent_epci_ids)
    if own.exists():
        return own, False
    return None


def readable_q(user) -> Q:
    """The events `user` reads: the published and cancelled events of their territories,
    and the drafts they may run."""
    scope = get_scope(user)
    if not scope.territory_ids:
        return Q(pk__in=[])
    runs = Q(territory__in=scope.managed_territory_ids) | Q(epci__in=scope.agent_epci_ids)
    return Q(territory__in=scope.territory_ids) & (~Q(status="draft") | runs)


def runnable_q(user) -> Q:
    scope = get_scope(user)
    return Q(territory__in=scope.managed_territory_ids) | Q(epci__in=scope.agent_epci_ids)


def get_readable_or_404(queryset, user, **lookup):
    try:
        return queryset.filter(readable_q(user)).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(NOT_FOUND) from exc


def get_runnable_or_404(queryset, user, **lookup):
    """The event if `user` runs it; 404 otherwise (its registrations are personal data)."""
    try:
        return queryset.filter(runnable_q(user)).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(NOT_FOUND) from exc
