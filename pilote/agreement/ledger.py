"""The balance and the status of the calls for funds: amount called less the payments
received; « En retard » once past the due date with a balance left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from pilote.agreement.enums import CallStatus

ZERO = Decimal("0.00")


def with_paid(calls: QuerySet) -> QuerySet:
    """`calls` with `paid`, the sum of their payments (0,00 when none)."""
    return calls.annotate(
        paid=Coalesce(
            Sum("payments__amount"),
            Value(ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def paid_of(call) -> Decimal:
    paid = getattr(call, "paid", None)
    if paid is None:
        paid = call.payments.aggregate(total=Sum("amount"))["total"]
    return Decimal(paid or ZERO)


def balance_of(call) -> Decimal:
    return call.amount - paid_of(call)


def status_of(amount: Decimal, paid: Decimal, due_on: dt.date, today: dt.date) -> str:
    balance = amount - paid
    if balance <= 0:
        return CallStatus.PAID
    if due_on < today:
        return CallStatus.LATE
    return CallStatus.PARTIAL if paid > 0 else CallStatus.PENDING


def is_overdue(call, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return balance_of(call) > 0 and call.due_on < today


def decorate(call, today: dt.date | None = None):
    """Set `paid`, `balance`, `status` and `status_label` on `call` for the pages."""
    today = today or timezone.localdate()
    call.paid = paid_of(call)
    call.balance = call.amount - call.paid
    call.status = status_of(call.amount, call.paid, call.due_on, today)
    call.status_label = CallStatus(call.status).label
    return call
