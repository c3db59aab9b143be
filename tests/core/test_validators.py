"""The plausible-value rules (`pilote.core.validators`), each refusing in French and
accepting its boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pilote.core.validators import PlausibleDate, french_date, number_between, plausible_date

TODAY = timezone.localdate()


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def refused(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return " ".join(exc.value.messages)


class TestPlausibleDate:
    def test_a_past_fact_runs_from_1990_to_today(self):
        check = plausible_date("La date de résolution")
        check(dt.date(1990, 1, 1))
        check(TODAY)
        assert refused(check, dt.date(1, 1, 1)) == (
            "La date de résolution ne peut pas précéder le 01/01/1990."
        )
        assert refused(check, dt.date(1989, 12, 31)).endswith("précéder le 01/01/1990.")
        assert refused(check, TODAY + dt.timedelta(days=1)) == (
            "La date de résolution ne peut pas être dans le futur."
        )

    def test_a_planned_exchange_may_be_a_year_ahead(self):
        check = plausible_date("La date de l'échange", years_ahead=1)
        latest = _years_after(TODAY, 1)
        check(latest)
        message = refused(check, latest + dt.timedelta(days=1))
        assert message == (
            f"La date de l'échange ne peut pas dépasser le {latest:%d/%m/%Y} "
            "(un an après aujourd'hui)."
        )
        assert "ne peut pas dépasser" in refused(check, dt.date(2099, 12, 31))

    def test_several_years_ahead_are_said_in_years(self):
        check = plausible_date("L'échéance", years_ahead=10)
        check(_years_after(TODAY, 10))
        assert "(10 ans après aujourd'hui)" in refused(check, dt.date(9999, 12, 31))

    def test_date_times_are_checked_on_their_local_day(self):
        check = plausible_date("Le rendez-vous", years_ahead=1)
        check(timezone.now())
        assert "précéder" in refused(check, dt.datetime(1980, 5, 1, 10, tzinfo=dt.UTC))

    def test_none_is_left_to_the_required_check(self):
        plausible_date()(None)

    def test_it_is_deconstructible_and_comparable_for_migrations(self):
        validator = PlausibleDate("La date", years_ahead=1)
        path, args, kwargs = validator.deconstruct()
        assert path == "pilote.core.validators.PlausibleDate"
        assert PlausibleDate(*args, **kwargs) == validator

    def test_year_one_is_written_on_four_digits(self):
        assert french_date(dt.date(1, 1, 1)) == "01/01/0001"


class TestNumberBetween:
    def test_a_percentage(self):
        number_between(Decimal("0"), Decimal("0"), Decimal("100"))
        number_between(Decimal("100"), Decimal("0"), Decimal("100"))
        assert (
            refused(lambda v: number_between(v, Decimal("0"), Decimal("100")), Decimal("150"))
            == "Saisissez un nombre entre 0 et 100."
        )
        assert (
            refused(lambda v: number_between(v, Decimal("0"), Decimal("100")), Decimal("-0.01"))
            == "Saisissez un nombre entre 0 et 100."
        )

    def test_an_amount(self):
        number_between(Decimal("0"), Decimal("0"), None)
        number_between(Decimal("1e13"), Decimal("0"), None)
        assert refused(lambda v: number_between(v, Decimal("0"), None), Decimal("-5000")) == (
            "Ce nombre ne peut pas être négatif."
        )

    def test_other_bounds(self):
        assert refused(lambda v: number_between(v, Decimal("1"), None), Decimal("0")) == (
            "Saisissez un nombre d'au moins 1."
        )
        assert refused(lambda v: number_between(v, None, Decimal("2,5".replace(",", "."))),
                       Decimal("3")) == "Saisissez un nombre d'au plus 2,5."  # fmt: skip
        number_between(Decimal("-3"), None, None)
