"""Writes on bodies and their members that the pages need beyond `services.py`: the body
edit under optimistic locking (`core.locking`), a member's edit and removal. Same rules:
keyword-only, atomic, `perms.can_manage` (None: a system write, the demo), one audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from pilote.core import audit, locking
from pilote.governance import perms, services
from pilote.governance.models import Body, Member

MEMBER_FIELDS = {"user", "name", "role", "organisation", "position"}


def _check(acting_user, territory) -> None:
    if acting_user is not None and not perms.can_manage(acting_user, territory):
        raise PermissionDenied("Seuls les chefs de projet TI gèrent la gouvernance.")


def _check_member_fields(body: Body, fields: dict) -> None:
    user = fields.get("user")
    if (
        user is not None
        and not user.memberships.filter(territory=body.territory, is_active=True).exists()
    ):
        raise ValidationError({"user": "Ce compte n'est pas membre du territoire."})
    organisation = fields.get("organisation")
    if (
        organisation is not None
        and not organisation.territories.filter(pk=body.territory_id).exists()
    ):
        raise ValidationError({"organisation": "Cette organisation n'est pas du territoire."})


def _check_organisations(body_territory, organisations) -> None:
    outside = [o for o in organisations if not o.territories.filter(pk=body_territory.pk).exists()]
    if outside:
        raise ValidationError({"organisations": "Ces organisations ne sont pas du territoire."})


@transaction.atomic
def body_create(*, acting_user, territory, organisations=(), **fields) -> Body:
    """A new body (`services.body_create`), its member organisations checked in the territory."""
    _check(acting_user, territory)
    _check_organisations(territory, organisations)
    return services.body_create(
        acting_user=acting_user, territory=territory, organisations=organisations, **fields
    )


@transaction.atomic
def body_update(
    *, acting_user, body: Body, version: str | None = None, organisations=None, **changes
) -> Body:
    """Change a body; `version`: the one the edit form was read at (a later change by someone
    else raises `locking.StaleEdit`, nothing saved)."""
    body = locking.lock(body, version)
    _check(acting_user, body.territory)
    if organisations is not None:
        _check_organisations(body.territory, organisations)
    return services.body_update(
        acting_user=acting_user, body=body, organisations=organisations, **changes
    )


@transaction.atomic
def member_add(*, acting_user, body: Body, **fields) -> Member:
    _check(acting_user, body.territory)
    _check_member_fields(body, fields)
    return services.member_add(acting_user=acting_user, body=body, **fields)


@transaction.atomic
def member_update(*, acting_user, member: Member, version: str | None = None, **changes) -> Member:
    member = locking.lock(member, version)
    body = member.body
    _check(acting_user, body.territory)
    unknown = set(changes) - MEMBER_FIELDS
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")
    _check_member_fields(body, changes)
    before = audit.snapshot(member)
    for name, value in changes.items():
        setattr(member, name, value)
    if not member.name and member.user_id is None:
        raise ValidationError({"name": "Indiquez un nom ou un compte."})
    member.save()
    audit.record(
        actor=acting_user, action="governance_member.update", obj=member, before=before,
        after=audit.snapshot(member),
    )  # fmt: skip
    return member


@transaction.atomic
def member_remove(*, acting_user, member: Member) -> None:
    member = Member.objects.select_for_update().select_related("body__territory").get(pk=member.pk)
    _check(acting_user, member.body.territory)
    before = audit.snapshot(member)
    audit.record(actor=acting_user, action="governance_member.delete", obj=member, before=before)
    member.delete()
