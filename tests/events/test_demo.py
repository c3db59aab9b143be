import io

import pytest

from pilote.events import demo
from pilote.events.models import Attendance, Event
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_the_demo_loads_events_with_attendance_once(world):
    world.territory_a.slug = demo.HDC_SLUG
    world.territory_a.save()
    for _ in range(30):
        EstablishmentFactory(epci=world.epcis["e1"])
    assert demo.load(out=io.StringIO()) > 0
    assert Event.objects.count() == len(demo.HISTORIC) + len(demo.SINCE)
    assert Attendance.objects.filter(present=True).exists()
    assert Event.objects.filter(starts_at__year__in=[2021, 2022]).count() >= 10
    assert demo.load(out=io.StringIO()) == 0
