import io

from pilote.accounts.enums import OrganisationKind, Role
from pilote.prospecting import demo
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign
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


def test_one_campaign_per_epci_with_its_best_targets_idempotently(db):
    _, cambrai, douai = demo_territory()
    EstablishmentFactory.create_batch(17, epci=cambrai, headcount_band="01")
    best = EstablishmentFactory(epci=cambrai, headcount_band="22")
    EstablishmentFactory(epci=cambrai, state="F")
    EstablishmentFactory.create_batch(2, epci=douai)
    assert demo.load(out=io.StringIO()) == 2 + 15 + 2
    campaign = Campaign.objects.get(epci=cambrai)
    assert campaign.name == "Campagne de prospection 2027 — CA de Cambrai"
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
