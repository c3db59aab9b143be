import io

import pytest

from pilote.aids import demo
from pilote.aids.enums import CallStatus
from pilote.aids.models import AidScheme, CallWindow
from pilote.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_loads_once_and_has_calls_around_today():
    created = demo.load(out=io.StringIO())
    assert created == AidScheme.objects.count() + CallWindow.objects.count()
    assert AidScheme.objects.count() == len(demo.SCHEMES) == 12
    assert set(AidScheme.objects.values_list("is_demo", flat=True)) == {True}
    events = AuditEvent.objects.count()
    assert demo.load(out=io.StringIO()) == 0
    assert AuditEvent.objects.count() == events
    statuses = {s.title: s.status() for s in AidScheme.objects.prefetch_related("windows")}
    assert statuses["Zones industrielles bas carbone (ZIBAC)"] == CallStatus.UPCOMING
    assert statuses["AMI Compétences et métiers d'avenir"] == CallStatus.CLOSED
    assert CallStatus.OPEN in statuses.values()
    assert "VTE Territoires d'industrie" in statuses


def test_a_later_run_moves_the_windows_to_stay_around_today(time_machine):
    demo.load(out=io.StringIO())
    before = list(CallWindow.objects.order_by("pk").values_list("closes_on", flat=True))
    time_machine.move_to("2030-01-15")
    assert demo.load(out=io.StringIO()) == 0
    after = list(CallWindow.objects.order_by("pk").values_list("closes_on", flat=True))
    assert all(a > b for a, b in zip(after, before, strict=True))
