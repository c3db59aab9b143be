import datetime as dt
import io

from django.utils import timezone

from pilote.accounts.enums import OrganisationKind, Role
from pilote.prospecting import demo
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign, CampaignTarget
from pilote.territories.demo import HDC_SLUG
from tests.factories import (
    EpciFactory,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
)


def demo_territory():
    cambrai, douai = EpciFactory(name="CA de Cambrai"), EpciFactory(name="CA du Douaisis")
    territory = TerritoryFactory(slug=HDC_SLUG, epcis=[cambrai, douai])
    for epci in (cambrai, douai):
        organisation = OrganisationFactory(
            kind=OrganisationKind.EPCI, epci=epci, territories=[territory]
        )
        MembershipFactory(organisation=organisation, territory=territory, role=Role.EPCI_AGENT)
    return territory, cambrai, douai


def test_without_establishments_the_demo_creates_nothing_and_says_why(db):
    demo_territory()
    out = io.StringIO()
    assert demo.load(out=out) == 0
    assert "aucun établissement" in out.getvalue()
    assert not Campaign.objects.exists()


def test_one_campaign_per_epci_with_its_best_targets_idempotently(db, time_machine):
    time_machine.move_to(dt.datetime(2027, 3, 15, 7, 0, tzinfo=dt.UTC), tick=False)  # a Monday
    _, cambrai, douai = demo_territory()
    EstablishmentFactory.create_batch(17, epci=cambrai, headcount_band="01")
    best = EstablishmentFactory(epci=cambrai, headcount_band="22")
    EstablishmentFactory(epci=cambrai, state="F")
    EstablishmentFactory.create_batch(2, epci=douai)
    assert demo.load(out=io.StringIO()) == 2 + 15 + 2
    campaign = Campaign.objects.get(epci=cambrai)
    assert campaign.name == "Campagne de prospection 2027 — CA de Cambrai"
    assert (campaign.starts_on, campaign.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert campaign.owner.memberships.get().organisation.epci == cambrai
    assert campaign.targets.count() == 15
    assert campaign.targets.filter(establishment=best, status=TargetStatus.MEETING_PLANNED).exists()
    statuses = list(campaign.targets.values_list("status", flat=True))
    assert statuses.count(TargetStatus.MEETING_PLANNED) == 3
    assert statuses.count(TargetStatus.CONTACTED) == 2
    assert not campaign.targets.filter(establishment__state="F").exists()
    assert Campaign.objects.get(epci=douai).targets.count() == 2
    assert demo.load(out=io.StringIO()) == 0
    assert Campaign.objects.count() == 2


def visit_times(territory):
    return {
        timezone.localtime(t.planned_at)
        for t in CampaignTarget.objects.filter(campaign__territory=territory).visits()
    }


def test_the_campaign_is_the_current_years_and_its_visits_are_spread_over_the_week(
    db, time_machine
):
    time_machine.move_to(dt.datetime(2027, 6, 10, 12, 0, tzinfo=dt.UTC), tick=False)  # Thursday
    territory, cambrai, douai = demo_territory()
    for epci in (cambrai, douai):
        EstablishmentFactory.create_batch(4, epci=epci, headcount_band="21")
    demo.load(out=io.StringIO())

    for campaign in Campaign.objects.all():
        assert "2027" in campaign.name
        assert campaign.starts_on.year == campaign.ends_on.year == 2027
    visits = visit_times(territory)
    this_week = [v for v in visits if dt.date(2027, 6, 7) <= v.date() <= dt.date(2027, 6, 13)]
    assert len({v.date() for v in this_week}) >= 3
    assert len({v.time() for v in this_week}) >= 3
    assert all(v.weekday() < 5 and 9 <= v.hour < 17 for v in visits)
    # A visit already held is « rencontré », one to come is « rendez-vous fixé ».
    for target in CampaignTarget.objects.visits():
        held = target.planned_at < timezone.now()
        assert target.status == (TargetStatus.MET if held else TargetStatus.MEETING_PLANNED)


def test_a_visit_never_falls_outside_its_campaigns_year(db, time_machine):
    time_machine.move_to(dt.datetime(2027, 12, 30, 12, 0, tzinfo=dt.UTC), tick=False)
    territory, cambrai, douai = demo_territory()
    for epci in (cambrai, douai):
        EstablishmentFactory.create_batch(4, epci=epci, headcount_band="21")
    demo.load(out=io.StringIO())
    assert visit_times(territory)
    assert all(v.year == 2027 for v in visit_times(territory))
