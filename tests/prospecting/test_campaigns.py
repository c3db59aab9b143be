import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign
from tests.factories import EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of

TODAY = timezone.localdate()


def campaign_form(world, **overrides):
    data = {
        "epci": world.epcis["e1"].pk,
        "name": "Campagne 2027",
        "starts_on": "2027-01-04",
        "ends_on": "2027-06-30",
        "owner": world.users["agent_e1"].pk,
        "description": "Sous-traitants ferroviaires",
        "visibility": Visibility.EPCI,
    }
    return {**data, **overrides}


def test_an_epci_agent_creates_a_campaign_for_their_epci(world, login):
    client = login(world.users["agent_e1"])
    response = client.post("/prospection/campagnes/nouvelle/", campaign_form(world))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    assert (campaign.territory, campaign.epci) == (world.territory_a, world.epcis["e1"])
    assert (campaign.author, campaign.author_organisation) == (
        world.users["agent_e1"],
        world.orgs["o1"],
    )
    assert campaign.starts_on == dt.date(2027, 1, 4)
    assert AuditEvent.objects.for_object(campaign).get().action == "campaign.create"


def test_the_ti_manager_creates_a_campaign_for_any_epci_of_the_territory(world, login):
    client = login(world.users["manager"])
    form = campaign_form(world, epci=world.epcis["e2"].pk, owner=world.users["manager"].pk)
    assert client.post("/prospection/campagnes/nouvelle/", form).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.epci == world.epcis["e2"]
    assert campaign.author_organisation == world.orgs["cci"]


def test_an_agent_cannot_create_a_campaign_for_another_epci(world, login):
    client = login(world.users["agent_e1"])
    form = campaign_form(world, epci=world.epcis["e2"].pk)
    response = client.post("/prospection/campagnes/nouvelle/", form)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Campaign.objects.exists()
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            acting_user=world.users["agent_e1"],
            territory=world.territory_a,
            epci=world.epcis["e2"],
            name="x",
            starts_on=TODAY,
            ends_on=TODAY,
        )


def test_no_campaign_on_an_epci_outside_the_territory(world):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            acting_user=world.users["manager_b"],
            territory=world.territory_a,
            epci=world.epcis["e3"],
            name="x",
            starts_on=TODAY,
            ends_on=TODAY,
        )


@pytest.mark.parametrize("actor", ["partner", "admin", "nobody"])
def test_readers_cannot_create_campaigns(world, login, actor):
    client = login(world.users[actor])
    assert client.get("/prospection/campagnes/nouvelle/").status_code == 404
    assert client.post("/prospection/campagnes/nouvelle/", campaign_form(world)).status_code == 404
    assert not Campaign.objects.exists()


def test_the_period_must_be_in_order(world, login):
    client = login(world.users["agent_e1"])
    form = campaign_form(world, starts_on="2027-06-30", ends_on="2027-01-04")
    response = client.post("/prospection/campagnes/nouvelle/", form)
    assert response.status_code == 200
    assert "La fin de la campagne précède son début." in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_owner_must_be_able_to_work_the_campaign(world, login):
    client = login(world.users["manager"])
    form = campaign_form(world, owner=world.users["agent_e2"].pk)  # an agent of e2, on e1
    response = client.post("/prospection/campagnes/nouvelle/", form)
    assert response.status_code == 200
    assert "ne peut pas piloter cette campagne" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_epcis_agent_edits_the_managers_campaign_and_it_is_audited(world, login):
    campaign = campaign_of(world, "e1", "manager", name="Ancien nom")
    client = login(world.users["agent_e1"])
    form = campaign_form(
        world,
        name="Nouveau nom",
        owner=campaign.owner.pk,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        description="",
        version=version_of(campaign),
    )
    response = client.post(f"/prospection/campagnes/{campaign.pk}/modifier/", form)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Nouveau nom"
    assert campaign.epci == world.epcis["e1"]  # a campaign keeps its EPCI
    event = AuditEvent.objects.for_object(campaign).get(action="campaign.update")
    assert event.changes["name"] == ["Ancien nom", "Nouveau nom"]


def test_a_visible_campaign_of_another_epci_is_read_only(world, login):
    campaign = campaign_of(world, "e1", visibility=Visibility.TERRITORY)
    client = login(world.users["agent_e2"])
    page = client.get(f"/prospection/campagnes/{campaign.pk}/")
    assert page.status_code == 200
    assert "Ajouter des cibles" not in page.content.decode()
    assert client.get(f"/prospection/campagnes/{campaign.pk}/modifier/").status_code == 403
    url = f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    assert client.post(url, {"filtres": ""}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.campaign_update(acting_user=world.users["agent_e2"], campaign=campaign, name="x")


def test_a_private_campaign_stays_with_its_organisation(world):
    campaign = campaign_of(world, "e1", "manager", visibility=Visibility.PRIVATE)
    with pytest.raises(PermissionDenied):
        services.campaign_update(acting_user=world.users["agent_e1"], campaign=campaign, name="x")
    services.campaign_update(acting_user=world.users["manager"], campaign=campaign, name="ok")


def test_the_list_shows_visible_campaigns_with_their_counts(world, login):
    mine = campaign_of(world, "e1", name="Campagne Escaut")
    TargetFactory.create_batch(2, campaign=mine)
    TargetFactory(campaign=mine, status=TargetStatus.MET)
    campaign_of(world, "e2", "agent_e2", name="Campagne Sambre")
    response = login(world.users["agent_e1"]).get("/prospection/")
    [shown] = response.context["page"].object_list
    assert shown.name == "Campagne Escaut"
    assert (shown.n_targets, shown.n_to_contact, shown.n_met) == (3, 2, 1)
    html = login(world.users["manager"]).get("/prospection/?q=sambre").content.decode()
    assert "Campagne Sambre" in html
    assert "Campagne Escaut" not in html


def test_the_list_answers_htmx_with_a_fragment(world, login):
    campaign_of(world, "e1", name="Campagne Escaut")
    response = login(world.users["agent_e1"]).get("/prospection/?q=escaut", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Campagne Escaut" in html
    assert "<html" not in html


def test_the_list_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.users["manager"])
    TargetFactory(campaign=campaign_of(world, "e1"))
    client.get("/prospection/")  # warm the session and content types
    # session, user, current membership, scope (2), count, page, EPCI filter choices
    with django_assert_num_queries(8) as few:
        client.get("/prospection/")
    for _ in range(5):
        TargetFactory.create_batch(3, campaign=campaign_of(world, "e2", "agent_e2"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/prospection/")


def test_the_campaign_page_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    campaign = campaign_of(world, "e1")
    TargetFactory(campaign=campaign)
    client = login(world.users["agent_e1"])
    url = f"/prospection/campagnes/{campaign.pk}/"
    client.get(url)
    # session, user, membership, scope (2), campaign, weights, territory profile, strategic
    # sectors, count, targets page, status counts
    with django_assert_num_queries(12) as few:
        client.get(url)
    for band in ("11", "21", "31", "01", "22"):
        TargetFactory(
            campaign=campaign,
            status=TargetStatus.CONTACTED,
            establishment=EstablishmentFactory(epci=campaign.epci, headcount_band=band),
        )
    TargetFactory.create_batch(10, campaign=campaign)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 16


def test_the_campaign_page_sorts_targets_by_score_with_their_reasons(world, login):
    campaign = campaign_of(world, "e1")
    small = EstablishmentFactory(epci=campaign.epci, headcount_band="01", is_head_office=False)
    core = EstablishmentFactory(epci=campaign.epci, headcount_band="21", is_head_office=True)
    TargetFactory(campaign=campaign, establishment=small)
    TargetFactory(campaign=campaign, establishment=core)
    response = login(world.users["agent_e1"]).get(f"/prospection/campagnes/{campaign.pk}/")
    rows = response.context["rows"]
    assert [r.target.establishment for r in rows] == [core, small]
    assert [r.target.score for r in rows] == [70, 35]
    html = response.content.decode()
    assert "PME de 30 à 200 personnes : +25" in html
    filtered = login(world.users["agent_e1"]).get(
        f"/prospection/campagnes/{campaign.pk}/?statut=met"
    )
    assert filtered.context["rows"] == []


def test_a_forged_campaign_url_answers_404(world, login):
    client = login(world.users["manager"])
    assert client.get("/prospection/campagnes/999999/").status_code == 404
    assert client.get("/prospection/campagnes/999999/cibles.csv").status_code == 404
