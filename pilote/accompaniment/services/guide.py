"""The interview guide: installed from the default one, edited through drafts; a published
version never changes, so a meeting keeps its questions."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from pilote.accompaniment import perms
from pilote.accompaniment.enums import (
    CHOICE_TYPES,
    GUIDE_THEMES,
    QuestionType,
)
from pilote.accompaniment.guide_default import DEFAULT_QUESTIONS, NUMBER_BOUNDS
from pilote.accompaniment.models import (
    GuideVersion,
    InterviewGuide,
    Question,
)
from pilote.accounts import access
from pilote.core import audit, locking
from pilote.core.money import to_cents

# --- The interview guide ------------------------------------------------------------------

QUESTION_FIELDS = [
    "theme", "text", "help_text", "type", "choices", "min_value", "max_value",
]  # fmt: skip


def _check_guide_editor(acting_user, guide: InterviewGuide) -> None:
    if not perms.can_edit_guide(acting_user, guide.territory):
        raise PermissionDenied("Seul le chef de projet TI modifie la trame d'entretien.")


def _check_draft(version: GuideVersion) -> None:
    if not version.is_draft:
        raise ValidationError("Une version publiée ne change plus : modifiez le brouillon.")


def _clean_question(*, theme: str, text: str, type: str, choices: Iterable[str]) -> list[str]:
    """The choices of a question, checked against its type."""
    if theme not in GUIDE_THEMES:
        raise ValidationError({"theme": "Choisissez l'un des six thèmes de la trame."})
    if not text.strip():
        raise ValidationError({"text": "Écrivez la question."})
    if type not in QuestionType.values:
        raise ValidationError({"type": "Type de réponse inconnu."})
    cleaned = []
    for choice in choices or []:
        choice = choice.strip()
        if choice and choice not in cleaned:
            cleaned.append(choice)
    if type in CHOICE_TYPES and len(cleaned) < 2:
        raise ValidationError({"choices": "Proposez au moins deux choix, un par ligne."})
    if type not in CHOICE_TYPES and cleaned:
        raise ValidationError({"choices": "Seules les questions à choix proposent des choix."})
    return cleaned


def _clean_bounds(*, type: str, min_value, max_value) -> tuple[Decimal | None, Decimal | None]:
    """The plausible answers of a number question (none for other types)."""
    if type != QuestionType.NUMBER:
        if min_value is not None or max_value is not None:
            raise ValidationError(
                {"min_value": "Seules les questions à réponse numérique ont des bornes."}
            )
        return None, None
    bounds = [None if v is None else to_cents(v) for v in (min_value, max_value)]
    if None not in bounds and bounds[0] > bounds[1]:
        raise ValidationError(
            {"max_value": "La valeur maximale est inférieure à la valeur minimale."}
        )
    return bounds[0], bounds[1]


@transaction.atomic
def guide_install_default(*, acting_user, territory) -> InterviewGuide:
    """The territory's guide, created from the default one (version 1) if it has none.

    The TI manager installs it from the guide page; a first meeting installs it too, so the
    system (`acting_user=None`), the TI manager and the territory's agents may call this."""
    existing = InterviewGuide.objects.filter(territory=territory).first()
    if existing is not None:
        return existing
    if acting_user is not None and not (
        perms.can_edit_guide(acting_user, territory)
        or any(access.can_write_on(acting_user, e) for e in territory.epcis.all())
    ):
        raise PermissionDenied("Vous ne pouvez pas installer la trame de ce territoire.")
    guide = InterviewGuide.objects.create(territory=territory)
    version = GuideVersion.objects.create(
        guide=guide,
        number=1,
        published_at=timezone.now(),
        author=acting_user,
        change_note="Trame par défaut : les six thèmes de la feuille de route.",
    )
    Question.objects.bulk_create(
        Question(
            version=version, theme=theme, key=key, type=type, text=text, choices=choices,
            help_text=help_text, position=(position + 1) * 10,
            min_value=NUMBER_BOUNDS.get(key, (None, None))[0],
            max_value=NUMBER_BOUNDS.get(key, (None, None))[1],
        )
        for position, (theme, key, type, text, choices, help_text) in enumerate(DEFAULT_QUESTIONS)
    )  # fmt: skip
    audit.record(
        actor=acting_user,
        action="interview_guide.install",
        obj=guide,
        after=audit.snapshot(guide),
        extra={"questions": len(DEFAULT_QUESTIONS)},
    )
    return guide


@transaction.atomic
def guide_start_draft(*, acting_user, guide: InterviewGuide) -> GuideVersion:
    """The guide's draft: the existing one, or a copy of the current version."""
    _check_guide_editor(acting_user, guide)
    draft = guide.versions.filter(published_at__isnull=True).first()
    if draft is not None:
        return draft
    current = guide.current_version
    number = (guide.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = GuideVersion.objects.create(guide=guide, number=number, author=acting_user)
    if current is not None:
        Question.objects.bulk_create(
            Question(
                version=draft, key=q.key, theme=q.theme, position=q.position, text=q.text,
                help_text=q.help_text, type=q.type, choices=list(q.choices),
                min_value=q.min_value, max_value=q.max_value,
            )
            for q in current.questions.all()
        )  # fmt: skip
    audit.record(
        actor=acting_user,
        action="interview_guide.draft",
        obj=guide,
        extra={"version": number, "from_version": current.number if current else None},
    )
    return draft


def _new_key(guide: InterviewGuide, text: str) -> str:
    """A key never used by any version of the guide: a new question is not an old one."""
    base = slugify(text)[:60] or "question"
    used = set(Question.objects.filter(version__guide=guide).values_list("key", flat=True))
    key, n = base, 2
    while key in used:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def question_add(
    *,
    acting_user,
    version: GuideVersion,
    theme: str,
    text: str,
    type: str,
    choices: Iterable[str] = (),
    help_text: str = "",
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Question:
    _check_guide_editor(acting_user, version.guide)
    _check_draft(version)
    choices = _clean_question(theme=theme, text=text, type=type, choices=choices)
    min_value, max_value = _clean_bounds(type=type, min_value=min_value, max_value=max_value)
    last = version.questions.aggregate(p=Max("position"))["p"] or 0
    question = Question.objects.create(
        version=version,
        key=_new_key(version.guide, text),
        theme=theme,
        text=text.strip(),
        help_text=help_text.strip(),
        type=type,
        choices=choices,
        min_value=min_value,
        max_value=max_value,
        position=last + 10,
    )
    audit.record(
        actor=acting_user,
        action="interview_guide.question_add",
        obj=version.guide,
        after=audit.snapshot(question),
    )
    return question


@transaction.atomic
def question_update(
    *, acting_user, question: Question, version: str | None = None, **changes
) -> Question:
    """Change a question of the draft; `version`: the one the edit form was read at
    (`core.locking`)."""
    question = locking.lock(question, version)
    draft = question.version
    _check_guide_editor(acting_user, draft.guide)
    _check_draft(draft)
    before = audit.snapshot(question, QUESTION_FIELDS)
    for field, value in changes.items():
        if field not in QUESTION_FIELDS:
            raise ValueError(f"Champ non modifiable : {field}")
        setattr(question, field, value)
    question.choices = _clean_question(
        theme=question.theme, text=question.text, type=question.type, choices=question.choices
    )
    question.min_value, question.max_value = _clean_bounds(
        type=question.type, min_value=question.min_value, max_value=question.max_value
    )
    question.text = question.text.strip()
    question.save()
    audit.record(
        actor=acting_user,
        action="interview_guide.question_update",
        obj=draft.guide,
        before=before,
        after=audit.snapshot(question, QUESTION_FIELDS),
        extra={"question": question.key},
    )
    return question


@transaction.atomic
def question_delete(*, acting_user, question: Question) -> None:
    version = question.version
    _check_guide_editor(acting_user, version.guide)
    _check_draft(version)
    before = audit.snapshot(question)
    question.delete()
    audit.record(
        actor=acting_user, action="interview_guide.question_delete", obj=version.guide,
        before=before,
    )  # fmt: skip


@transaction.atomic
def question_move(*, acting_user, question: Question, up: bool) -> Question:
    """Swap the question with the previous (or next) one of its theme."""
    version = question.version
    _check_guide_editor(acting_user, version.guide)
    _check_draft(version)
    same_theme = version.questions.filter(theme=question.theme).exclude(pk=question.pk)
    if up:
        other = (
            same_theme.filter(
                Q(position__lt=question.position)
                | Q(position=question.position, pk__lt=question.pk)
            )
            .order_by("-position", "-pk")
            .first()
        )
    else:
        other = (
            same_theme.filter(
                Q(position__gt=question.position)
                | Q(position=question.position, pk__gt=question.pk)
            )
            .order_by("position", "pk")
            .first()
        )
    if other is None:
        return question
    if other.position == question.position:
        other.position += -1 if up else 1
    question.position, other.position = other.position, question.position
    Question.objects.bulk_update([question, other], ["position"])
    audit.record(
        actor=acting_user,
        action="interview_guide.question_move",
        obj=version.guide,
        extra={"question": question.key, "position": question.position},
    )
    return question


@transaction.atomic
def guide_publish(*, acting_user, version: GuideVersion, change_note: str = "") -> GuideVersion:
    """The draft becomes the current version: the next meetings are run on it."""
    _check_guide_editor(acting_user, version.guide)
    _check_draft(version)
    if not version.questions.exists():
        raise ValidationError("Une trame sans question ne peut pas être publiée.")
    version.published_at = timezone.now()
    version.change_note = change_note.strip()
    version.author = acting_user
    version.save()
    audit.record(
        actor=acting_user,
        action="interview_guide.publish",
        obj=version.guide,
        extra={"version": version.number, "change_note": version.change_note},
    )
    return version


@transaction.atomic
def guide_discard_draft(*, acting_user, version: GuideVersion) -> None:
    _check_guide_editor(acting_user, version.guide)
    _check_draft(version)
    number = version.number
    version.delete()
    audit.record(
        actor=acting_user, action="interview_guide.discard_draft", obj=version.guide,
        extra={"version": number},
    )  # fmt: skip
