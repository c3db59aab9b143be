"""Who may do what with aid schemes (docs/aids.md#permissions).

- The catalogue (schemes, windows, calendar, feed) is public reference data: every signed-in
  account reads it. TI managers and platform administrators edit it (it is shared by the
  territories of the instance, and every change is audited).
- Matching and detection read the establishments of the current territory: its members.
- « Informer les EPCI » is the TI manager's, for the territory they run.
- Internal notes and dispatches are follow-up under the access layer
  (`pilote.accounts.access`): read through `visible_to`, written with `can_write_on` /
  `can_edit`.
- Saved searches, subscriptions and calendar addresses belong to their owner alone.
"""

from pilote.accounts.perms import is_platform_admin, is_ti_manager
from pilote.accounts.scope import get_scope


def can_read_catalogue(user) -> bool:
    return user.is_authenticated and user.is_active


def can_edit_catalogue(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and (is_ti_manager(user) or is_platform_admin(user))
    )


def is_member(user, territory) -> bool:
    return territory is not None and territory.pk in get_scope(user).territory_ids


def can_inform_epcis(user, territory) -> bool:
    return territory is not None and is_ti_manager(user, territory)


def can_save_searches(user) -> bool:
    """Any member of a territory (administrators included: the catalogue is public)."""
    return bool(get_scope(user).territory_ids)


def can_use_feed(user) -> bool:
    return bool(get_scope(user).territory_ids)
