"""Interactions with establishments and the answers of a meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accompaniment.enums import (
    MEETING_KINDS,
    Level,
    QuestionType,
)
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Answer,
    GuideVersion,
    Interaction,
    InterviewGuide,
    Question,
)
from pilote.accompaniment.services._checks import (
    _check_can_edit,
    _check_can_record,
    _check_contacts,
    _check_participants,
)
from pilote.accompaniment.services.records import level_set
from pilote.accounts import access
from pilote.contacts.models import Contact
from pilote.core import audit, locking
from pilote.core.enums import Visibility
from pilote.core.money import to_cents
from pilote.core.validators import check_fields, number_between


def _met_at(day: dt.date, time: dt.time | None = None) -> dt.datetime:
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, time or dt.time(12)))


def _after_meeting(acting_user, interaction: Interaction) -> None:
    """A company met: its prospecting targets become « rencontré » and, if it had no level
    yet, it is now in « sensibilisation »."""
    from pilote.prospecting.services import mark_met

    if interaction.kind not in MEETING_KINDS or interaction.occurred_on > timezone.localdate():
        return  # a planned meeting is not a meeting yet (the score counts it once held)
    mark_met(
        meeting=interaction,
        at=_met_at(interaction.occurred_on, interaction.start_time),
        acting_user=acting_user,
    )
    # A level the author cannot see says nothing to them: the meeting files its own.
    levels = AccompanimentLevel.objects.filter(establishment=interaction.establishment)
    if acting_user is not None:
        levels = levels.visible_to(acting_user)
    if not levels.exists():
        level_set(
            acting_user=acting_user,
            establishment=interaction.establishment,
            level=Level.AWARENESS,
            changed_on=interaction.occurred_on,
            interaction=interaction,
            note="Première rencontre",
        )


# --- Interactions ----------------------------------------------------------------------------

INTERACTION_FIELDS = [
    "kind", "occurred_on", "start_time", "summary", "company_summary", "time_spent_minutes",
    "visibility", "with_epci", "guide_version",
]  # fmt: skip


def _interaction_snapshot(interaction: Interaction) -> dict:
    values = audit.snapshot(interaction, INTERACTION_FIELDS)
    values["participants"] = sorted(interaction.participants.values_list("pk", flat=True))
    values["contacts"] = sorted(interaction.contacts.values_list("pk", flat=True))
    return values


def _check_guide_for(guide: InterviewGuide | None, establishment) -> GuideVersion | None:
    if guide is None:
        return None
    if not guide.territory.epcis.filter(pk=establishment.epci_id).exists():
        raise PermissionDenied("Cette trame est celle d'un autre territoire.")
    version = guide.current_version
    if version is None:
        raise ValidationError("La trame d'entretien n'a pas encore de version publiée.")
    return version


@transaction.atomic
def interaction_create(
    *,
    acting_user,
    establishment,
    kind: str,
    occurred_on: dt.date,
    start_time: dt.time | None = None,
    participants: Iterable = (),
    contacts: Iterable = (),
    summary: str = "",
    company_summary: str = "",
    time_spent_minutes: int = 0,
    visibility: str = Visibility.EPCI,
    guide: InterviewGuide | None = None,
) -> Interaction:
    """Record an interaction with `establishment`; with `guide`, a meeting run on its current
    version. `start_time`: its local time, if known (a visit or rendez-vous). A meeting-like
    kind (visit, meeting, visio, office hours, event) moves the establishment's prospecting
    targets to « rencontré »."""
    _check_can_record(acting_user, establishment)
    epci = establishment.epci
    participants, with_epci = _check_participants(epci, participants)
    contacts = _check_contacts(acting_user, establishment, contacts)
    if time_spent_minutes < 0:
        raise ValidationError({"time_spent_minutes": "Le temps passé ne peut pas être négatif."})
    check_fields(Interaction, occurred_on=occurred_on)
    interaction = Interaction.objects.create(
        establishment=establishment,
        epci=epci,
        kind=kind,
        occurred_on=occurred_on,
        start_time=start_time,
        summary=summary,
        company_summary=company_summary,
        time_spent_minutes=time_spent_minutes,
        visibility=visibility,
        with_epci=with_epci,
        guide_version=_check_guide_for(guide, establishment),
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, epci),
    )
    interaction.participants.set(participants)
    interaction.contacts.set(contacts)
    audit.record(
        actor=acting_user,
        action="interaction.create",
        obj=interaction,
        after=_interaction_snapshot(interaction),
    )
    _after_meeting(acting_user, interaction)
    return interaction


@transaction.atomic
def interaction_update(
    *, acting_user, interaction: Interaction, version: str | None = None, **changes
) -> Interaction:
    """Change kind, date, time (`start_time`, None: no time), participants, contacts,
    summaries, time spent or visibility. The
    answers follow the meeting's visibility. `version`: the one the edit form was read at
    (`core.locking`)."""
    interaction = locking.lock(interaction, version)
    editable = {
        "kind", "occurred_on", "start_time", "summary", "company_summary", "time_spent_minutes",
        "visibility",
    }  # fmt: skip
    _check_can_edit(acting_user, interaction)
    before = _interaction_snapshot(interaction)
    for field, value in changes.items():
        if field in {"participants", "contacts"}:
            continue
        if field not in editable:
            raise ValueError(f"Champ non modifiable : {field}")
        setattr(interaction, field, value)
    if interaction.time_spent_minutes < 0:
        raise ValidationError({"time_spent_minutes": "Le temps passé ne peut pas être négatif."})
    if "occurred_on" in changes:
        check_fields(Interaction, occurred_on=interaction.occurred_on)
    if "participants" in changes:
        participants, interaction.with_epci = _check_participants(
            interaction.epci, changes["participants"]
        )
        interaction.participants.set(participants)
    if "contacts" in changes:
        # The editor chooses among the contacts they may see; the others stay linked.
        unseen = interaction.contacts.exclude(pk__in=Contact.objects.visible_to(acting_user))
        interaction.contacts.set(
            [
                *_check_contacts(acting_user, interaction.establishment, changes["contacts"]),
                *unseen,
            ]
        )
    interaction.save()
    if "visibility" in changes:
        interaction.answers.update(visibility=interaction.visibility, updated_at=timezone.now())
    audit.record(
        actor=acting_user,
        action="interaction.update",
        obj=interaction,
        before=before,
        after=_interaction_snapshot(interaction),
    )
    if {"kind", "occurred_on"} & changes.keys():
        _after_meeting(acting_user, interaction)
    return interaction


@transaction.atomic
def visit_plan(
    *,
    acting_user,
    establishment,
    at: dt.datetime,
    participants: Iterable = (),
    campaign=None,
) -> Interaction:
    """Plan a site visit of `establishment` at `at` (a day after today): ONE planned
    interaction (kind « visite sur site », `occurred_on` the local day of `at` and
    `start_time` its local time, campaign or not) and, with `campaign` (a running campaign
    of the EPCI that targets the establishment), its target set to « rendez-vous fixé » at
    `at`. The interaction is the meeting-to-be: started on the guide, it marks the target
    « rencontré » once its day has come (`_after_meeting`)."""
    from pilote.accompaniment.enums import InteractionKind
    from pilote.prospecting.models import CampaignTarget
    from pilote.prospecting.services import target_update_status

    _check_can_record(acting_user, establishment)
    if timezone.localdate(at) <= timezone.localdate():
        raise ValidationError({"at": "Une visite se planifie à partir de demain."})
    target = None
    if campaign is not None:
        target = CampaignTarget.objects.filter(
            campaign=campaign, establishment=establishment
        ).first()
        if target is None or campaign.epci_id != establishment.epci_id:
            raise ValidationError({"campaign": "Cette campagne ne cible pas cet établissement."})
        if not campaign.starts_on <= timezone.localdate(at) <= campaign.ends_on:
            raise ValidationError(
                {"campaign": "La visite tombe hors de la période de cette campagne."}
            )
    interaction = interaction_create(
        acting_user=acting_user,
        establishment=establishment,
        kind=InteractionKind.SITE_VISIT,
        occurred_on=timezone.localdate(at),
        start_time=timezone.localtime(at).time().replace(second=0, microsecond=0),
        participants=participants,
    )
    if target is not None:
        target_update_status(
            acting_user=acting_user,
            target=target,
            status="meeting_planned",
            planned_at=at,
        )
    return interaction


@transaction.atomic
def interaction_start_meeting(
    *, acting_user, interaction: Interaction, guide: InterviewGuide
) -> Interaction:
    """Run an interaction recorded without the guide on the guide's current version. A
    planned visit (dated after today) started now is held today: its date becomes today and
    its establishment's targets « rencontré » (`_after_meeting`).

    Its time: an interaction started on its own day keeps its `start_time` (the visit
    planned this morning at 14:30 is the one held at 14:30). A planned visit started on an
    earlier day loses it: the time was that of the other day, and the moment the guide is
    opened says nothing sure of when the meeting began (the time can be entered again on
    the interaction's form)."""
    _check_can_edit(acting_user, interaction)
    if interaction.guide_version_id is not None:
        return interaction
    fields = ["guide_version", "occurred_on", "start_time"]
    before = audit.snapshot(interaction, fields)
    interaction.guide_version = _check_guide_for(guide, interaction.establishment)
    held_now = interaction.occurred_on > timezone.localdate()
    if held_now:
        interaction.occurred_on = timezone.localdate()  # a planned visit started: held today
        interaction.start_time = None  # the planned time was that of another day
    interaction.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=acting_user,
        action="interaction.start_meeting",
        obj=interaction,
        before=before,
        after=audit.snapshot(interaction, fields),
    )
    if held_now:  # a past exchange already moved its targets when it was recorded
        _after_meeting(acting_user, interaction)
    return interaction


# --- Answers ---------------------------------------------------------------------------------

ANSWER_FIELDS = ["boolean", "number", "text", "choices"]


def _typed_value(question: Question, value) -> dict:
    """The answer's columns for `value`, checked against the question's type; all empty for
    an empty answer."""
    empty = {"boolean": None, "number": None, "text": "", "choices": []}
    if value is None or value == "" or value == []:
        return empty
    match question.type:
        case QuestionType.YES_NO:
            if not isinstance(value, bool):
                raise ValidationError("Répondez par oui ou par non.")
            return {**empty, "boolean": value}
        case QuestionType.NUMBER:
            try:
                number = Decimal(str(value).replace("\xa0", "").replace(" ", "").replace(",", "."))
            except InvalidOperation as exc:
                raise ValidationError("Saisissez un nombre, par exemple 12 ou 3,5.") from exc
            if not number.is_finite() or abs(number) >= Decimal("1e14"):
                raise ValidationError("Saisissez un nombre, par exemple 12 ou 3,5.")
            number_between(number, question.min_value, question.max_value)
            return {**empty, "number": to_cents(number)}
        case QuestionType.SINGLE_CHOICE:
            if value not in question.choices:
                raise ValidationError("Choisissez l'une des réponses proposées.")
            return {**empty, "choices": [value]}
        case QuestionType.MULTIPLE_CHOICE:
            values = [value] if isinstance(value, str) else list(value)
            if any(v not in question.choices for v in values):
                raise ValidationError("Choisissez parmi les réponses proposées.")
            return {**empty, "choices": [c for c in question.choices if c in values]}
        case _:
            return {**empty, "text": str(value).strip()}


@transaction.atomic
def answer_save(
    *, acting_user, interaction: Interaction, question: Question, value
) -> Answer | None:
    """Record (or change, or clear) the answer to one question of a meeting. Saving the same
    value again writes nothing. Returns the answer, or None once cleared."""
    _check_can_edit(acting_user, interaction)
    if question.version_id != interaction.guide_version_id:
        raise ValidationError("Cette question n'appartient pas à la trame de cet entretien.")
    values = _typed_value(question, value)
    # Autosaves of one meeting may cross: they are taken one at a time.
    Interaction.objects.select_for_update().filter(pk=interaction.pk).first()
    answer = Answer.objects.filter(interaction=interaction, question=question).first()
    if (
        answer is None
        and values["boolean"] is None
        and values["number"] is None
        and not (values["text"] or values["choices"])
    ):
        return None
    if answer is None:
        answer = Answer.objects.create(
            interaction=interaction,
            question=question,
            epci_id=interaction.epci_id,
            visibility=interaction.visibility,
            author=acting_user,
            author_organisation_id=interaction.author_organisation_id,
            **values,
        )
        audit.record(
            actor=acting_user,
            action="answer.create",
            obj=answer,
            after=audit.snapshot(answer, ANSWER_FIELDS),
            extra={"question": question.key},
        )
        return answer
    before = audit.snapshot(answer, ANSWER_FIELDS)
    for field, v in values.items():
        setattr(answer, field, v)
    if answer.is_empty:
        answer.delete()
        audit.record(
            actor=acting_user, action="answer.clear", obj=interaction, before=before,
            extra={"question": question.key},
        )  # fmt: skip
        return None
    after = audit.snapshot(answer, ANSWER_FIELDS)
    if after != before:
        answer.save()
        audit.record(actor=acting_user, action="answer.update", obj=answer, before=before,
                     after=after)  # fmt: skip
    return answer


@transaction.atomic
def interaction_delete(*, acting_user, interaction: Interaction) -> None:
    """Delete an interaction entered by mistake, with its answers: whoever may edit it. The
    needs, projects… it produced stay, no longer linked to it; the prospecting targets it
    marked « rencontré » keep their status. The audit event keeps what it held."""
    _check_can_edit(acting_user, interaction)
    before = _interaction_snapshot(interaction)
    before["answers"] = interaction.answers.count()
    audit.record(actor=acting_user, action="interaction.delete", obj=interaction, before=before)
    interaction.delete()
