"""Every write on prospecting: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts import access
from pilote.companies.enums import EstablishmentState
from pilote.core import audit, feeds, locking
from pilote.core.enums import Visibility
from pilote.core.validators import check_fields
from pilote.prospecting import perms
from pilote.prospecting.enums import TRANSITIONS, VISIT_STATUSES, TargetStatus
from pilote.prospecting.models import CalendarFeed, Campaign, CampaignTarget, ScoringWeights

CAMPAIGN_FIELDS = ["name", "starts_on", "ends_on", "owner", "description", "visibility"]
TARGET_FIELDS = ["status", "planned_at", "assigned_to", "note", "status_changed_at"]
# Adding a whole directory search at once stops here; the best-scored come first.
MAX_TARGETS_PER_ADD = 500
_UNCHANGED = object()


def _check_period(starts_on: dt.date, ends_on: dt.date, changed=("starts_on", "ends_on")) -> None:
    """A plausible period (each date changed), in order."""
    dates = {"starts_on": starts_on, "ends_on": ends_on}
    check_fields(Campaign, **{name: dates[name] for name in changed if name in dates})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "La fin de la campagne précède son début."})


def _check_worker(user, campaign: Campaign, field: str, what: str) -> None:
    """The owner, or the person a target is assigned to, must be able to work the campaign."""
    if user is not None and not access.can_edit(user, campaign):
        raise ValidationError({field: f"{user} ne peut pas {what} cette campagne."})


@transaction.atomic
def campaign_create(
    *,
    acting_user,
    territory,
    epci,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    owner=None,
    description: str = "",
    visibility: str = Visibility.EPCI,
) -> Campaign:
    """A campaign of one EPCI of `territory`, filed under the author's organisation for that
    EPCI (the EPCI itself for its agents, the TI manager's CCI otherwise)."""
    if not access.can_write_on(acting_user, epci):
        raise PermissionDenied("Vous ne pouvez pas créer de campagne pour cet EPCI.")
    if not territory.epcis.filter(pk=epci.pk).exists():
        raise PermissionDenied("Cet EPCI n'est pas membre de ce Territoire d'industrie.")
    _check_period(starts_on, ends_on)
    campaign = Campaign(
        territory=territory,
        epci=epci,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner or acting_user,
        description=description,
        visibility=visibility,
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, epci),
    )
    _check_worker(campaign.owner, campaign, "owner", "piloter")
    campaign.save()
    audit.record(
        actor=acting_user, action="campaign.create", obj=campaign, after=audit.snapshot(campaign)
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, acting_user, campaign: Campaign, version: str | None = None, **changes
) -> Campaign:
    """Change name, period, owner, description or visibility (a campaign keeps its EPCI).
    `version`: the one the edit form was read at (`core.locking`)."""
    campaign = locking.lock(campaign, version)
    if not access.can_edit(acting_user, campaign):
        raise PermissionDenied("Vous ne pouvez pas modifier cette campagne.")
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    for field, value in changes.items():
        if field not in CAMPAIGN_FIELDS:
            raise ValueError(f"Champ non modifiable : {field}")
        setattr(campaign, field, value)
    _check_period(campaign.starts_on, campaign.ends_on, changed=changes.keys())
    if "owner" in changes or "visibility" in changes:
        _check_worker(campaign.owner, campaign, "owner", "piloter")
    campaign.save()
    audit.record(
        actor=acting_user,
        action="campaign.update",
        obj=campaign,
        before=before,
        after=audit.snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@dataclass(frozen=True)
class TargetsAdded:
    added: int
    already: int = 0  # already targets of the campaign
    closed: int = 0  # closed establishments, left out
    truncated: bool = False  # more than `limit` were offered
    limit: int = MAX_TARGETS_PER_ADD

    @property
    def message(self) -> str:
        plural = "s" if self.added > 1 else ""
        parts = [f"{self.added} cible{plural} ajoutée{plural}."]
        if self.already:
            parts.append(f"{self.already} déjà dans la campagne.")
        if self.closed:
            parts.append(f"{self.closed} établissement(s) fermé(s) écarté(s).")
        if self.truncated:
            parts.append(
                f"La sélection dépassait {self.limit} établissements : seuls les {self.limit} "
                "premiers par score ont été pris. Affinez les filtres pour ajouter les suivants."
            )
        return " ".join(parts)


@transaction.atomic
def targets_add(
    *, acting_user, campaign: Campaign, establishments: Iterable, limit: int | None = None
) -> TargetsAdded:
    """Add establishments of the campaign's EPCI as targets « à contacter ».

    `establishments` may be a QuerySet (e.g. a directory search, best first): only its first
    `limit` rows are read (`MAX_TARGETS_PER_ADD` by default). Closed establishments and
    existing targets are skipped.
    """
    if not access.can_edit(acting_user, campaign):
        raise PermissionDenied("Vous ne pouvez pas modifier cette campagne.")
    limit = limit or MAX_TARGETS_PER_ADD
    offered = list(establishments[: limit + 1])
    truncated = len(offered) > limit
    offered = offered[:limit]
    if any(e.epci_id != campaign.epci_id for e in offered):
        raise PermissionDenied("Une campagne ne cible que des établissements de son EPCI.")
    existing = set(
        campaign.targets.filter(establishment__in=[e.pk for e in offered]).values_list(
            "establishment_id", flat=True
        )
    )
    seen: set[int] = set()
    fresh, closed = [], 0
    for establishment in offered:
        if establishment.pk in existing or establishment.pk in seen:
            continue
        if establishment.state != EstablishmentState.ACTIVE:
            closed += 1
            continue
        seen.add(establishment.pk)
        fresh.append(establishment)
    now = timezone.now()
    CampaignTarget.objects.bulk_create(
        [CampaignTarget(campaign=campaign, establishment=e, status_changed_at=now) for e in fresh]
    )
    if fresh:
        audit.record(
            actor=acting_user,
            action="campaign.targets_add",
            obj=campaign,
            extra={"establishments": [e.siret for e in fresh]},
        )
    return TargetsAdded(
        added=len(fresh), already=len(existing), closed=closed, truncated=truncated, limit=limit
    )


@transaction.atomic
def target_update_status(
    *,
    acting_user,
    target: CampaignTarget,
    status: str,
    planned_at: dt.datetime | None = None,
    note: str | None = None,
    assigned_to=_UNCHANGED,
    version: str | None = None,
) -> CampaignTarget:
    """Move a target along `TRANSITIONS`. « Rendez-vous fixé » needs `planned_at`; leaving
    the visit statuses takes the visit off the calendar. `note=None` and an omitted
    `assigned_to` leave those fields as they are."""
    target = locking.lock(target, version)
    campaign = target.campaign
    if not access.can_edit(acting_user, campaign):
        raise PermissionDenied("Vous ne pouvez pas modifier cette campagne.")
    current = TargetStatus(target.status)
    status = TargetStatus(status)
    if status != current and status not in TRANSITIONS[current]:
        raise ValidationError(
            {"status": f"Une cible « {current.label} » ne passe pas à « {status.label} »."}
        )
    if status == TargetStatus.MEETING_PLANNED and planned_at is None:
        raise ValidationError({"planned_at": "Indiquez la date et l'heure du rendez-vous."})
    if planned_at is not None and planned_at != target.planned_at:
        check_fields(CampaignTarget, planned_at=planned_at)
    before = audit.snapshot(target, TARGET_FIELDS)
    if status in VISIT_STATUSES:
        target.planned_at = planned_at or target.planned_at
    else:
        target.planned_at = None
    if status != current:
        target.status = status
        target.status_changed_at = timezone.now()
    if note is not None:
        target.note = note
    if assigned_to is not _UNCHANGED:
        _check_worker(assigned_to, campaign, "assigned_to", "travailler sur")
        target.assigned_to = assigned_to
    target.save()
    audit.record(
        actor=acting_user,
        action="campaign_target.update",
        obj=target,
        before=before,
        after=audit.snapshot(target, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def mark_met(*, meeting, at: dt.datetime, acting_user=None) -> int:
    """`meeting` (a follow-up record about an establishment, e.g. an interaction) was held at
    `at`: the establishment's targets in campaigns running on that day become
    « rencontré » — only in campaigns whose every reader may also see the meeting
    (`access.audience_covers`), so that a private visit never shows through a shared
    campaign. Called by the capabilities that record meetings, which have checked their own
    permissions. Returns how many targets moved."""
    establishment = meeting.establishment
    candidates = (
        CampaignTarget.objects.select_for_update(of=("self",))
        .filter(
            establishment=establishment,
            campaign__starts_on__lte=timezone.localdate(at),  # a meeting within the campaign
            campaign__ends_on__gte=timezone.localdate(at),
        )
        .exclude(status=TargetStatus.MET)
        .select_related("campaign")
    )
    targets = [t for t in candidates if access.audience_covers(meeting, t.campaign)]
    now = timezone.now()
    for target in targets:
        target.status = TargetStatus.MET
        target.status_changed_at = at
        target.updated_at = now  # bulk_update skips auto_now
    CampaignTarget.objects.bulk_update(targets, ["status", "status_changed_at", "updated_at"])
    if targets:
        audit.record(
            actor=acting_user,
            action="campaign_target.mark_met",
            obj=establishment,
            extra={"targets": [t.pk for t in targets], "at": at},
        )
    return len(targets)


@transaction.atomic
def weights_update(
    *, acting_user, territory, version: str | None = None, **weights: int
) -> ScoringWeights:
    """`version`: the one the form was read at, once the weights were saved (`core.locking`)."""
    if not perms.can_edit_weights(acting_user, territory):
        raise PermissionDenied("Seul le chef de projet TI règle le score de prospection.")
    row, created = ScoringWeights.objects.get_or_create(territory=territory)
    if not created:
        row = locking.lock(row, version)
    before = audit.snapshot(row, ScoringWeights.WEIGHT_FIELDS)
    for field, value in weights.items():
        if field not in ScoringWeights.WEIGHT_FIELDS:
            raise ValueError(f"Critère inconnu : {field}")
        setattr(row, field, value)
    row.full_clean()
    row.save()
    audit.record(
        actor=acting_user,
        action="scoring_weights.update",
        obj=row,
        before=before,
        after=audit.snapshot(row, ScoringWeights.WEIGHT_FIELDS),
    )
    return row


def feed_create(*, acting_user) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for `acting_user`; the previous one stops working.
    Returns the feed and its token, which is shown once and never stored."""
    if not perms.can_use_calendar(acting_user):
        raise PermissionDenied("Votre compte n'a pas d'agenda de prospection.")
    return feeds.create(CalendarFeed, acting_user=acting_user)


def feed_revoke(*, acting_user, feed: CalendarFeed) -> CalendarFeed:
    return feeds.revoke(feed, acting_user=acting_user)
