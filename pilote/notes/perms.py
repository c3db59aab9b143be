from pilote.accounts.scope import get_scope


def writable_epci_ids(user) -> frozenset[str]:
    """EPCIs on which `user` may write follow-up: TI managers everywhere in their territories,
    EPCI agents on their own EPCI. Partners and administrators read only."""
    scope = get_scope(user)
    return scope.managed_epci_ids | scope.agent_epci_ids


def can_create_note(user, epci=None) -> bool:
    writable = writable_epci_ids(user)
    return bool(writable) if epci is None else epci.pk in writable


def can_edit_note(user, note) -> bool:
    """The author's organisation edits its notes; TI managers edit every note they manage."""
    scope = get_scope(user)
    return note.epci_id in scope.managed_epci_ids or (
        note.epci_id in writable_epci_ids(user)
        and note.author_organisation_id in scope.author_org_ids
    )
