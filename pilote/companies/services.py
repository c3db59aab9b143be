"""Writes on the company base's settings: sectors and the industrial scope of a territory."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pilote.accounts import perms
from pilote.companies.models import Sector, TerritoryProfile
from pilote.core import audit, locking


def _check(acting_user, territory) -> None:
    if not perms.is_ti_manager(acting_user, territory):
        raise PermissionDenied("Seul le chef de projet TI modifie les filières du territoire.")


@transaction.atomic
def sector_save(
    *, acting_user, territory, sector: Sector | None = None, version: str | None = None, **values
) -> Sector:
    """Create (`sector` None) or change a filière; `version`: the one the edit form was read
    at (`core.locking`)."""
    _check(acting_user, territory)
    if sector is not None:
        sector = locking.lock(sector, version)
    before = audit.snapshot(sector) if sector else {}
    if sector is None:
        sector = Sector(territory=territory)
    for field, value in values.items():
        setattr(sector, field, value)
    sector.save()
    audit.record(
        actor=acting_user,
        action="sector.update" if before else "sector.create",
        obj=sector,
        before=before,
        after=audit.snapshot(sector),
    )
    return sector


@transaction.atomic
def sector_delete(*, acting_user, sector: Sector) -> None:
    _check(acting_user, sector.territory)
    audit.record(
        actor=acting_user, action="sector.delete", obj=sector, before=audit.snapshot(sector)
    )
    sector.delete()


@transaction.atomic
def industrial_sections_set(
    *, acting_user, territory, sections: list[str], version: str | None = None
) -> TerritoryProfile:
    """`version`: the one the form was read at, once the profile exists (`core.locking`)."""
    _check(acting_user, territory)
    profile, created = TerritoryProfile.objects.get_or_create(territory=territory)
    if not created:
        profile = locking.lock(profile, version)
    before = audit.snapshot(profile)
    profile.industrial_sections = sorted(sections)
    profile.save()
    audit.record(
        actor=acting_user,
        action="territory_profile.update",
        obj=profile,
        before=before,
        after=audit.snapshot(profile),
    )
    return profile
