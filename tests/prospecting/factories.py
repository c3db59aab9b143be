"""Factories of prospecting objects (the shared ones are in tests/factories.py)."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign, CampaignTarget
from tests.factories import (
    EpciFactory,
    EstablishmentFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    territory = factory.SubFactory(TerritoryFactory)
    epci = factory.SubFactory(EpciFactory)
    name = factory.Sequence(lambda n: f"Campagne {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=300))
    visibility = Visibility.EPCI
    author = factory.SubFactory(UserFactory)
    author_organisation = factory.SubFactory(OrganisationFactory)
    owner = factory.SelfAttribute("author")


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = CampaignTarget

    campaign = factory.SubFactory(CampaignFactory)
    establishment = factory.LazyAttribute(lambda o: EstablishmentFactory(epci=o.campaign.epci))
    status = TargetStatus.TO_CONTACT


def campaign_of(world, epci: str = "e1", author: str = "agent_e1", **fields) -> Campaign:
    """A campaign of territory A on `epci`, written by a world actor."""
    membership = world.memberships[author]
    fields.setdefault("territory", world.territory_a)
    return CampaignFactory(
        epci=world.epcis[epci],
        author=membership.user,
        author_organisation=membership.organisation,
        **fields,
    )


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour` (Europe/Paris) on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def planned(*, days: int = 1, hour: int = 10, **fields):
    """A target with a visit `days` from today at `hour`."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return TargetFactory(status=TargetStatus.MEETING_PLANNED, planned_at=local(day, hour), **fields)
