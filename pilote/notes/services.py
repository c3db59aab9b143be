from django.core.exceptions import PermissionDenied
from django.db import transaction

from pilote.accounts import access
from pilote.core import audit, locking
from pilote.notes.models import Note

EDITABLE_FIELDS = ["title", "body", "visibility", "epci"]


@transaction.atomic
def note_create(
    *, acting_user, epci, title: str, body: str, visibility: str, establishment=None
) -> Note:
    """The note is filed under the author's organisation for that EPCI: the EPCI itself for
    its agents, the TI manager's organisation (CCI) otherwise. A note about an establishment
    belongs to the establishment's EPCI."""
    if establishment is not None and establishment.epci_id != epci.pk:
        raise PermissionDenied("Une note sur un établissement relève de l'EPCI de celui-ci.")
    if not access.can_write_on(acting_user, epci):
        raise PermissionDenied("Vous ne pouvez pas écrire de note pour cet EPCI.")
    note = Note.objects.create(
        epci=epci,
        establishment=establishment,
        title=title,
        body=body,
        visibility=visibility,
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, epci),
    )
    audit.record(actor=acting_user, action="note.create", obj=note, after=audit.snapshot(note))
    return note


@transaction.atomic
def note_update(*, acting_user, note: Note, version: str | None = None, **changes) -> Note:
    """`version`: the one the edit form was read at (`core.locking`)."""
    note = locking.lock(note, version)
    if not access.can_edit(acting_user, note):
        raise PermissionDenied("Vous ne pouvez pas modifier cette note.")
    if "epci" in changes and not access.can_write_on(acting_user, changes["epci"]):
        raise PermissionDenied("Vous ne pouvez pas rattacher cette note à cet EPCI.")
    before = audit.snapshot(note, EDITABLE_FIELDS)
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"Champ non modifiable : {field}")
        setattr(note, field, value)
    note.save()
    audit.record(
        actor=acting_user,
        action="note.update",
        obj=note,
        before=before,
        after=audit.snapshot(note, EDITABLE_FIELDS),
    )
    return note
