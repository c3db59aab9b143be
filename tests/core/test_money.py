from decimal import Decimal

import pytest

from pilote.core.money import allocate, to_cents


def test_to_cents_rounds_half_up():
    assert to_cents("10833.335") == Decimal("10833.34")
    assert to_cents("10833.334") == Decimal("10833.33")
    assert to_cents(5) == Decimal("5.00")


def test_equal_shares_of_the_agreement_sum_exactly_to_the_total():
    # 65 000 € of remaining cost shared by six EPCIs in equal parts.
    shares = allocate(Decimal("65000"), [1] * 6)
    assert shares == [Decimal("10833.34")] * 2 + [Decimal("10833.33")] * 4
    assert sum(shares) == Decimal("65000.00")


def test_weighted_shares_sum_exactly_and_follow_the_weights():
    shares = allocate("100", [1, 1, 1])
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    shares = allocate("97865", [40000, 8000, 8000, 8000, 8000, 8000, 8000, 9865])
    assert sum(shares) == Decimal("97865.00")
    assert shares[0] == Decimal("40000.00")


def test_negative_total_is_allocated_too():
    shares = allocate("-10", [1, 2])
    assert sum(shares) == Decimal("-10.00")
    assert shares == [Decimal("-3.33"), Decimal("-6.67")]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_invalid_weights_are_refused_with_a_french_message(weights):
    with pytest.raises(ValueError, match=r"répartition|Aucune part"):
        allocate("10", weights)
