"""The prospecting score's « never met, or not for 18 months » reads held meetings too."""

import datetime as dt

import pytest
from django.utils import timezone

from pilote.accompaniment.enums import InteractionKind
from pilote.core.enums import Visibility
from pilote.prospecting.scoring import Scorer
from tests.accompaniment.factories import InteractionFactory, site_of, written_by

TODAY = timezone.localdate()


def is_met(world, actor, site) -> bool:
    scorer = Scorer(territory=world.territory_a, user=world.users[actor])
    return scorer.is_met(site)


@pytest.mark.parametrize(
    ("kind", "days_ago", "met"),
    [
        (InteractionKind.SITE_VISIT, 30, True),
        (InteractionKind.SITE_VISIT, 600, False),  # more than 18 months ago
        (InteractionKind.SITE_VISIT, -7, False),  # planned, not held yet
        (InteractionKind.PHONE, 30, False),  # a call is not a meeting
    ],
)
def test_a_held_meeting_counts_as_met(world, kind, days_ago, met):
    site = site_of(world)
    InteractionFactory(
        establishment=site,
        kind=kind,
        occurred_on=TODAY - dt.timedelta(days=days_ago),
        **written_by(world, "agent_e1"),
    )
    assert is_met(world, "agent_e1", site) is met
    scorer = Scorer(territory=world.territory_a, user=world.users["agent_e1"])
    scored = scorer.annotate(type(site).objects.filter(pk=site.pk), with_met=True).get()
    assert scored.met_recently is met  # the SQL side agrees with the Python one


def test_a_meeting_the_reader_may_not_see_does_not_count(world):
    site = site_of(world)
    InteractionFactory(
        establishment=site, visibility=Visibility.EPCI, **written_by(world, "agent_e1")
    )
    assert is_met(world, "manager", site)
    assert not is_met(world, "agent_e2", site)
