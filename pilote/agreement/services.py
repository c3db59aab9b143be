"""Writes of the agreement app: one atomic, keyword-only function per write, checking that
the acting user is a TI manager of the agreement's territory (`perms.can_manage`) and leaving
one audit event. `acting_user=None` is the system (the demo, the reminder command).

- `calls_issue`: the calls for funds of a year on a basis, one per sharing partner, for the
  amounts of the rule (`calls.compute`); once only per year and basis;
- `payment_record`: a payment received against a call, never beyond its balance;
- `call_remind`: an e-mail to the called EPCI's agents about an overdue call;
- `expenses_import`: the statement of actual expenses (`imports.import_expenses`);
- `amendment_record`: an avenant, the forecast lines it changes and their history
  (`AmendedLine`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.models import Membership
from pilote.agreement import calls as calls_module
from pilote.agreement import ledger, perms
from pilote.agreement.enums import Basis, Nature, PartyKind, Rule
from pilote.agreement.imports import import_expenses
from pilote.agreement.models import (
    Agreement,
    AmendedLine,
    Amendment,
    ForecastExpense,
    FundsCall,
    Payment,
    Resource,
    Year,
)
from pilote.core import audit
from pilote.core.emails import queue_email
from pilote.core.money import CENT, to_cents

REMINDER_KIND = "agreement.call_reminder"
BASIS_INITIAL = {Basis.FORECAST: "P", Basis.ACTUAL: "R"}  # prévisionnel, réalisé


def _check_manages(acting_user, agreement: Agreement) -> None:
    if acting_user is not None and not perms.can_manage(acting_user, agreement.territory):
        raise PermissionDenied("Seuls les chefs de projet TI du territoire gèrent la convention.")


def _euros(amount: Decimal) -> str:
    whole, _, cents = f"{to_cents(amount):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{' '.join(groups)},{cents} €"


def _locked(call: FundsCall) -> FundsCall:
    """The call, its row locked until the transaction ends (payments and reminders of the
    same call wait for each other), with what the services read of it."""
    FundsCall.objects.select_for_update().filter(pk=call.pk).values_list("pk").get()
    return FundsCall.objects.select_related("year__agreement__territory", "party__epci").get(
        pk=call.pk
    )


def call_number(year: Year, basis: str, index: int) -> str:
    """« AF-1-P-03 »: the third call of year 1 on the forecast (P) or actuals (R)."""
    return f"AF-{year.number}-{BASIS_INITIAL[basis]}-{index:02d}"


@transaction.atomic
def calls_issue(*, acting_user, year: Year, basis: str, issued_on: dt.date | None = None):
    """Issue the calls for funds of `year` on `basis`: one per sharing partner called for more
    than 0,00 €, numbered in ascending SIREN order. Returns (calls, skipped partner names)."""
    agreement = year.agreement
    _check_manages(acting_user, agreement)
    if basis not in Basis.values:
        raise ValidationError({"basis": "Base inconnue : prévisionnel ou réalisé."})
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "La date d'émission ne peut pas être future."})
    existing = FundsCall.objects.filter(year=year, basis=basis).count()
    if existing:
        raise ValidationError(
            f"Les appels de fonds de l'année {year.number} sur la base « "
            f"{Basis(basis).label.lower()} » sont déjà émis ({existing} appel"
            f"{'s' if existing > 1 else ''}) : ils ne sont pas émis une seconde fois."
        )
    _, result = calls_module.compute(agreement, year.number, basis)
    parties = {
        p.siren: p
        for p in agreement.parties.filter(resources__year=year).exclude(siren="").distinct()
    }
    due_on = issued_on + dt.timedelta(days=agreement.payment_days)
    created, skipped = [], []
    for share in result.shares:
        if share.amount <= 0:
            skipped.append(share.name)
            continue
        created.append(
            FundsCall.objects.create(
                year=year, party=parties[share.siren], basis=basis,
                number=call_number(year, basis, len(created) + 1), amount=share.amount,
                issued_on=issued_on, due_on=due_on, author=acting_user,
            )
        )  # fmt: skip
    if not created:
        raise ValidationError(
            f"Rien à appeler pour l'année {year.number} sur la base « "
            f"{Basis(basis).label.lower()} » : les dépenses ({_euros(result.expenses)}) ne "
            f"dépassent pas les participations fixes ({_euros(result.fixed_total)})."
        )
    audit.record(
        actor=acting_user, action="agreement.calls_issue", obj=year,
        extra={
            "basis": basis, "issued_on": issued_on.isoformat(), "due_on": due_on.isoformat(),
            "calls": [c.number for c in created],
            "total": f"{sum((c.amount for c in created), Decimal('0')):.2f}",
            "skipped": skipped,
        },
    )  # fmt: skip
    return created, skipped


@transaction.atomic
def payment_record(
    *, acting_user, call: FundsCall, received_on: dt.date, amount, reference: str = ""
) -> Payment:
    call = _locked(call)
    _check_manages(acting_user, call.year.agreement)
    errors = {}
    try:
        amount = to_cents(amount)
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = "Le montant est illisible."
    else:
        if amount <= 0:
            errors["amount"] = "Le montant d'un paiement doit être positif."
        else:
            balance = ledger.balance_of(call)
            if amount > balance:
                errors["amount"] = (
                    f"Ce paiement de {_euros(amount)} dépasse le reste à payer de l'appel "
                    f"{call.number} ({_euros(balance)})."
                )
    if received_on is None:
        errors["received_on"] = "La date de réception manque."
    elif received_on > timezone.localdate():
        errors["received_on"] = "La date de réception ne peut pas être future."
    elif received_on < call.issued_on:
        errors["received_on"] = (
            f"Le paiement ne peut pas précéder l'émission de l'appel "
            f"(le {call.issued_on:%d/%m/%Y})."
        )
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        call=call, received_on=received_on, amount=amount, reference=(reference or "").strip(),
        author=acting_user,
    )  # fmt: skip
    audit.record(
        actor=acting_user, action="agreement.payment_record", obj=payment,
        after={"call": call.number, "received_on": received_on.isoformat(),
               "amount": f"{amount:.2f}", "reference": payment.reference},
    )  # fmt: skip
    return payment


def reminder_recipients(call: FundsCall):
    """The active memberships of the called EPCI's agents in the agreement's territory."""
    return Membership.objects.active().filter(
        role=Role.EPCI_AGENT,
        territory=call.year.agreement.territory,
        organisation__epci=call.party.epci,
        user__is_active=True,
    )


@transaction.atomic
def call_remind(*, acting_user, call: FundsCall) -> FundsCall:
    """Remind the called EPCI's agents of an overdue call (e-mail through the task table)."""
    call = _locked(call)
    _check_manages(acting_user, call.year.agreement)
    if not ledger.is_overdue(call):
        raise ValidationError(
            f"L'appel {call.number} n'est pas en retard (échéance le {call.due_on:%d/%m/%Y}, "
            f"reste à payer {_euros(ledger.balance_of(call))}) : pas de relance."
        )
    if call.party.epci_id is None or not reminder_recipients(call).exists():
        raise ValidationError(
            f"Aucun agent actif de {call.party} dans Pilote : relancez l'EPCI par un autre moyen."
        )
    before = {"reminders_sent": call.reminders_sent}
    call.reminders_sent += 1
    call.last_reminded_at = timezone.now()
    call.save(update_fields=["reminders_sent", "last_reminded_at", "updated_at"])
    queue_email(REMINDER_KIND, call_id=call.pk)
    audit.record(
        actor=acting_user, action="agreement.call_remind", obj=call,
        before=before, after={"reminders_sent": call.reminders_sent},
    )  # fmt: skip
    return call


@transaction.atomic
def expenses_import(
    *, acting_user, agreement: Agreement, stream, filename: str, wet_run: bool = False,
    size: int | None = None,
):  # fmt: skip
    """Import the statement of actual expenses (imports.import_expenses); a wet run leaves
    one audit event with its counts."""
    _check_manages(acting_user, agreement)
    report = import_expenses(
        stream, filename=filename, agreement=agreement, wet_run=wet_run, size=size
    )
    if wet_run and (report.created or report.updated):
        audit.record(
            actor=acting_user, action="agreement.expenses_import", obj=agreement,
            extra={"filename": filename[:120], **report.summary()},
        )  # fmt: skip
    return report


# --- Amendments (avenants) ------------------------------------------------------------------


def balance_tolerance(year: Year) -> Decimal:
    """The imbalance a year's forecast may keep: under one cent per sharing partner, what the
    caps leave uncovered when an amount is shared in equal cents (year 2 of the seed:
    74 865,00 € of expenses, 74 864,98 € of resources with six caps of 10 833,33 €)."""
    return CENT * year.resources.filter(rule=Rule.SHARE).count()


def year_balance(year: Year) -> tuple[Decimal, Decimal]:
    """(forecast expenses, forecast resources) of `year`."""
    expenses = sum((e.amount for e in year.forecast_expenses.all()), Decimal("0.00"))
    resources = sum((r.amount for r in year.resources.all()), Decimal("0.00"))
    return expenses, resources


def _amount(raw, key: str, errors: list[str]) -> Decimal | None:
    try:
        amount = Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        errors.append(f"{key} : le montant est illisible.")
        return None
    if not amount.is_finite():
        errors.append(f"{key} : le montant est illisible.")
        return None
    if amount < 0:
        errors.append(f"{key} : le montant ne peut pas être négatif.")
        return None
    if amount != to_cents(amount):
        errors.append(f"{key} : le montant se donne au centime près.")
        return None
    if amount >= Decimal("1e10"):
        errors.append(f"{key} : le montant est trop grand.")
        return None
    return to_cents(amount)


def _new_rule(party) -> str:
    """The rule of a resource an amendment adds: the party's rule in another year, else an
    EPCI shares and any other financer brings a fixed amount."""
    other = party.resources.order_by("-year__number").first()
    if other is not None:
        return other.rule
    return Rule.SHARE if party.kind == PartyKind.EPCI else Rule.FIXED


@transaction.atomic
def amendment_record(
    *, acting_user, agreement: Agreement, date: dt.date, label: str, changes_text: str = "",
    expenses=None, resources=None,
) -> Amendment:  # fmt: skip
    """Record an avenant of `agreement` at `date`: `expenses` maps (year number, nature) and
    `resources` (year number, party pk) to the new amount (a resource's fixed amount or cap).
    Lines whose amount does not change are ignored; the others are created or updated,
    point to the amendment and leave one `AmendedLine` (before, after). Each year changed must
    still balance (expenses == resources, within `balance_tolerance`). Calls for funds already
    issued are left as they are."""
    _check_manages(acting_user, agreement)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).values_list("pk").get()
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors.setdefault("label", []).append("L'intitulé de l'avenant manque.")
    today = timezone.localdate()
    if date is None:
        errors.setdefault("date", []).append("La date de l'avenant manque.")
    elif date < agreement.signed_on:
        errors.setdefault("date", []).append(
            f"Un avenant ne peut pas précéder la signature de la convention "
            f"(le {agreement.signed_on:%d/%m/%Y})."
        )
    elif date > today:
        errors.setdefault("date", []).append("La date de l'avenant ne peut pas être future.")
    years = {y.number: y for y in agreement.years.all()}
    parties = {p.pk: p for p in agreement.parties.all()}
    line_errors: list[str] = []
    # (year, kind, nature, party) -> new amount
    wanted: dict[tuple, Decimal] = {}
    for (number, nature), raw in (expenses or {}).items():
        key = f"Année {number}, {Nature(nature).label if nature in Nature.values else nature}"
        if number not in years:
            line_errors.append(f"La convention n'a pas d'année {number}.")
        elif nature not in Nature.values:
            line_errors.append(f"Nature de dépense inconnue : {nature}.")
        elif (amount := _amount(raw, key, line_errors)) is not None:
            wanted[(years[number], AmendedLine.Kind.EXPENSE, nature, None)] = amount
    for (number, party_pk), raw in (resources or {}).items():
        party = parties.get(party_pk)
        key = f"Année {number}, {party.name if party else party_pk}"
        if number not in years:
            line_errors.append(f"La convention n'a pas d'année {number}.")
        elif party is None:
            line_errors.append("Financeur inconnu : il n'est pas partie à la convention.")
        elif (amount := _amount(raw, key, line_errors)) is not None:
            wanted[(years[number], AmendedLine.Kind.RESOURCE, "", party)] = amount
    if line_errors:
        errors.setdefault("__all__", []).extend(line_errors)
    if errors:
        raise ValidationError(errors)

    changed = []  # (year, kind, nature, party, row or None, before, after)
    for (year, kind, nature, party), after in wanted.items():
        if kind == AmendedLine.Kind.EXPENSE:
            row = ForecastExpense.objects.filter(year=year, nature=nature).first()
        else:
            row = Resource.objects.filter(year=year, party=party).first()
        before = row.amount if row is not None else None
        if before is not None and before == after:
            continue
        if before is None and after == 0:
            continue  # no line, none wanted
        changed.append((year, kind, nature, party, row, before, after))
    if not changed:
        raise ValidationError("L'avenant ne change aucune ligne du budget prévisionnel.")

    amendment = Amendment.objects.create(
        agreement=agreement, date=date, label=label[:250], changes=(changes_text or "").strip()
    )
    before_audit, after_audit = {}, {}
    for year, kind, nature, party, row, before, after in sorted(
        changed, key=lambda c: (c[0].number, c[1], c[2], c[3].name if c[3] else "")
    ):
        if kind == AmendedLine.Kind.EXPENSE:
            if row is None:
                row = ForecastExpense(year=year, nature=nature)
            subject = Nature(nature).label
        else:
            if row is None:
                row = Resource(year=year, party=party, rule=_new_rule(party))
            subject = party.name
        row.amount, row.amendment = after, amendment
        row.save()
        AmendedLine.objects.create(
            amendment=amendment, year=year, kind=kind, nature=nature, party=party,
            amount_before=before, amount_after=after,
        )  # fmt: skip
        key = f"année {year.number} · {subject}"
        before_audit[key] = None if before is None else f"{before:.2f}"
        after_audit[key] = f"{after:.2f}"
    for year in sorted({c[0] for c in changed}, key=lambda y: y.number):
        spent, brought = year_balance(year)
        if abs(spent - brought) >= max(balance_tolerance(year), CENT):
            raise ValidationError(
                f"Le budget de l'année {year.number} ne s'équilibre plus : dépenses "
                f"{_euros(spent)}, ressources {_euros(brought)} (écart {_euros(spent - brought)})."
            )
    audit.record(
        actor=acting_user, action="agreement.amendment_record", obj=amendment,
        before=before_audit, after=after_audit,
        extra={"date": date.isoformat(), "label": amendment.label},
    )  # fmt: skip
    return amendment
