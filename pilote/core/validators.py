"""Plausible values, written once: the model fields carry these validators, so model forms,
`full_clean` and the services (`check_fields`) refuse the same values with the same French
message. An exchange dated 01/01/0001 or 31/12/2099, a 150 % share or a −5 000 € bill is a
typing mistake, never a fact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible

EARLIEST_YEAR = 1990
"""No follow-up record of Pilote is about anything before 1990."""


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def french_date(day: dt.date) -> str:
    """« 01/01/1990 »: the year always on four digits (`%Y` writes year 1 as « 1 »)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@deconstructible
class PlausibleDate:
    """A date (or date-time) from 1 January `earliest_year` to `years_ahead` years after
    today: 0 for a past fact (never in the future), 1 for a meeting that may be planned…

    `label` starts the message: « La date de l'échange ne peut pas précéder le 01/01/1990. »
    """

    def __init__(self, label: str = "La date", *, earliest_year: int = EARLIEST_YEAR,
                 years_ahead: int = 0):  # fmt: skip
        self.label = label
        self.earliest_year = earliest_year
        self.years_ahead = years_ahead

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        return dt.date(self.earliest_year, 1, 1), _years_after(today, self.years_ahead)

    def __call__(self, value) -> None:
        if value is None:
            return
        if isinstance(value, dt.datetime):
            value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
        earliest, latest = self.bounds()
        if value < earliest:
            raise ValidationError(
                f"{self.label} ne peut pas précéder le {french_date(earliest)}.",
                code="date_too_early",
            )
        if value > latest:
            if self.years_ahead == 0:
                message = f"{self.label} ne peut pas être dans le futur."
            else:
                ahead = "un an" if self.years_ahead == 1 else f"{self.years_ahead} ans"
                message = (
                    f"{self.label} ne peut pas dépasser le {french_date(latest)} "
                    f"({ahead} après aujourd'hui)."
                )
            raise ValidationError(message, code="date_too_late")

    def __eq__(self, other) -> bool:
        return isinstance(other, PlausibleDate) and (
            self.label,
            self.earliest_year,
            self.years_ahead,
        ) == (other.label, other.earliest_year, other.years_ahead)


def plausible_date(label: str = "La date", *, years_ahead: int = 0,
                   earliest_year: int = EARLIEST_YEAR) -> PlausibleDate:  # fmt: skip
    return PlausibleDate(label, earliest_year=earliest_year, years_ahead=years_ahead)


def non_negative(message: str = "Cette valeur ne peut pas être négative.") -> MinValueValidator:
    return MinValueValidator(0, message=message)


def percent(label: str = "Un pourcentage") -> list:
    """0 to 100 %."""
    message = f"{label} est compris entre 0 et 100 %."
    return [MinValueValidator(0, message=message), MaxValueValidator(100, message=message)]


def number_between(value: Decimal, minimum: Decimal | None, maximum: Decimal | None) -> None:
    """A typed number within optional bounds (an answer to a guide question)."""

    def show(n: Decimal) -> str:
        from django.utils.formats import number_format

        n = n.normalize() if n == n.to_integral() else n
        return number_format(n, force_grouping=True).replace("\xa0", " ")

    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ValidationError(
            f"Saisissez un nombre entre {show(minimum)} et {show(maximum)}.", code="out_of_range"
        )
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise ValidationError("Ce nombre ne peut pas être négatif.", code="out_of_range")
        raise ValidationError(f"Saisissez un nombre d'au moins {show(minimum)}.",
                              code="out_of_range")  # fmt: skip
    if maximum is not None and value > maximum:
        raise ValidationError(f"Saisissez un nombre d'au plus {show(maximum)}.",
                              code="out_of_range")  # fmt: skip


def check_fields(model, **values) -> None:
    """Run the validators of `model`'s fields on `values` (for services writing without
    `full_clean`); raise one ValidationError keyed by field."""
    errors: dict[str, list] = {}
    for name, value in values.items():
        if value is None:
            continue
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)


def field_validators(model, name: str) -> list:
    """The validators of a model field, for a plain form field typing the same value."""
    return list(model._meta.get_field(name)._validators)
