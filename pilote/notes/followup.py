"""What notes contribute to the establishment pages (through pilote.companies.registry)."""

from django.urls import reverse

from pilote.accounts import access
from pilote.companies.registry import TimelineEntry
from pilote.notes.models import Note


def followed_establishments(user):
    return (
        Note.objects.visible_to(user).filter(establishment__isnull=False).values("establishment_id")
    )


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    notes = Note.objects.visible_to(user).filter(establishment=establishment)
    return [
        TimelineEntry(
            at=note.created_at,
            kind="Note",
            title=note.title,
            url=note.get_absolute_url(),
            detail=note.get_visibility_display(),
        )
        for note in notes.select_related("author")
    ]


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        return []
    return [("Ajouter une note", f"{reverse('notes:create')}?etablissement={establishment.siret}")]
