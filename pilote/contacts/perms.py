"""Who may write contacts: the same rule as every follow-up record (docs/permissions.md).

TI managers write on every EPCI of the territories they manage, EPCI agents on their own
EPCI; partners and administrators only read what the visibility lets them see.
"""

from pilote.accounts.scope import get_scope


def can_create_contact(user, epci=None) -> bool:
    scope = get_scope(user)
    writable = scope.managed_epci_ids | scope.agent_epci_ids
    return bool(writable) if epci is None else epci.pk in writable


def can_edit_contact(user, contact) -> bool:
    """TI managers edit every contact they manage; others, their organisation's contacts on
    an EPCI they may write on. Editing includes the RGPD export and erasure."""
    scope = get_scope(user)
    return contact.epci_id in scope.managed_epci_ids or (
        contact.epci_id in scope.agent_epci_ids
        and contact.author_organisation_id in scope.author_org_ids
    )
