"""Money is Decimal, rounded to the cent; allocations sum exactly to their total."""

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal | int | str) -> Decimal:
    """Round half up to the cent (the rule of French public accounting)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal | int | str, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, to the cent, summing exactly to `total`.

    Largest remainder: every share is rounded down, then the leftover cents go one by one to
    the shares that lost the most, earlier shares first on a tie (deterministic).
    65 000 € in six equal parts gives 10 833,34 € twice and 10 833,33 € four times.
    """
    total = to_cents(total)
    weights = [Decimal(w) for w in weights]
    if not weights:
        raise ValueError("Aucune part à répartir.")
    if any(w < 0 for w in weights):
        raise ValueError("Les poids d'une répartition ne peuvent pas être négatifs.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("La somme des poids d'une répartition ne peut pas être nulle.")
    exact = [total * w / weight_sum for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    leftover = int((total - sum(shares)) / CENT)
    step = CENT if leftover >= 0 else -CENT
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (-(exact[i] - shares[i]) * (1 if step > 0 else -1), i)
    )
    for i in by_remainder[: abs(leftover)]:
        shares[i] += step
    return shares
