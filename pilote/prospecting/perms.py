"""Who may do what in prospecting beyond the access layer (docs/permissions.md#prospecting).

Creating, editing and working campaigns follow `pilote.accounts.access` (a campaign is the
shared work of its EPCI: `Campaign.shared_work`)."""

from pilote.accounts.perms import is_ti_manager
from pilote.accounts.scope import get_scope


def can_edit_weights(user, territory) -> bool:
    return is_ti_manager(user, territory)


def can_use_calendar(user) -> bool:
    """Anyone who may see follow-up has a calendar (partners see the visits shared with them)."""
    return not get_scope(user).is_empty
