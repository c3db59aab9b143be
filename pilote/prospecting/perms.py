"""Who may do what in prospecting (docs/permissions.md#prospecting)."""

from pilote.accounts.perms import is_ti_manager
from pilote.accounts.scope import get_scope
from pilote.core.enums import Visibility


def writable_epci_ids(user) -> frozenset[str]:
    """EPCIs whose prospecting `user` may run: every EPCI of the territories they manage
    (TI manager), their own EPCI (agent). Partners and administrators read only."""
    scope = get_scope(user)
    return scope.managed_epci_ids | scope.agent_epci_ids


def can_create_campaign(user, epci=None) -> bool:
    writable = writable_epci_ids(user)
    return bool(writable) if epci is None else epci.pk in writable


def can_edit_campaign(user, campaign) -> bool:
    """A campaign is the shared work plan of its EPCI: the TI manager and the EPCI's agents
    edit it and work its targets. A private campaign stays with its author's organisation
    (and the TI manager), as its visibility says."""
    scope = get_scope(user)
    if campaign.epci_id in scope.managed_epci_ids:
        return True
    if campaign.epci_id not in scope.agent_epci_ids:
        return False
    return (
        campaign.visibility != Visibility.PRIVATE
        or campaign.author_organisation_id in scope.author_org_ids
    )


def can_edit_weights(user, territory) -> bool:
    return is_ti_manager(user, territory)


def can_use_calendar(user) -> bool:
    """Anyone who may see follow-up has a calendar (partners see the visits shared with them)."""
    return not get_scope(user).is_empty
