"""The budget follow-up of an agreement year: forecast vs actual, per nature of expense and
per financer, exact to the cent (docs/agreement.md#budget-follow-up).

`compare(...)` is pure. Per financer, the forecast is its resource in the forecast budget
(a fixed amount, or the quote-part of a sharing partner); the actual is its fixed amount for
a fixed financer and, for a sharing partner, the amount of its call for funds on the actual
expenses once issued (`source == "calls"`), else what the rule gives on the actual expenses
(`source == "rule"`). What the caps leave of the actual expenses (`uncovered`) is a row of
its own, never spread. `for_year(year)` reads the database and calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pilote.agreement import funds
from pilote.agreement.enums import Nature, Rule
from pilote.core.money import to_cents

ZERO = Decimal("0.00")
CALLS, RULE = "calls", "rule"


@dataclass(frozen=True)
class Financer:
    name: str
    siren: str
    rule: str
    forecast: Decimal


@dataclass(frozen=True)
class Row:
    label: str
    forecast: Decimal
    actual: Decimal
    rule: str = ""  # financers: « Montant fixe » / « Part égale du reste, plafonnée »

    @property
    def difference(self) -> Decimal:
        return self.actual - self.forecast


@dataclass
class FollowUp:
    natures: list[Row] = field(default_factory=list)
    financers: list[Row] = field(default_factory=list)
    uncovered: Decimal = ZERO
    source: str = RULE  # where the sharing partners' actual amounts come from

    @property
    def expenses(self) -> Row:
        return Row(
            "Total des dépenses",
            sum((r.forecast for r in self.natures), ZERO),
            sum((r.actual for r in self.natures), ZERO),
        )

    @property
    def resources(self) -> Row:
        return Row(
            "Total des ressources",
            sum((r.forecast for r in self.financers), ZERO),
            sum((r.actual for r in self.financers), ZERO),
        )

    @property
    def source_label(self) -> str:
        if self.source == CALLS:
            return "appels de fonds émis sur les dépenses réalisées"
        return "règle de la convention appliquée aux dépenses réalisées (appels non émis)"


def compare(
    *,
    forecast: Mapping[str, Decimal],
    actual: Mapping[str, Decimal],
    financers: Sequence[Financer],
    actual_rule: funds.Result,
    issued: Mapping[str, Decimal] | None = None,
) -> FollowUp:
    """`forecast` and `actual` map each nature to its amount; `financers` in display order;
    `actual_rule` is funds.compute on the actual expenses; `issued` maps each sharing
    partner's SIREN to its call on the actual expenses, None when they are not issued."""
    result = FollowUp(source=CALLS if issued is not None else RULE)
    for nature, label in Nature.choices:
        result.natures.append(
            Row(label, to_cents(forecast.get(nature, ZERO)), to_cents(actual.get(nature, ZERO)))
        )
    shares = {s.siren: s.amount for s in actual_rule.shares}
    for financer in financers:
        if financer.rule == Rule.FIXED:
            got = actual_rule.fixed.get(financer.name, to_cents(financer.forecast))
        elif issued is not None:
            got = issued.get(financer.siren, ZERO)
        else:
            got = shares.get(financer.siren, ZERO)
        result.financers.append(
            Row(financer.name, to_cents(financer.forecast), to_cents(got),
                Rule(financer.rule).label)
        )  # fmt: skip
    result.uncovered = actual_rule.uncovered
    return result


def for_year(year) -> FollowUp:
    """The follow-up of `year` (an agreement Year) from the database."""
    from django.db.models import Sum

    from pilote.agreement import calls
    from pilote.agreement.enums import Basis
    from pilote.agreement.models import ActualExpense, ForecastExpense, FundsCall, Resource

    def by_nature(model):
        rows = model.objects.filter(year=year).values("nature").annotate(total=Sum("amount"))
        return {r["nature"]: r["total"] for r in rows}

    resources = Resource.objects.filter(year=year).select_related("party")
    order = {Rule.FIXED: 0, Rule.SHARE: 1}
    financers = [
        Financer(r.party.name, r.party.siren, r.rule, r.amount)
        for r in sorted(resources, key=lambda r: (order[r.rule], r.party.siren, r.party.name))
    ]
    _, rule = calls.compute(year.agreement, year.number, Basis.ACTUAL)
    issued_calls = FundsCall.objects.filter(year=year, basis=Basis.ACTUAL).select_related("party")
    issued = {c.party.siren: c.amount for c in issued_calls} if issued_calls else None
    return compare(
        forecast=by_nature(ForecastExpense),
        actual=by_nature(ActualExpense),
        financers=financers,
        actual_rule=rule,
        issued=issued,
    )
