"""The demo's snapshots: the bilan's months and the last twelve, frozen once."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from pilote.indicators import demo, indicators
from pilote.indicators.models import Snapshot
from tests.applications.factories import accepted_of

pytestmark = pytest.mark.django_db


def test_the_demo_freezes_the_bilan_months_and_the_last_twelve_once(world):
    territory = world.territory_a
    territory.slug = demo.HDC_SLUG
    territory.save()
    accepted_of(world, filed_on=dt.date(2022, 3, 1), decided_on=dt.date(2022, 6, 15))
    created = demo.load(out=io.StringIO())
    months = set(Snapshot.objects.values_list("month", flat=True))
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert {dt.date(2022, 4, 1), dt.date(2022, 6, 1), last} <= months
    assert len(months) == 14
    assert created > 14
    june = indicators.at_month(territory, dt.date(2022, 6, 1))
    assert june.frozen
    assert june.territory_wide["accepted"] == 1
    april = indicators.at_month(territory, dt.date(2022, 4, 1))
    assert april.frozen
    assert april.territory_wide["accepted"] == 0
    assert demo.load(out=io.StringIO()) == 0
    assert Snapshot.objects.count() == 14
