"""The rule of the calls for funds (docs/agreement.md), exact to the cent, pure.

    to_share = expenses − fixed contributions (never below 0);
    split equally in cents among the sharing partners, the remaining cents one each to the
    partners in ascending SIREN order; each share capped at the partner's cap (its quote-part
    in that year's forecast budget); what the caps leave is `uncovered`, shown, never spread.

So `sum(amounts) + uncovered == to_share` exactly, no amount exceeds its cap, and before the
caps the shares differ by at most one cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pilote.core.money import CENT, to_cents

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Share:
    siren: str
    name: str
    cap: Decimal
    equal_share: Decimal
    """The equal share before the cap."""
    amount: Decimal
    """What the partner is called for: min(equal_share, cap)."""


@dataclass(frozen=True)
class Result:
    expenses: Decimal
    fixed: dict[str, Decimal]
    fixed_total: Decimal
    to_share: Decimal
    shares: list[Share]
    uncovered: Decimal

    @property
    def called(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO)


def compute(
    expenses: Decimal | int | str,
    fixed: Mapping[str, Decimal | int | str],
    partners: Sequence[tuple[str, str, Decimal | int | str]],
) -> Result:
    """The calls for funds of one year: `fixed` maps each fixed financer to its amount,
    `partners` lists the sharing partners as (siren, name, cap). Shares come back in
    ascending SIREN order."""
    expenses = to_cents(expenses)
    if expenses < 0:
        raise ValueError("Les dépenses ne peuvent pas être négatives.")
    fixed_cents = {name: to_cents(amount) for name, amount in fixed.items()}
    if any(amount < 0 for amount in fixed_cents.values()):
        raise ValueError("Une participation fixe ne peut pas être négative.")
    sirens = [siren for siren, _, _ in partners]
    if len(set(sirens)) != len(sirens):
        raise ValueError("Deux partenaires ont le même SIREN.")
    ordered = sorted(((s, n, to_cents(c)) for s, n, c in partners), key=lambda p: p[0])
    if any(cap < 0 for _, _, cap in ordered):
        raise ValueError("Un plafond ne peut pas être négatif.")
    fixed_total = sum(fixed_cents.values(), ZERO)
    to_share = max(expenses - fixed_total, ZERO)
    shares: list[Share] = []
    if ordered:
        cents = int(to_share / CENT)
        base, extra = divmod(cents, len(ordered))
        for index, (siren, name, cap) in enumerate(ordered):
            equal = (base + (1 if index < extra else 0)) * CENT
            shares.append(Share(siren, name, cap, equal, min(equal, cap)))
    uncovered = to_share - sum((s.amount for s in shares), ZERO)
    return Result(
        expenses=expenses,
        fixed=fixed_cents,
        fixed_total=fixed_total,
        to_share=to_share,
        shares=shares,
        uncovered=uncovered,
    )
