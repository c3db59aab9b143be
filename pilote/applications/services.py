"""Every write on applications: permission checked, atomic, audited (docs/applications.md).

`acting_user=None` is the system (the `import_dossiers` command run by an operator): it
then names the `author_organisation` the records are filed under.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accompaniment.services._checks import _check_can_edit, _check_can_record
from pilote.accounts import access
from pilote.applications import documents
from pilote.applications.enums import DECIDED, FILED, Status
from pilote.applications.models import Application, Document, Payment, StatusChange, SupportTime
from pilote.core import audit, locking
from pilote.core.enums import Visibility
from pilote.core.money import to_cents

FIELDS = [
    "reference", "title", "scheme", "funder", "project", "need", "supported", "filed_on",
    "decided_on", "closes_on", "documents_due_on", "amount_requested", "amount_granted",
    "investment", "jobs", "comment", "visibility",
]  # fmt: skip
MONEY_FIELDS = ("amount_requested", "amount_granted", "investment")


def _check(application: Application, acting_user) -> None:
    """The rules a form cannot express alone: cents, one scheme or a funder, a decision date
    for a decided status and none before the filing, linked records of the same company."""
    errors: dict[str, str] = {}
    for name in MONEY_FIELDS:
        value = getattr(application, name)
        if value is not None:
            setattr(application, name, to_cents(value))
    if application.scheme_id is None and not application.funder.strip():
        errors["funder"] = "Choisissez un dispositif du catalogue ou nommez le financeur."
    if application.status in DECIDED and application.decided_on is None:
        errors["decided_on"] = (
            "Un dossier accepté, refusé ou classé sans suite a une date de décision."
        )
    if application.status not in DECIDED and application.decided_on is not None:
        errors["decided_on"] = "Seul un dossier décidé a une date de décision."
    if application.status in FILED and application.filed_on is None and application.supported:
        # A laureate the team only knows of (an official list) may come without it.
        errors["filed_on"] = "Un dossier déposé a une date de dépôt."
    if (application.filed_on and application.decided_on
            and application.decided_on < application.filed_on):  # fmt: skip
        errors["decided_on"] = "La date de décision ne peut pas précéder la date de dépôt."
    for name in ("project", "need"):
        record = getattr(application, name)
        if record is None:
            continue
        if record.establishment_id != application.establishment_id:
            errors[name] = "Choisissez un projet ou un besoin de cet établissement."
        elif acting_user is not None and not access.is_visible_to(record, acting_user):
            errors[name] = "Choisissez un projet ou un besoin que vous voyez."
    if errors:
        raise ValidationError(errors)


def _history(application, *, acting_user, from_status, effective_on, reason, source):
    return StatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        effective_on=effective_on,
        reason=reason,
        source=source,
        author=acting_user,
    )


@transaction.atomic
def application_create(
    *,
    acting_user,
    establishment,
    status: str = Status.DRAFT,
    visibility: str = Visibility.EPCI,
    interaction=None,
    author_organisation=None,
    reason: str = "",
    source: str = "",
    **fields,
) -> Application:
    """A new application with its first history line (from nothing to `status`, effective on
    its decision date, else its filing date, else today)."""
    if acting_user is None:
        if author_organisation is None:
            raise ValueError("Sans utilisateur, précisez l'organisation de l'auteur.")
        organisation_id = author_organisation.pk
    else:
        _check_can_record(acting_user, establishment)
        organisation_id = access.writing_organisation_id(acting_user, establishment.epci_id)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    application = Application(
        establishment=establishment,
        interaction=interaction,
        epci_id=establishment.epci_id,
        visibility=visibility,
        status=status,
        author=acting_user,
        author_organisation_id=organisation_id,
        **fields,
    )
    _check(application, acting_user)
    application.full_clean(exclude=["author", "author_organisation"])
    application.save()
    effective = application.decided_on or application.filed_on or timezone.localdate()
    _history(application, acting_user=acting_user, from_status="", effective_on=effective,
             reason=reason or "Création du dossier", source=source)  # fmt: skip
    audit.record(actor=acting_user, action="application.create", obj=application,
                 after=audit.snapshot(application))  # fmt: skip
    return application


@transaction.atomic
def application_update(*, acting_user, application: Application, **changes) -> Application:
    """Edit the application's fields (not its status: `application_set_status`). `changes`
    may hold the `version` the form was read at (optimistic locking)."""
    application = locking.lock(application, changes.pop("version", None))
    if acting_user is not None:
        _check_can_edit(acting_user, application)
    before = audit.snapshot(application, FIELDS)
    for name, value in changes.items():
        if name not in FIELDS:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(application, name, value)
    _check(application, acting_user)
    application.full_clean(exclude=["author", "author_organisation"])
    application.save()
    audit.record(actor=acting_user, action="application.update", obj=application,
                 before=before, after=audit.snapshot(application, FIELDS))  # fmt: skip
    return application


@transaction.atomic
def application_set_status(
    *,
    acting_user,
    application: Application,
    status: str,
    effective_on: dt.date,
    reason: str,
    source: str = "",
    filed_on: dt.date | None = None,
    version: str | None = None,
) -> StatusChange:
    """Move the application to `status` on `effective_on`, for `reason`. Deciding sets the
    decision date (`effective_on`); reopening a decided application clears it; filing sets
    the filing date when unknown (or to `filed_on`). Each change is a history line and an
    audit event."""
    application = locking.lock(application, version)
    if acting_user is not None:
        _check_can_edit(acting_user, application)
    if status not in Status.values:
        raise ValidationError({"status": "Statut inconnu."})
    if status == application.status:
        raise ValidationError({"status": "Le dossier a déjà ce statut."})
    if not reason.strip():
        raise ValidationError({"reason": "Dites pourquoi le statut change."})
    if effective_on > timezone.localdate():
        raise ValidationError(
            {"effective_on": "Un changement de statut ne peut pas être daté dans le futur."}
        )
    before = audit.snapshot(application, ["status", "filed_on", "decided_on"])
    from_status = application.status
    application.status = status
    if status in FILED and application.filed_on is None and application.supported:
        application.filed_on = filed_on or effective_on
    elif filed_on is not None:
        application.filed_on = filed_on
    application.decided_on = effective_on if status in DECIDED else None
    _check(application, acting_user)
    application.full_clean(exclude=["author", "author_organisation"])
    application.save(update_fields=["status", "filed_on", "decided_on", "updated_at"])
    change = _history(application, acting_user=acting_user, from_status=from_status,
                      effective_on=effective_on, reason=reason.strip(), source=source)  # fmt: skip
    after = audit.snapshot(application, ["status", "filed_on", "decided_on"])
    audit.record(actor=acting_user, action="application.status", obj=application,
                 before=before, after=after)  # fmt: skip
    return change


@transaction.atomic
def application_delete(*, acting_user, application: Application) -> None:
    _check_can_edit(acting_user, application)
    stored = [d.file.name for d in application.documents.all()]
    audit.record(actor=acting_user, action="application.delete", obj=application,
                 before=audit.snapshot(application))  # fmt: skip
    application.delete()
    transaction.on_commit(lambda: documents.remove_files(stored))


# --- Payments, documents, time spent ---------------------------------------------------------


def _check_child(acting_user, application: Application) -> None:
    if acting_user is None:
        return
    if not access.is_visible_to(application, acting_user) or not access.can_edit(
        acting_user, application
    ):
        raise PermissionDenied("Vous ne pouvez pas modifier ce dossier.")


@transaction.atomic
def payment_add(
    *, acting_user, application: Application, paid_on: dt.date, amount, label: str = "",
    source: str = "",
) -> Payment:  # fmt: skip
    _check_child(acting_user, application)
    if application.status != Status.ACCEPTED:
        raise ValidationError("Seul un dossier accepté reçoit des versements.")
    payment = Payment(application=application, paid_on=paid_on, amount=to_cents(amount),
                      label=label, source=source, author=acting_user)  # fmt: skip
    payment.full_clean(exclude=["application"])
    if application.amount_granted is not None:
        paid = application.amount_paid + payment.amount
        if paid > application.amount_granted:
            raise ValidationError({"amount": "Les versements dépasseraient le montant accordé."})
    payment.save()
    values = {"payment": payment.pk, **audit.snapshot(payment, ["paid_on", "amount"])}
    audit.record(actor=acting_user, action="application.payment_add", obj=application,
                 after=values)  # fmt: skip
    return payment


@transaction.atomic
def payment_delete(*, acting_user, payment: Payment) -> None:
    application = payment.application
    _check_child(acting_user, application)
    values = {"payment": payment.pk, **audit.snapshot(payment, ["paid_on", "amount"])}
    audit.record(actor=acting_user, action="application.payment_delete", obj=application,
                 before=values)  # fmt: skip
    payment.delete()


@transaction.atomic
def document_add(*, acting_user, application: Application, upload, kind: str) -> Document:
    """Store `upload` (checked by `documents.check_upload`: size, extension and content)
    under a random name outside the static root."""
    _check_child(acting_user, application)
    document = documents.store(
        Document(application=application, kind=kind, author=acting_user), upload,
        parent_field="application",
    )  # fmt: skip
    audit.record(actor=acting_user, action="application.document_add", obj=application,
                 after={"document": document.pk, "size": document.size})  # fmt: skip
    return document


@transaction.atomic
def document_delete(*, acting_user, document: Document) -> None:
    application = document.application
    _check_child(acting_user, application)
    stored = document.file.name
    audit.record(actor=acting_user, action="application.document_delete", obj=application,
                 before={"document": document.pk, "size": document.size})  # fmt: skip
    document.delete()
    transaction.on_commit(lambda: documents.remove_files([stored]))


@transaction.atomic
def support_time_add(
    *, acting_user, application: Application, spent_on: dt.date, minutes: int,
    description: str = "",
) -> SupportTime:  # fmt: skip
    _check_child(acting_user, application)
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": "Le temps passé se note une fois passé."})
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": "Saisissez une durée entre 1 minute et 24 heures."})
    entry = SupportTime(application=application, spent_on=spent_on, minutes=minutes,
                        description=description, author=acting_user)  # fmt: skip
    entry.full_clean(exclude=["application"])
    entry.save()
    audit.record(actor=acting_user, action="application.time_add", obj=application,
                 after={"support_time": entry.pk, "minutes": minutes})  # fmt: skip
    return entry


def total_minutes(application: Application) -> int:
    from django.db.models import Sum

    return application.support_times.aggregate(total=Sum("minutes"))["total"] or 0
