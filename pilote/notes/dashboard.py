from django.db.models import Count

from pilote.accounts import access
from pilote.accounts.enums import Role
from pilote.core.dashboard import panel
from pilote.notes.models import Note
from pilote.territories.models import Epci


@panel(
    roles=[Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER],
    order=20,
    template="notes/_dashboard.html",
)
def recent_notes(request) -> dict:
    notes = Note.objects.visible_to(request.user).select_related("epci", "author")[:5]
    return {"notes": notes, "can_create": access.can_write_on(request.user)}


@panel(roles=[Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER], order=30,
       template="notes/_dashboard_counts.html")  # fmt: skip
def notes_per_epci(request) -> dict:
    """Notes per EPCI, counted among the notes the reader may see: a count of what one may
    not read would still tell that something was written (a private note, another EPCI's)."""
    territory = request.territory
    counts = dict(
        Note.objects.visible_to(request.user)
        .filter(epci__territories=territory)
        .values_list("epci")
        .annotate(n=Count("id"))
        .values_list("epci", "n")
    )
    epcis = Epci.objects.in_territory(territory)
    return {"rows": [(epci, counts.get(epci.pk, 0)) for epci in epcis]}
