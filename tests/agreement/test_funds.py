"""The rule of the calls for funds (pilote/agreement/funds.py), exhaustively."""

import random
from decimal import Decimal

import pytest

from pilote.agreement.funds import compute

D = Decimal
SIX = [(f"2000000{i:02d}", f"EPCI {i}", D("10833.33")) for i in range(6)]


def test_year_1_forecast_six_times_8000():
    partners = [(s, n, D("8000.00")) for s, n, _ in SIX]
    result = compute(D("97865"), {"État": D("40000"), "CCI": D("9865")}, partners)
    assert result.to_share == D("48000.00")
    assert [s.amount for s in result.shares] == [D("8000.00")] * 6
    assert result.uncovered == D("0.00")


def test_year_2_forecast_cap_leaves_two_cents_uncovered():
    result = compute(D("74865"), {"CCI": D("9865")}, SIX)
    assert result.to_share == D("65000.00")
    # 65 000,00 / 6: 10 833,34 twice (the two lowest SIRENs), capped at 10 833,33
    assert [s.equal_share for s in result.shares] == [D("10833.34")] * 2 + [D("10833.33")] * 4
    assert [s.amount for s in result.shares] == [D("10833.33")] * 6
    assert result.uncovered == D("0.02")


def test_remaining_cents_go_in_ascending_siren_order_whatever_the_given_order():
    partners = [("300000000", "C", D("100")), ("100000000", "A", D("100")),
                ("200000000", "B", D("100"))]  # fmt: skip
    result = compute(D("0.05"), {}, partners)
    assert [(s.siren, s.amount) for s in result.shares] == [
        ("100000000", D("0.02")), ("200000000", D("0.02")), ("300000000", D("0.01")),
    ]  # fmt: skip


def test_expenses_below_the_fixed_contributions_share_nothing():
    result = compute(D("30000"), {"État": D("40000")}, SIX)
    assert result.to_share == D("0.00")
    assert all(s.amount == 0 for s in result.shares)
    assert result.uncovered == D("0.00")


def test_above_the_forecast_caps_bite_and_the_rest_is_uncovered():
    result = compute(D("80000"), {"CCI": D("9865")}, SIX)
    assert result.to_share == D("70135.00")
    assert [s.amount for s in result.shares] == [D("10833.33")] * 6
    assert result.uncovered == D("70135.00") - 6 * D("10833.33")


def test_below_the_forecast_everyone_pays_less():
    result = compute(D("70000"), {"CCI": D("9865")}, SIX)
    assert result.to_share == D("60135.00")
    assert [s.amount for s in result.shares] == [D("10022.50")] * 6
    assert result.uncovered == D("0.00")


def test_no_partner_leaves_everything_uncovered():
    result = compute(D("100"), {"CCI": D("10")}, [])
    assert result.shares == []
    assert result.uncovered == D("90.00")


def test_amounts_are_rounded_to_the_cent():
    result = compute("100.005", {"x": "0.004"}, [("1", "a", "1000")])
    assert result.expenses == D("100.01")
    assert result.fixed == {"x": D("0.00")}
    assert result.shares[0].amount == D("100.01")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((D("-1"), {}, SIX), "dépenses"),
        ((D("1"), {"x": D("-1")}, SIX), "participation fixe"),
        ((D("1"), {}, [("1", "a", D("-1"))]), "plafond"),
        ((D("1"), {}, [("1", "a", D("1")), ("1", "b", D("1"))]), "même SIREN"),
    ],
)
def test_invalid_inputs_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        compute(*args)


def test_properties_on_random_inputs():
    rng = random.Random(14)
    for _ in range(3000):
        n = rng.randint(0, 9)
        sirens = rng.sample(range(100_000_000, 999_999_999), n)
        partners = [(str(s), f"P{s}", D(rng.randint(0, 2_000_000)) / 100) for s in sirens]
        if rng.random() < 0.3 and partners:  # equal caps, the agreement's case
            cap = partners[0][2]
            partners = [(s, name, cap) for s, name, _ in partners]
        expenses = D(rng.randint(0, 20_000_000)) / 100
        fixed = {f"F{i}": D(rng.randint(0, 5_000_000)) / 100 for i in range(rng.randint(0, 3))}
        result = compute(expenses, fixed, partners)
        assert result.to_share == max(expenses - sum(fixed.values(), D(0)), D(0))
        # the sum is exact: nothing lost, nothing invented
        assert sum((s.amount for s in result.shares), D(0)) + result.uncovered == result.to_share
        assert result.uncovered >= 0
        for share in result.shares:
            assert D(0) <= share.amount <= share.cap
            assert share.amount == min(share.equal_share, share.cap)
            assert share.amount == share.amount.quantize(D("0.01"))
        equal = [s.equal_share for s in result.shares]
        if equal:
            assert max(equal) - min(equal) <= D("0.01")
            assert sum(equal) == result.to_share
            # the extra cent goes to the lowest SIRENs: non-increasing in SIREN order
            assert [s.siren for s in result.shares] == sorted(s.siren for s in result.shares)
            assert equal == sorted(equal, reverse=True)
            # uncovered only when a cap bites
            if all(s.equal_share <= s.cap for s in result.shares):
                assert result.uncovered == 0
        else:
            assert result.uncovered == result.to_share
