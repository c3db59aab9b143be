"""What a meeting produces: needs, projects, diagnostics, referrals, actions, levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accompaniment.enums import (
    ActionStatus,
    DiagnosticStatus,
    Level,
    Partner,
    Urgency,
)
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Action,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.accompaniment.services._checks import (
    _check_can_edit,
    _check_can_record,
)
from pilote.accounts import access
from pilote.accounts.access import is_visible_to
from pilote.core import audit, locking
from pilote.core.enums import Visibility
from pilote.core.money import to_cents

# --- Records produced by a meeting -----------------------------------------------------------


def _check_interaction(acting_user, establishment, interaction: Interaction | None) -> None:
    if interaction is None:
        return
    if interaction.establishment_id != establishment.pk:
        raise ValidationError("Cet échange concerne un autre établissement.")
    if not is_visible_to(interaction, acting_user):
        raise PermissionDenied("Vous ne voyez pas cet échange.")


def _create(model, action: str, *, acting_user, establishment, interaction, visibility, fields):
    _check_can_record(acting_user, establishment)
    _check_interaction(acting_user, establishment, interaction)
    if visibility is None:
        visibility = interaction.visibility if interaction is not None else Visibility.EPCI
    record = model(
        establishment=establishment,
        interaction=interaction,
        epci_id=establishment.epci_id,
        visibility=visibility,
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, establishment.epci_id),
        **fields,
    )
    record.full_clean(exclude=["author_organisation"] if acting_user is None else None)
    record.save()
    audit.record(actor=acting_user, action=f"{action}.create", obj=record,
                 after=audit.snapshot(record))  # fmt: skip
    return record


def _update(record, action: str, *, acting_user, editable: list[str], changes: dict, check=None):
    """`changes` may hold the `version` the edit form was read at (`core.locking`)."""
    record = locking.lock(record, changes.pop("version", None))
    _check_can_edit(acting_user, record)
    before = audit.snapshot(record, editable)
    for field, value in changes.items():
        if field not in editable:
            raise ValueError(f"Champ non modifiable : {field}")
        setattr(record, field, value)
    if check is not None:
        check(record)
    record.full_clean()
    record.save()
    audit.record(
        actor=acting_user,
        action=f"{action}.update",
        obj=record,
        before=before,
        after=audit.snapshot(record, editable),
    )
    return record


NEED_FIELDS = ["theme", "description", "urgency", "resolved_on", "visibility"]


@transaction.atomic
def need_create(
    *,
    acting_user,
    establishment,
    theme: str,
    description: str,
    urgency: str = Urgency.MEDIUM,
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> Need:
    """A need or difficulty. Without `visibility`, the interaction's (else « EPCI »)."""
    return _create(
        Need, "need", acting_user=acting_user, establishment=establishment,
        interaction=interaction, visibility=visibility,
        fields={"theme": theme, "description": description, "urgency": urgency},
    )  # fmt: skip


@transaction.atomic
def need_update(*, acting_user, need: Need, **changes) -> Need:
    return _update(need, "need", acting_user=acting_user, editable=NEED_FIELDS, changes=changes)


PROJECT_FIELDS = [
    "kind", "title", "description", "investment_amount", "jobs_created", "jobs_kept", "horizon",
    "maturity", "visibility",
]  # fmt: skip


def _check_project(project: Project) -> None:
    if project.investment_amount is not None:
        amount = to_cents(project.investment_amount)
        if amount < 0:
            raise ValidationError({"investment_amount": "Le montant ne peut pas être négatif."})
        project.investment_amount = amount


@transaction.atomic
def project_create(
    *,
    acting_user,
    establishment,
    kind: str,
    title: str,
    description: str = "",
    investment_amount: Decimal | None = None,
    jobs_created: int | None = None,
    jobs_kept: int | None = None,
    horizon: str = "",
    maturity: str | None = None,
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> Project:
    fields = {
        "kind": kind, "title": title, "description": description,
        "investment_amount": investment_amount, "jobs_created": jobs_created,
        "jobs_kept": jobs_kept, "horizon": horizon,
    }  # fmt: skip
    if maturity:
        fields["maturity"] = maturity
    probe = Project(**fields)
    _check_project(probe)
    fields["investment_amount"] = probe.investment_amount
    return _create(
        Project, "project", acting_user=acting_user, establishment=establishment,
        interaction=interaction, visibility=visibility, fields=fields,
    )  # fmt: skip


@transaction.atomic
def project_update(*, acting_user, project: Project, **changes) -> Project:
    return _update(
        project, "project", acting_user=acting_user, editable=PROJECT_FIELDS, changes=changes,
        check=_check_project,
    )  # fmt: skip


DIAGNOSTIC_FIELDS = [
    "kind", "status", "operator", "offered_on", "accepted_on", "done_on", "report_on", "note",
    "visibility",
]  # fmt: skip


def _check_diagnostic(diagnostic: Diagnostic) -> None:
    """Dates follow the status: an accepted diagnostic has its acceptance date (today by
    default), a done one its date of completion (today by default, and the acceptance date
    when none was given); no step precedes the offer."""
    today = timezone.localdate()
    status = diagnostic.status
    if status == DiagnosticStatus.DONE:
        diagnostic.done_on = diagnostic.done_on or today
        diagnostic.accepted_on = diagnostic.accepted_on or diagnostic.done_on
    elif status == DiagnosticStatus.ACCEPTED:
        diagnostic.accepted_on = diagnostic.accepted_on or today
        diagnostic.done_on = None
    else:  # offered, or declined: never accepted
        diagnostic.accepted_on = diagnostic.done_on = None
    errors = {}
    for field in ("accepted_on", "done_on", "report_on"):
        value = getattr(diagnostic, field)
        if value is not None and value < diagnostic.offered_on:
            errors[field] = "Cette date précède la proposition du diagnostic."
    if (
        diagnostic.done_on
        and diagnostic.accepted_on
        and diagnostic.done_on < diagnostic.accepted_on
    ):
        errors["done_on"] = "Un diagnostic est réalisé après avoir été accepté."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def diagnostic_create(
    *,
    acting_user,
    establishment,
    kind: str,
    offered_on: dt.date,
    status: str = DiagnosticStatus.OFFERED,
    operator: str = "",
    accepted_on: dt.date | None = None,
    done_on: dt.date | None = None,
    report_on: dt.date | None = None,
    note: str = "",
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> Diagnostic:
    probe = Diagnostic(
        kind=kind, status=status, operator=operator, offered_on=offered_on,
        accepted_on=accepted_on, done_on=done_on, report_on=report_on, note=note,
    )  # fmt: skip
    _check_diagnostic(probe)
    fields = {f: getattr(probe, f) for f in DIAGNOSTIC_FIELDS if f != "visibility"}
    return _create(
        Diagnostic, "diagnostic", acting_user=acting_user, establishment=establishment,
        interaction=interaction, visibility=visibility, fields=fields,
    )  # fmt: skip


@transaction.atomic
def diagnostic_update(*, acting_user, diagnostic: Diagnostic, **changes) -> Diagnostic:
    return _update(
        diagnostic, "diagnostic", acting_user=acting_user, editable=DIAGNOSTIC_FIELDS,
        changes=changes, check=_check_diagnostic,
    )  # fmt: skip


REFERRAL_FIELDS = [
    "partner", "partner_name", "subject", "referred_on", "outcome", "outcome_note", "visibility",
]  # fmt: skip


def _check_referral(referral: Referral) -> None:
    if referral.partner in {Partner.LOCAL_SUPPLIER, Partner.OTHER} and not (
        referral.partner_name.strip()
    ):
        raise ValidationError({"partner_name": "Indiquez le nom de ce partenaire."})


@transaction.atomic
def referral_create(
    *,
    acting_user,
    establishment,
    partner: str,
    subject: str,
    referred_on: dt.date,
    partner_name: str = "",
    outcome: str | None = None,
    outcome_note: str = "",
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> Referral:
    fields = {"partner": partner, "partner_name": partner_name, "subject": subject,
              "referred_on": referred_on, "outcome_note": outcome_note}  # fmt: skip
    if outcome:
        fields["outcome"] = outcome
    _check_referral(Referral(**fields))
    return _create(
        Referral, "referral", acting_user=acting_user, establishment=establishment,
        interaction=interaction, visibility=visibility, fields=fields,
    )  # fmt: skip


@transaction.atomic
def referral_update(*, acting_user, referral: Referral, **changes) -> Referral:
    return _update(
        referral, "referral", acting_user=acting_user, editable=REFERRAL_FIELDS,
        changes=changes, check=_check_referral,
    )  # fmt: skip


ACTION_FIELDS = ["title", "description", "owner", "due_date", "status", "done_on", "visibility"]


def _check_action(action: Action) -> None:
    """The owner must be able to work the action; a done action has its date."""
    if action.owner is not None and not (
        is_visible_to(action, action.owner) and access.can_edit(action.owner, action)
    ):
        raise ValidationError({"owner": f"{action.owner} ne peut pas suivre cette action."})
    if action.status == ActionStatus.DONE:
        action.done_on = action.done_on or timezone.localdate()
    else:
        action.done_on = None


@transaction.atomic
def action_create(
    *,
    acting_user,
    establishment,
    title: str,
    due_date: dt.date,
    owner=None,
    description: str = "",
    status: str = ActionStatus.TODO,
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> Action:
    """A follow-up action, owned by `owner` (the acting user by default)."""
    action = _create(
        Action, "action", acting_user=acting_user, establishment=establishment,
        interaction=interaction, visibility=visibility,
        fields={"title": title, "due_date": due_date, "description": description,
                "status": status, "owner": owner or acting_user},
    )  # fmt: skip
    _check_action(action)  # needs the saved action (visibility) to check the owner
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def action_update(*, acting_user, action: Action, **changes) -> Action:
    return _update(
        action, "action", acting_user=acting_user, editable=ACTION_FIELDS, changes=changes,
        check=_check_action,
    )  # fmt: skip


@transaction.atomic
def level_set(
    *,
    acting_user,
    establishment,
    level: str,
    changed_on: dt.date | None = None,
    note: str = "",
    interaction: Interaction | None = None,
    visibility: str | None = None,
) -> AccompanimentLevel | None:
    """Move the establishment to `level` from `changed_on` (today by default). Returns the
    new record, or None when it already was at that level as far as the acting user may see
    (a level they cannot see is no answer of theirs: they record their own)."""
    if level not in Level.values:
        raise ValidationError({"level": "Niveau d'accompagnement inconnu."})
    levels = AccompanimentLevel.objects.all()
    if acting_user is not None:
        levels = levels.visible_to(acting_user)
    current = levels.filter(establishment=establishment).order_by("-changed_on", "-pk").first()
    if current is not None and current.level == level:
        _check_can_record(acting_user, establishment)
        return None
    return _create(
        AccompanimentLevel, "accompaniment_level", acting_user=acting_user,
        establishment=establishment, interaction=interaction, visibility=visibility,
        fields={"level": level, "changed_on": changed_on or timezone.localdate(), "note": note},
    )  # fmt: skip


# --- Deletion --------------------------------------------------------------------------------


@transaction.atomic
def record_delete(*, acting_user, record) -> None:
    """Delete a need, project, diagnostic, referral or action (entered twice, on the wrong
    establishment…): whoever may edit it. The audit event keeps what it held."""
    _check_can_edit(acting_user, record)
    audit.record(
        actor=acting_user,
        action=f"{record._meta.model_name}.delete",  # need, project… as in _create
        obj=record,
        before=audit.snapshot(record),
    )
    record.delete()
