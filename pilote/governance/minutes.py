"""The minutes of a meeting (docs/governance.md#minutes): drafted, circulated for comments,
approved, then locked; a locked minute never changes, a correction is an addendum.

Each write is one atomic, keyword-only function checking who writes (`perms`; `acting_user`
None: a system write, the demo) and leaving one audit event:

- `minutes_save` creates or updates the text while the minutes are a draft or circulated
  (optimistic locking: `version` is the `updated_at` the form was read at);
- `minutes_circulate` (draft → circulated, once the meeting is held or past; the attendees
  with an account who read the meeting are told by e-mail), `minutes_approve` (circulated →
  approved), `minutes_lock` (approved → locked): the TI managers, in this order only;
- `minutes_comment`: any reader of the meeting, while the minutes are circulated;
- `addendum_add`: the TI managers, on locked minutes only.

Besides the services, `refuse_locked_change` (a `pre_save` / `pre_delete` receiver connected
in `GovernanceConfig.ready`) refuses any save that would change a locked row and any delete
of one, whatever code calls `save()`. A queryset `.update()` sends no signal and is not
caught: no code of the project updates minutes that way.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.core import audit, locking
from pilote.core.emails import queue_email
from pilote.governance import perms
from pilote.governance.enums import MeetingStatus, MinutesStatus
from pilote.governance.models import Addendum, Meeting, Minutes, MinutesComment

FROZEN = "Un compte rendu approuvé ou verrouillé ne se modifie plus : ajoutez un addendum."
LOCKED = "Ce compte rendu est verrouillé : il ne change plus. Une correction est un addendum."
MANAGERS_ONLY = "Seuls les chefs de projet TI gèrent les comptes rendus."
EDITABLE = (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
# The fields a locked row keeps as they are (everything but the timestamps of the row).
KEPT = ("meeting_id", "text", "status", "circulated_at", "approved_at", "locked_at", "author_id")


def _territory(meeting: Meeting):
    return meeting.body.territory


def _check_manage(acting_user, meeting: Meeting) -> None:
    if acting_user is not None and not perms.can_manage(acting_user, _territory(meeting)):
        raise PermissionDenied(MANAGERS_ONLY)


def reads(user, meeting: Meeting) -> bool:
    """Whether `user` reads `meeting` (and so its minutes): `perms.meetings_q`."""
    return Meeting.objects.filter(perms.meetings_q(user), pk=meeting.pk).exists()


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _locked_minutes(minutes: Minutes) -> Minutes:
    """`minutes` reloaded and its row locked for the transaction."""
    return locking.lock(minutes, None)


def _transition(acting_user, minutes: Minutes, *, source, target, stamp, refusal) -> Minutes:
    minutes = _locked_minutes(minutes)
    _check_manage(acting_user, minutes.meeting)
    if minutes.status != source:
        raise ValidationError(refusal)
    before = audit.snapshot(minutes)
    minutes.status = target
    setattr(minutes, stamp, timezone.now())
    minutes.save()
    audit.record(
        actor=acting_user, action=f"governance_minutes.{target}", obj=minutes, before=before,
        after=audit.snapshot(minutes),
    )  # fmt: skip
    return minutes


@transaction.atomic
def minutes_save(*, acting_user, meeting: Meeting, text: str, version: str | None = None):
    """Create the draft of `meeting`'s minutes, or change their text while they are a draft
    or circulated (circulated minutes stay circulated: the edits are the answers to the
    comments). Approved or locked minutes are refused (`FROZEN`); `version` (the minutes'
    `updated_at` as the form read it; None: not checked) refuses a stale edit with
    `locking.StaleEdit`."""
    meeting = (
        Meeting.objects.select_for_update().select_related("body__territory").get(pk=meeting.pk)
    )
    _check_manage(acting_user, meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError("Une réunion annulée n'a pas de compte rendu.")
        minutes = Minutes.objects.create(meeting=meeting, text=text, author=_user(acting_user))
        audit.record(
            actor=acting_user, action="governance_minutes.create", obj=minutes,
            after=audit.snapshot(minutes),
        )  # fmt: skip
        return minutes
    minutes = locking.lock(minutes, version or None)
    if minutes.status not in EDITABLE:
        raise ValidationError(FROZEN)
    before = audit.snapshot(minutes)
    minutes.text = text
    minutes.save()
    audit.record(
        actor=acting_user, action="governance_minutes.update", obj=minutes, before=before,
        after=audit.snapshot(minutes),
    )  # fmt: skip
    return minutes


def _held_or_past(meeting: Meeting) -> bool:
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    return meeting.status == MeetingStatus.HELD or meeting.starts_at <= timezone.now()


def circulation_recipients(minutes: Minutes):
    """The attendees' accounts told that the minutes are circulated: the attendees who are a
    member with an active account reading the meeting and an e-mail address."""
    users = []
    attendees = minutes.meeting.attendees.select_related("member__user").order_by("pk")
    for attendee in attendees:
        user = attendee.member.user if attendee.member_id and attendee.member else None
        if user is None or not user.is_active or not user.email or user in users:
            continue
        if reads(user, minutes.meeting):
            users.append(user)
    return users


@transaction.atomic
def minutes_circulate(*, acting_user, minutes: Minutes, notify: bool = True) -> Minutes:
    """Draft → circulated, for comments: only once the meeting is held or its date past.
    `notify`: e-mail the attendees' accounts (`circulation_recipients`); the demo does not."""
    locked = _locked_minutes(minutes)
    if locked.status == MinutesStatus.DRAFT and not _held_or_past(locked.meeting):
        _check_manage(acting_user, locked.meeting)
        raise ValidationError(
            "Le compte rendu se diffuse une fois la réunion tenue : elle est à venir ou annulée."
        )
    minutes = _transition(
        acting_user, locked, source=MinutesStatus.DRAFT, target=MinutesStatus.CIRCULATED,
        stamp="circulated_at",
        refusal="Seul un compte rendu en brouillon se diffuse pour relecture.",
    )  # fmt: skip
    for user in circulation_recipients(minutes) if notify else ():
        queue_email("governance.minutes_circulated", minutes_id=minutes.pk, user_id=user.pk)
    return minutes


@transaction.atomic
def minutes_approve(*, acting_user, minutes: Minutes) -> Minutes:
    """Circulated → approved."""
    return _transition(
        acting_user, minutes, source=MinutesStatus.CIRCULATED, target=MinutesStatus.APPROVED,
        stamp="approved_at",
        refusal="Seul un compte rendu diffusé pour relecture peut être approuvé.",
    )  # fmt: skip


@transaction.atomic
def minutes_lock(*, acting_user, minutes: Minutes) -> Minutes:
    """Approved → locked: from then on the minutes never change."""
    return _transition(
        acting_user, minutes, source=MinutesStatus.APPROVED, target=MinutesStatus.LOCKED,
        stamp="locked_at", refusal="Seul un compte rendu approuvé peut être verrouillé.",
    )  # fmt: skip


def _text(text: str, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": f"Écrivez {label}."})
    return text


@transaction.atomic
def minutes_comment(*, acting_user, minutes: Minutes, text: str) -> MinutesComment:
    """A reader of the meeting comments circulated minutes."""
    minutes = _locked_minutes(minutes)
    if acting_user is not None and not reads(acting_user, minutes.meeting):
        raise PermissionDenied("Vous ne lisez pas cette réunion.")
    if minutes.status != MinutesStatus.CIRCULATED:
        raise ValidationError("On ne commente un compte rendu que pendant sa relecture.")
    comment = MinutesComment.objects.create(
        minutes=minutes, text=_text(text, "votre commentaire"), author=_user(acting_user)
    )
    audit.record(
        actor=acting_user, action="governance_minutes.comment", obj=minutes,
        extra={"comment": comment.pk},
    )  # fmt: skip
    return comment


@transaction.atomic
def addendum_add(*, acting_user, minutes: Minutes, text: str) -> Addendum:
    """A correction appended to locked minutes (which stay as they were)."""
    minutes = _locked_minutes(minutes)
    _check_manage(acting_user, minutes.meeting)
    if not minutes.is_locked:
        raise ValidationError(
            "Un addendum ne s'ajoute qu'à un compte rendu verrouillé : tant qu'il ne l'est "
            "pas, modifiez-le."
        )
    addendum = Addendum.objects.create(
        minutes=minutes, text=_text(text, "la correction"), author=_user(acting_user)
    )
    audit.record(
        actor=acting_user, action="governance_minutes.addendum", obj=minutes,
        extra={"addendum": addendum.pk, "text": addendum.text},
    )  # fmt: skip
    return addendum


# --- The model-level guard -------------------------------------------------------------------


def _stored_if_locked(instance: Minutes) -> dict | None:
    if instance.pk is None:
        return None
    stored = Minutes.objects.filter(pk=instance.pk).values(*KEPT).first()
    return stored if stored and stored["status"] == MinutesStatus.LOCKED else None


def refuse_locked_change(sender, instance: Minutes, **kwargs) -> None:
    """`pre_save`: a locked row never changes, whoever saves it."""
    stored = _stored_if_locked(instance)
    if stored and any(getattr(instance, name) != stored[name] for name in KEPT):
        raise ValidationError(LOCKED)


def refuse_locked_delete(sender, instance: Minutes, **kwargs) -> None:
    """`pre_delete`: nor is it deleted."""
    if _stored_if_locked(instance):
        raise ValidationError(LOCKED)
