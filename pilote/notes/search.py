"""The notes' source for the global search (pilote.search), registered in NotesConfig.ready()."""

from django.utils import timezone
from django.utils.formats import date_format

from pilote.notes.models import Note
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    return Note.objects.visible_to(request.user).search(text).select_related("epci")


def hit(note: Note) -> Hit:
    day = date_format(timezone.localtime(note.created_at).date(), "j F Y")
    return Hit(note.title, note.get_absolute_url(), f"{note.epci.name} · {day}")


source = SearchSource(
    key="notes",
    label="Notes de suivi",
    order=40,
    covers="les notes de suivi que vous pouvez lire (titre et texte)",
    find=find,
    hit=hit,
    list_name="notes:list",
)
