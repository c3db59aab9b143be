"""Writes of the governance app: one atomic, keyword-only function per write, checking that
the acting user runs the territory's governance (`perms.can_manage`; None: a system write,
the demo) and leaving one audit event.

A meeting's agenda, attendance and outcomes are frozen once its minutes are locked (a
correction is an addendum); the one write still allowed is the follow-up of an action
(`outcome_mark_done`), which the action's owner may also make."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts.models import Membership
from pilote.core import audit, locking
from pilote.governance import perms
from pilote.governance.enums import AttendanceStatus, MeetingStatus, MinutesStatus, OutcomeKind
from pilote.governance.models import (
    AgendaItem,
    Attendee,
    Body,
    Meeting,
    Member,
    Minutes,
    Outcome,
)

BODY_FIELDS = {"name", "kind", "description", "required_per_year", "position"}
MEMBER_FIELDS = {"user", "name", "role", "organisation", "position"}
MEETING_FIELDS = {
    "title", "starts_at", "ends_at", "place", "status", "epci", "notes", "recurrence",
    "recurrence_count",
}  # fmt: skip
AGENDA_FIELDS = {
    "title", "description", "presenter", "duration_minutes", "project", "application", "call",
    "indicator", "position",
}  # fmt: skip
OUTCOME_FIELDS = {"kind", "text", "owner", "due_on", "done_on"}
LOCKED = "Le compte rendu est verrouillé : ajoutez un addendum."


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
    meeting = Meeting(
        body=body, author=acting_user if getattr(acting_user, "pk", None) else None, **fields
    )
    _check_schedule(meeting)
    meeting.save()
    audit.record(
        actor=acting_user, action="governance_meeting.create", obj=meeting,
        after=audit.snapshot(meeting),
    )  # fmt: skip
    return meeting


def _check_schedule(meeting: Meeting) -> None:
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": "La fin doit suivre le début de la réunion."})


@transaction.atomic
def meeting_update(
    *, acting_user, meeting: Meeting, version: str | None = None, **changes
) -> Meeting:
    """Change the meeting. `version`: the one the edit form was read at (`core.locking`;
    None: not checked)."""
    meeting = locking.lock(meeting, version)
    _check(acting_user, meeting.body.territory)
    _unknown(changes, MEETING_FIELDS)
    if "epci" in changes:
        _check_epci(meeting.body, changes["epci"])
    before = audit.snapshot(meeting)
    for name, value in changes.items():
        setattr(meeting, name, value)
    _check_schedule(meeting)
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


# --- Agenda, attendance and outcomes ------------------------------------------------------


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _meeting_for_write(meeting: Meeting, acting_user, *, frozen: bool = True) -> Meeting:
    """Check that `acting_user` runs the meeting's territory and, with `frozen`, that the
    minutes are not locked. The minutes row (if any) is locked until the transaction ends, so
    that a concurrent locking of the minutes waits for this write (or this write sees it)."""
    meeting = Meeting.objects.select_related("body__territory").get(pk=meeting.pk)
    _check(acting_user, meeting.body.territory)
    if frozen:
        _check_not_locked(meeting)
    return meeting


def _check_not_locked(meeting: Meeting) -> None:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None and minutes.status == MinutesStatus.LOCKED:
        raise ValidationError(LOCKED)


def reads_meeting(user, meeting: Meeting) -> bool:
    """Does `user` read `meeting` (`perms.meetings_q`)?"""
    return Meeting.objects.filter(perms.meetings_q(user), pk=meeting.pk).exists()


def _check_links(acting_user, territory, item: AgendaItem) -> None:
    """The records an item discusses: a project or an application the acting user sees, of an
    EPCI of the territory; a call window; an indicator code of the programme."""
    from pilote.accompaniment.models import Project
    from pilote.aids.models import CallWindow
    from pilote.applications.models import Application
    from pilote.indicators.indicators import LABELS

    epci_ids = set(territory.epcis.values_list("pk", flat=True))
    for field, model, label in (
        ("project", Project, "Ce projet"),
        ("application", Application, "Ce dossier"),
    ):
        record = getattr(item, field)
        if record is None:
            continue
        if not isinstance(record, model):
            raise ValueError(f"{field} : {model.__name__} attendu")
        visible = acting_user is None or (
            model.objects.visible_to(acting_user).filter(pk=record.pk).exists()
        )
        if not visible or record.epci_id not in epci_ids:
            raise ValidationError({field: f"{label} n'est pas accessible sur ce territoire."})
    if item.call is not None and not isinstance(item.call, CallWindow):
        raise ValueError("call : CallWindow attendu")
    if item.indicator and item.indicator not in LABELS:
        raise ValidationError({"indicator": "Cet indicateur n'existe pas dans le programme."})
    if not (item.title or "").strip():
        raise ValidationError({"title": "Indiquez l'intitulé du point."})


@transaction.atomic
def agenda_item_create(
    *,
    acting_user,
    meeting: Meeting,
    title: str,
    description: str = "",
    presenter: str = "",
    duration_minutes: int | None = None,
    project=None,
    application=None,
    call=None,
    indicator: str = "",
    position: int | None = None,
) -> AgendaItem:
    """A point of the meeting's agenda (`position` None: after the last one)."""
    meeting = _meeting_for_write(meeting, acting_user)
    if position is None:
        last = meeting.agenda_items.order_by("-position").values_list("position", flat=True)
        position = (last.first() or 0) + 1
    item = AgendaItem(
        meeting=meeting, position=position, title=title, description=description,
        presenter=presenter, duration_minutes=duration_minutes, project=project,
        application=application, call=call, indicator=indicator or "",
    )  # fmt: skip
    _check_links(acting_user, meeting.body.territory, item)
    item.save()
    audit.record(
        actor=acting_user, action="governance_agenda_item.create", obj=item,
        after=audit.snapshot(item),
    )  # fmt: skip
    return item


@transaction.atomic
def agenda_item_update(
    *, acting_user, item: AgendaItem, version: str | None = None, **changes
) -> AgendaItem:
    """Change a point of the agenda. `version`: the one the edit form was read at."""
    _unknown(changes, AGENDA_FIELDS)
    if "position" in changes and changes["position"] is None:
        del changes["position"]  # an empty position keeps the item where it is
    item = locking.lock(item, version)
    meeting = _meeting_for_write(item.meeting, acting_user)
    before = audit.snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    if "indicator" in changes:
        item.indicator = item.indicator or ""
    # Only the links being set are checked: a link set by someone else, which this user may
    # not see, is kept as it is (the form does not offer it and sends no change).
    keep = {f: getattr(item, f) for f in ("project", "application") if f not in changes}
    for field in keep:
        setattr(item, field, None)
    _check_links(acting_user, meeting.body.territory, item)
    for field, value in keep.items():
        setattr(item, field, value)
    item.save()
    audit.record(
        actor=acting_user, action="governance_agenda_item.update", obj=item, before=before,
        after=audit.snapshot(item),
    )  # fmt: skip
    return item


@transaction.atomic
def agenda_item_delete(*, acting_user, item: AgendaItem) -> None:
    """Remove a point of the agenda, and its outcomes."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    _meeting_for_write(item.meeting, acting_user)
    audit.record(
        actor=acting_user, action="governance_agenda_item.delete", obj=item,
        before=audit.snapshot(item),
        extra={"outcomes": list(item.outcomes.values_list("pk", flat=True))},
    )  # fmt: skip
    item.delete()


def _check_member(meeting: Meeting, member) -> None:
    if member is not None and member.body_id != meeting.body_id:
        raise ValidationError({"member": "Cette personne n'est pas membre de l'instance."})


@transaction.atomic
def attendee_add(
    *,
    acting_user,
    meeting: Meeting,
    member=None,
    name: str = "",
    email: str = "",
    organisation_name: str = "",
) -> Attendee:
    """Invite a member of the body, or a guest written down by name."""
    meeting = _meeting_for_write(meeting, acting_user)
    _check_member(meeting, member)
    if member is None and not name.strip():
        raise ValidationError({"name": "Indiquez le nom de la personne invitée."})
    if member is not None:
        if meeting.attendees.filter(member=member).exists():
            raise ValidationError({"member": "Cette personne est déjà invitée."})
        email = email or (member.user.email if member.user_id else "")
        if not organisation_name and member.organisation_id:
            organisation_name = str(member.organisation)
    attendee = Attendee.objects.create(
        meeting=meeting, member=member, name=name.strip(), email=email,
        organisation_name=organisation_name,
    )  # fmt: skip
    audit.record(
        actor=acting_user, action="governance_attendee.create", obj=attendee,
        after=audit.snapshot(attendee),
    )  # fmt: skip
    return attendee


@transaction.atomic
def attendees_from_members(*, acting_user, meeting: Meeting) -> int:
    """Invite every member of the body not invited yet; the number invited. One audit event
    on the meeting."""
    meeting = _meeting_for_write(meeting, acting_user)
    invited = meeting.attendees.filter(member__isnull=False).values("member_id")
    created = []
    for member in meeting.body.members.exclude(pk__in=invited).select_related(
        "user", "organisation"
    ):
        created.append(
            Attendee.objects.create(
                meeting=meeting,
                member=member,
                email=member.user.email if member.user_id else "",
                organisation_name=str(member.organisation) if member.organisation_id else "",
            )
        )
    if created:
        audit.record(
            actor=acting_user, action="governance_meeting.invite_members", obj=meeting,
            extra={"attendees": [a.pk for a in created]},
        )  # fmt: skip
    return len(created)


@transaction.atomic
def attendance_mark(*, acting_user, attendee: Attendee, status: str) -> Attendee:
    """Record whether an invited person came (présent, excusé, absent, or back to invité)."""
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": "Choisissez une présence valide."})
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    _meeting_for_write(attendee.meeting, acting_user)
    if attendee.status == status:
        return attendee
    before = audit.snapshot(attendee)
    attendee.status = status
    attendee.save(update_fields=["status"])
    audit.record(
        actor=acting_user, action="governance_attendee.update", obj=attendee, before=before,
        after=audit.snapshot(attendee),
    )  # fmt: skip
    return attendee


def _check_outcome(outcome: Outcome, meeting: Meeting) -> None:
    """An action has an owner, who works in the territory and reads the meeting, and a due
    date; an information or a decision has neither."""
    if outcome.kind not in OutcomeKind.values:
        raise ValidationError({"kind": "Choisissez : information, décision ou action."})
    if not (outcome.text or "").strip():
        raise ValidationError({"text": "Indiquez le relevé."})
    if outcome.kind != OutcomeKind.ACTION:
        if outcome.owner_id or outcome.due_on or outcome.done_on:
            raise ValidationError(
                "Seule une action a un responsable, une échéance et une date de réalisation."
            )
        return
    errors = {}
    if outcome.owner_id is None:
        errors["owner"] = "Une action a un responsable."
    elif not _works_in(outcome.owner, meeting):
        errors["owner"] = (
            "Le responsable doit être membre actif d'une organisation du territoire et pouvoir "
            "lire cette réunion."
        )
    if outcome.due_on is None:
        errors["due_on"] = "Une action a une échéance."
    if errors:
        raise ValidationError(errors)


def _works_in(user, meeting: Meeting) -> bool:
    territory = meeting.body.territory
    return Membership.objects.active().filter(
        user=user, territory=territory
    ).exists() and reads_meeting(user, meeting)


@transaction.atomic
def outcome_create(
    *, acting_user, item: AgendaItem, kind: str, text: str, owner=None, due_on=None
) -> Outcome:
    """Record what came out of an agenda item: an information, a decision, or an action
    (with its owner and due date)."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    meeting = _meeting_for_write(item.meeting, acting_user)
    outcome = Outcome(
        item=item, kind=kind, text=text, owner=owner, due_on=due_on, author=_user(acting_user)
    )
    _check_outcome(outcome, meeting)
    outcome.save()
    audit.record(
        actor=acting_user, action="governance_outcome.create", obj=outcome,
        after=audit.snapshot(outcome),
    )  # fmt: skip
    return outcome


@transaction.atomic
def outcome_update(
    *, acting_user, outcome: Outcome, version: str | None = None, **changes
) -> Outcome:
    """Change an outcome. `version`: the one the edit form was read at."""
    _unknown(changes, OUTCOME_FIELDS)
    outcome = locking.lock(outcome, version)
    meeting = _meeting_for_write(outcome.item.meeting, acting_user)
    before = audit.snapshot(outcome)
    for name, value in changes.items():
        setattr(outcome, name, value)
    _check_outcome(outcome, meeting)
    outcome.save()
    audit.record(
        actor=acting_user, action="governance_outcome.update", obj=outcome, before=before,
        after=audit.snapshot(outcome),
    )  # fmt: skip
    return outcome


def can_mark_done(user, outcome: Outcome) -> bool:
    """The TI managers of the territory, and the action's owner if they read the meeting."""
    meeting = outcome.item.meeting
    if outcome.kind != OutcomeKind.ACTION:
        return False
    if perms.can_manage(user, meeting.body.territory):
        return True
    return (
        getattr(user, "pk", None) is not None
        and outcome.owner_id == user.pk
        and reads_meeting(user, meeting)
    )


@transaction.atomic
def outcome_mark_done(*, acting_user, outcome: Outcome, done_on=None) -> Outcome:
    """Mark an action done (`done_on`: today by default). The follow-up of an action: allowed
    after the minutes are locked, by the TI managers and by the action's owner."""
    outcome = (
        Outcome.objects.select_for_update()
        .select_related("item__meeting__body__territory")
        .get(pk=outcome.pk)
    )
    if outcome.kind != OutcomeKind.ACTION:
        raise ValidationError("Seule une action peut être marquée faite.")
    if acting_user is not None and not can_mark_done(acting_user, outcome):
        raise PermissionDenied(
            "Seuls les chefs de projet TI et le responsable de l'action la marquent faite."
        )
    before = audit.snapshot(outcome)
    outcome.done_on = done_on or timezone.localdate()
    outcome.save()
    audit.record(
        actor=acting_user, action="governance_outcome.done", obj=outcome, before=before,
        after=audit.snapshot(outcome),
    )  # fmt: skip
    return outcome
