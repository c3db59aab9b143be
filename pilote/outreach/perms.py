"""Who manages the newsletter: the TI managers of the list's territory, nobody else (not the
EPCI agents, partners or platform administrators: subscribers are personal data)."""

from __future__ import annotations

from pilote.accounts.perms import is_ti_manager
from pilote.outreach.models import MailingList


def can_manage(user, mailing_list: MailingList) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and is_ti_manager(user, mailing_list.territory)
    )
