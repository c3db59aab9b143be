"""What aid schemes contribute to the establishment pages (pilote.companies.registry)."""

from django.urls import reverse

from pilote.aids import perms
from pilote.aids.models import Dispatch
from pilote.companies.registry import TimelineEntry


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    """« Signalé à l'EPCI pour <dispositif> »: dispatches the user may see."""
    dispatches = (
        Dispatch.objects.visible_to(user)
        .filter(lines__establishment=establishment)
        .select_related("scheme")
        .distinct()
    )
    return [
        TimelineEntry(
            at=d.created_at,
            kind="Dispositif",
            title=f"Signalé à l'EPCI : {d.scheme.title}",
            url=d.get_absolute_url(),
            detail=" · ".join(filter(None, [d.get_visibility_display(), d.message[:80]])),
        )
        for d in dispatches
    ]


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    """Every member may see which schemes fit (public data)."""
    if establishment.epci is None or not any(
        perms.is_member(user, t) for t in establishment.epci.territories.all()
    ):
        return []
    return [("Dispositifs d'aide éligibles", reverse("aids:match", args=[establishment.siret]))]
