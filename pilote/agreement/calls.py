"""The calls for funds of one agreement year, read from the database (the rule: funds.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from pilote.agreement import funds
from pilote.agreement.enums import Basis, Rule
from pilote.agreement.models import ActualExpense, Agreement, ForecastExpense, Resource, Year


class CallsError(ValueError):
    """The agreement or the year cannot be found (the message is in French)."""


def find_agreement(territory_slug: str | None = None) -> Agreement:
    agreements = Agreement.objects.select_related("territory").order_by("pk")
    if territory_slug:
        agreements = agreements.filter(territory__slug=territory_slug)
    found = list(agreements[:2])
    if not found:
        where = f" pour le territoire « {territory_slug} »" if territory_slug else ""
        raise CallsError(f"Aucune convention de partenariat{where}.")
    if len(found) > 1:
        raise CallsError("Plusieurs conventions existent : précisez le territoire (--territory).")
    return found[0]


def expenses(year: Year, basis: str) -> Decimal:
    model = ForecastExpense if basis == Basis.FORECAST else ActualExpense
    total = model.objects.filter(year=year).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def compute(agreement: Agreement, number: int, basis: str) -> tuple[Year, funds.Result]:
    if basis not in Basis.values:
        raise CallsError(f"Base inconnue : {basis} (forecast ou actual).")
    year = Year.objects.filter(agreement=agreement, number=number).first()
    if year is None:
        raise CallsError(f"La convention n'a pas d'année {number}.")
    resources = Resource.objects.filter(year=year).select_related("party").order_by("party__name")
    fixed = {r.party.name: r.amount for r in resources if r.rule == Rule.FIXED}
    partners = [(r.party.siren, r.party.name, r.amount) for r in resources if r.rule == Rule.SHARE]
    return year, funds.compute(expenses(year, basis), fixed, partners)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def as_json(year: Year, basis: str, result: funds.Result) -> dict[str, Any]:
    caps = sorted({s.cap for s in result.shares})
    return {
        "year": year.number,
        "period": [year.start.isoformat(), year.end.isoformat()],
        "basis": basis,
        "expenses": _money(result.expenses),
        "fixed": {name: _money(amount) for name, amount in sorted(result.fixed.items())},
        "to_share": _money(result.to_share),
        # one cap for all (the agreement's case); one per SIREN if they ever differ
        "cap": (_money(caps[0]) if len(caps) == 1 else
                {s.siren: _money(s.cap) for s in result.shares} if caps else None),
        "partners": [
            {"siren": s.siren, "name": s.name, "amount": _money(s.amount)} for s in result.shares
        ],
        "uncovered": _money(result.uncovered),
    }  # fmt: skip
