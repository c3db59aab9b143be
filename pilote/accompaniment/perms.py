"""Who may do what in accompaniment (docs/accompaniment.md#permissions).

Reading follows the confidentiality rule (`visible_to`). Writing follows prospecting: the TI
manager writes on every EPCI of the territories they manage, an EPCI agent on their own EPCI;
partners and administrators only read what they may see. A *private* record written by another
organisation stays with that organisation and the TI manager.
"""

from pilote.accounts.perms import is_ti_manager
from pilote.accounts.scope import get_scope
from pilote.core.enums import Visibility


def writable_epci_ids(user) -> frozenset[str]:
    scope = get_scope(user)
    return scope.managed_epci_ids | scope.agent_epci_ids


def can_record(user, epci=None) -> bool:
    """May `user` record interactions and follow-up on `epci` (on any EPCI when None)?"""
    writable = writable_epci_ids(user)
    return bool(writable) if epci is None else epci.pk in writable


def can_edit(user, record) -> bool:
    """Edit an interaction, its answers, or a need, project, diagnostic, referral, action or
    level record."""
    scope = get_scope(user)
    if record.epci_id in scope.managed_epci_ids:
        return True
    if record.epci_id not in scope.agent_epci_ids:
        return False
    return (
        record.visibility != Visibility.PRIVATE
        or record.author_organisation_id in scope.author_org_ids
    )


def can_read_guide(user, territory) -> bool:
    return territory is not None and territory.pk in get_scope(user).territory_ids


def can_edit_guide(user, territory) -> bool:
    return territory is not None and is_ti_manager(user, territory)
