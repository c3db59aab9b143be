"""Writes of the governance app: one atomic, keyword-only function per write, checking that
the acting user runs the territory's governance (`perms.can_manage`; None: a system write,
the demo) and leaving one audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.core import audit
from pilote.governance import perms
from pilote.governance.enums import MeetingStatus
from pilote.governance.models import Body, Meeting, Member

BODY_FIELDS = {"name", "kind", "description", "required_per_year", "position"}
MEMBER_FIELDS = {"user", "name", "role", "organisation", "position"}
MEETING_FIELDS = {"title", "starts_at", "place", "status", "epci", "notes"}


def _check(acting_user, territory) -> None:
    if acting_user is not None and not perms.can_manage(acting_user, territory):
        raise PermissionDenied("Seuls les chefs de projet TI gèrent la gouvernance.")


def _unknown(fields, allowed) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")


def _check_epci(body: Body, epci) -> None:
    if epci is not None and not body.territory.epcis.filter(pk=epci.pk).exists():
        raise ValidationError({"epci": "Cet EPCI n'est pas du territoire."})


@transaction.atomic
def body_create(*, acting_user, territory, organisations=(), **fields) -> Body:
    _check(acting_user, territory)
    _unknown(fields, BODY_FIELDS)
    body = Body.objects.create(territory=territory, **fields)
    body.organisations.set(organisations)
    audit.record(
        actor=acting_user,
        action="governance_body.create",
        obj=body,
        after=audit.snapshot(body),
        extra={"organisations": sorted(o.pk for o in organisations)},
    )
    return body


@transaction.atomic
def body_update(*, acting_user, body: Body, organisations=None, **changes) -> Body:
    _check(acting_user, body.territory)
    _unknown(changes, BODY_FIELDS)
    before = audit.snapshot(body)
    for name, value in changes.items():
        setattr(body, name, value)
    body.save()
    extra = None
    if organisations is not None:
        body.organisations.set(organisations)
        extra = {"organisations": sorted(o.pk for o in organisations)}
    audit.record(
        actor=acting_user,
        action="governance_body.update",
        obj=body,
        before=before,
        after=audit.snapshot(body),
        extra=extra,
    )
    return body


@transaction.atomic
def member_add(*, acting_user, body: Body, **fields) -> Member:
    _check(acting_user, body.territory)
    _unknown(fields, MEMBER_FIELDS)
    if not fields.get("name") and fields.get("user") is None:
        raise ValidationError({"name": "Indiquez un nom ou un compte."})
    member = Member.objects.create(body=body, **fields)
    audit.record(
        actor=acting_user, action="governance_member.create", obj=member,
        after=audit.snapshot(member),
    )  # fmt: skip
    return member


@transaction.atomic
def meeting_create(*, acting_user, body: Body, **fields) -> Meeting:
    _check(acting_user, body.territory)
    _unknown(fields, MEETING_FIELDS)
    _check_epci(body, fields.get("epci"))
    meeting = Meeting.objects.create(
        body=body, author=acting_user if getattr(acting_user, "pk", None) else None, **fields
    )
    audit.record(
        actor=acting_user, action="governance_meeting.create", obj=meeting,
        after=audit.snapshot(meeting),
    )  # fmt: skip
    return meeting


@transaction.atomic
def meeting_update(*, acting_user, meeting: Meeting, **changes) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update().select_related("body__territory").get(pk=meeting.pk)
    )
    _check(acting_user, meeting.body.territory)
    _unknown(changes, MEETING_FIELDS)
    if "epci" in changes:
        _check_epci(meeting.body, changes["epci"])
    before = audit.snapshot(meeting)
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.save()
    audit.record(
        actor=acting_user, action="governance_meeting.update", obj=meeting, before=before,
        after=audit.snapshot(meeting),
    )  # fmt: skip
    return meeting


def meeting_mark_held(*, acting_user, meeting: Meeting) -> Meeting:
    if meeting.starts_at > timezone.now():
        raise ValidationError("Une réunion à venir ne peut pas être marquée tenue.")
    return meeting_update(acting_user=acting_user, meeting=meeting, status=MeetingStatus.HELD)


def meeting_cancel(*, acting_user, meeting: Meeting) -> Meeting:
    return meeting_update(acting_user=acting_user, meeting=meeting, status=MeetingStatus.CANCELLED)
