import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pilote.accompaniment.models import Diagnostic, Interaction, Need, Project, Referral
from pilote.applications.enums import Status
from pilote.applications.models import Application
from pilote.core.enums import Visibility
from tests.accompaniment.factories import site_of
from tests.applications.factories import accepted_of, application_of


def backdate(day=dt.date(2026, 1, 1)):
    """Records made by a test are created now: date them back, as if entered in time."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    for model in (Application, Interaction, Need, Project, Diagnostic, Referral):
        model.objects.update(created_at=moment)


@pytest.fixture
def dossiers(world):
    """Applications of territory A (see the expected figures in test_indicators.py)."""
    first = site_of(world, "e1")
    a1 = accepted_of(
        world, establishment=first, filed_on=dt.date(2026, 2, 10),
        decided_on=dt.date(2026, 4, 15), amount_requested=Decimal("100000.00"),
        amount_granted=Decimal("80000.00"), investment=Decimal("500000.00"), jobs=10,
    )  # fmt: skip
    a2 = application_of(
        world, status=Status.REFUSED, filed_on=dt.date(2026, 3, 1),
        decided_on=dt.date(2026, 5, 10), amount_requested=Decimal("50000.00"),
    )  # fmt: skip
    a3 = application_of(
        world, "e2", "agent_e2", status=Status.WITHDRAWN, filed_on=dt.date(2026, 3, 15),
        decided_on=dt.date(2026, 3, 20), amount_requested=Decimal("20000.00"),
    )  # fmt: skip
    a4 = application_of(
        world, "e2", "agent_e2", status=Status.REVIEW, filed_on=dt.date(2026, 4, 1),
        amount_requested=Decimal("30000.45"),
    )  # fmt: skip
    # A laureate the team did not support, of the same company as a1.
    a5 = accepted_of(
        world, establishment=site_of(world, "e1", company=first.company), supported=False,
        filed_on=dt.date(2026, 1, 5), decided_on=dt.date(2026, 3, 31),
        amount_requested=Decimal("60000.00"), amount_granted=Decimal("40000.00"),
        investment=Decimal("200000.00"), jobs=5,
    )  # fmt: skip
    a6 = application_of(world, status=Status.DRAFT, filed_on=None, amount_requested=None)
    # Territory B's applications never count for A.
    accepted_of(world, "e3", "agent_e3", visibility=Visibility.PARTNERS)
    backdate()
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5, "a6": a6}
