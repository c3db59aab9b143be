"""What prospecting contributes to the establishment pages (through pilote.companies.registry)."""

from django.urls import reverse
from django.utils import timezone

from pilote.accounts import access
from pilote.companies.registry import TimelineEntry
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import CampaignTarget


def met_establishments(user):
    """A target « rencontré » in a campaign the user sees is follow-up: the company was met."""
    return (
        CampaignTarget.objects.visible_to(user)
        .filter(status=TargetStatus.MET)
        .values("establishment_id")
    )


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    targets = (
        CampaignTarget.objects.visible_to(user)
        .filter(establishment=establishment)
        .select_related("campaign")
    )
    entries = []
    for target in targets:
        detail = ""
        if target.planned_at:
            detail = "rendez-vous le " + timezone.localtime(target.planned_at).strftime(
                "%d/%m/%Y à %H:%M"
            )
        entries.append(
            TimelineEntry(
                at=target.status_changed_at,
                kind="Prospection",
                title=f"Ciblé par la campagne {target.campaign.name} — "
                f"{target.get_status_display().lower()}",
                url=target.get_absolute_url(),
                detail=detail,
            )
        )
    return entries


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        return []
    url = reverse("prospecting:target_establishment", kwargs={"siret": establishment.siret})
    return [("Ajouter à une campagne", url)]


def directory_actions(user) -> list[tuple[str, str]]:
    """Buttons under a directory search; the directory appends its query string."""
    if not access.can_write_on(user):
        return []
    return [("Ajouter ces établissements à une campagne", reverse("prospecting:from_directory"))]
