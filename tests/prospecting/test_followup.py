"""What prospecting adds to the establishment pages and the directory."""

import pytest

from pilote.companies.models import Establishment
from pilote.companies.registry import followed_q
from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.followup import directory_actions
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.leak_matrix import SPECIMENS, expected_visible
from tests.prospecting.factories import TargetFactory, campaign_of
from tests.prospecting.leak_cases import make_campaign, site


@pytest.mark.parametrize("actor", ["manager", "agent_e1", "agent_e2", "partner", "admin"])
def test_the_timeline_shows_only_the_campaigns_the_reader_may_see(world, login, actor):
    specimens = [
        (spec, make_campaign(world, epci=spec[0], visibility=spec[1], author=spec[2]))
        for spec in SPECIMENS
    ]
    client = login(world.users[actor])
    pages = {
        epci: client.get(site(world, epci).get_absolute_url()).content.decode()
        for epci in ("e1", "e2")
    }
    leaks = [
        spec
        for spec, campaign in specimens
        if (campaign.name in pages[spec[0]]) != expected_visible(actor, *spec)
    ]
    assert not leaks


def test_the_timeline_entry_reads_as_a_sentence(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1", name="Campagne Escaut"))
    html = login(world.users["agent_e1"]).get(target.establishment.get_absolute_url())
    assert "Ciblé par la campagne Campagne Escaut — à contacter" in html.content.decode()


def test_a_met_target_counts_as_follow_up_for_the_directory(world):
    target = TargetFactory(campaign=campaign_of(world, "e1"), status=TargetStatus.MET)
    TargetFactory(campaign=target.campaign)  # merely targeted: not followed
    followed = Establishment.objects.filter(followed_q(world.users["agent_e1"]))
    assert list(followed) == [target.establishment]
    assert not Establishment.objects.filter(followed_q(world.users["agent_e2"])).exists()


@pytest.mark.parametrize(
    ("actor", "offered"),
    [("manager", True), ("agent_e1", True), ("agent_e2", False), ("partner", False)],
)
def test_the_add_to_campaign_action_is_offered_to_those_who_may_write(world, login, actor, offered):
    establishment = EstablishmentFactory(epci=world.epcis["e1"])
    html = login(world.users[actor]).get(establishment.get_absolute_url()).content.decode()
    assert ("Ajouter à une campagne" in html) is offered
    url = f"/prospection/etablissement/{establishment.siret}/"
    assert login(world.users[actor]).get(url).status_code == (200 if offered else 404)


def test_an_establishment_is_added_to_a_campaign_from_its_page(world, login):
    establishment = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges")
    )
    campaign = campaign_of(world, "e1", name="Campagne Escaut")
    campaign_of(
        world, "e1", "manager", name="Campagne privée du CCI", visibility=Visibility.PRIVATE
    )
    client = login(world.users["agent_e1"])
    url = f"/prospection/etablissement/{establishment.siret}/"
    page = client.get(url)
    assert [c.name for c in page.context["campaigns"]] == ["Campagne Escaut"]
    response = client.post(url, {"campaign": campaign.pk})
    assert response.status_code == 302
    assert campaign.targets.get().establishment == establishment
    assert "déjà ciblé" in client.get(url).content.decode()
    assert client.post(url, {"campaign": 999999}).status_code == 404


def test_from_the_directory_one_picks_a_campaign_for_the_search(world, login):
    campaign = campaign_of(world, "e1", name="Campagne Escaut")
    campaign_of(world, "e2", "manager", name="Campagne Sambre")
    client = login(world.users["manager"])
    page = client.get(
        "/prospection/depuis-l-annuaire/", {"q": "forge", "epci": campaign.epci_id, "page": 2}
    )
    assert [c.name for c in page.context["campaigns"]] == ["Campagne Escaut"]
    html = page.content.decode()
    assert f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/?q=forge" in html
    assert login(world.users["partner"]).get("/prospection/depuis-l-annuaire/").status_code == 404


def test_the_directory_offers_to_add_a_search_to_a_campaign_to_writers(world):
    assert directory_actions(world.users["agent_e1"]) == [
        ("Ajouter ces établissements à une campagne", "/prospection/depuis-l-annuaire/")
    ]
    assert directory_actions(world.users["partner"]) == []
