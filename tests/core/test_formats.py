import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from pilote.core.templatetags.pilote import euros


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_amounts_are_shown_the_french_way():
    assert euros(Decimal("10833.333")) == "10\xa0833,33\xa0€"
    assert euros(Decimal("74865")) == "74\xa0865,00\xa0€"
    assert euros(None) == ""
    assert euros("pas un nombre") == ""


def test_dates_are_shown_day_first():
    assert render("{{ d|date:'SHORT_DATE_FORMAT' }}", d=dt.date(2026, 11, 30)) == "30/11/2026"
    assert render("{{ d }}", d=dt.date(2026, 11, 30)) == "30/11/2026"


def test_times_are_shown_in_paris_time():
    utc_noon = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)  # summer: UTC+2
    assert render("{{ t|date:'SHORT_DATETIME_FORMAT' }}", t=utc_noon) == "01/07/2026 14:00"
    assert timezone.get_current_timezone() == ZoneInfo("Europe/Paris")


def test_numbers_are_grouped_with_a_comma_decimal():
    assert render("{{ n }}", n=Decimal("10833.33")) == "10\xa0833,33"
