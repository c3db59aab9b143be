"""Who may do what in accompaniment (docs/accompaniment.md#permissions).

Reading and writing interactions and what they produce follow the access layer
(`pilote.accounts.access`): they are the shared work of an EPCI team (`shared_work`), so an
agent edits every non-private record of their EPCI. What is left here is the interview guide.
"""

from pilote.accounts.perms import is_ti_manager
from pilote.accounts.scope import get_scope


def can_read_guide(user, territory) -> bool:
    return territory is not None and territory.pk in get_scope(user).territory_ids


def can_edit_guide(user, territory) -> bool:
    return territory is not None and is_ti_manager(user, territory)
