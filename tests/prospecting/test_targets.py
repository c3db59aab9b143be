import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import CampaignTarget
from pilote.prospecting.scoring import explain
from tests.accompaniment.factories import meeting_of
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of, local

TODAY = timezone.localdate()


@pytest.fixture
def sites(world):
    """Establishments of e1 (four industrial, one shop, one closed) and one of e2."""
    e1, e2 = world.epcis["e1"], world.epcis["e2"]

    def make(name, epci=e1, **fields):
        return EstablishmentFactory(epci=epci, company=CompanyFactory(name=name), **fields)

    return {
        "forge": make("Forges de l'Escaut", naf_code="24.10Z", headcount_band="21"),
        "foundry": make(
            "Fonderie Escaut", naf_code="24.51Z", headcount_band="01", is_head_office=False
        ),
        "rail": make("Rail Services", naf_code="30.20Z", headcount_band="22"),
        "press": make("Presses du Hainaut", naf_code="28.41Z", headcount_band="11"),
        "shop": make("Boulangerie", naf_code="47.24Z", naf_section="G"),
        "closed": make("Verrerie fermée", naf_code="23.13Z", state="F"),
        "elsewhere": make("Forges de la Sambre", epci=e2, naf_code="24.10Z"),
    }


def names(targets):
    return sorted(t.establishment.company.name for t in targets)


def test_adding_targets_from_directory_filters(world, sites, login):
    campaign = campaign_of(world, "e1")
    client = login(world.users["agent_e1"])
    url = f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    preview = client.get(url + "?q=escaut&industrial=on&state=open")
    assert preview.status_code == 200
    assert preview.context["count"] == 2
    assert [e.company.name for e in preview.context["preview"]] == [
        "Forges de l'Escaut",  # 20 + 25 + 15 + 10
        "Fonderie Escaut",  # 20 + 15
    ]
    response = client.post(url, {"filtres": preview.context["filters_query"]})
    assert response.status_code == 302
    assert names(campaign.targets.all()) == ["Fonderie Escaut", "Forges de l'Escaut"]
    assert set(campaign.targets.values_list("status", flat=True)) == {TargetStatus.TO_CONTACT}
    event = AuditEvent.objects.for_object(campaign).get(action="campaign.targets_add")
    assert sorted(event.changes["establishments"][1]) == sorted(
        [sites["forge"].siret, sites["foundry"].siret]
    )
    # The same search again adds nothing: both are already targets.
    again = client.get(url + "?q=escaut&industrial=on&state=open")
    assert (again.context["count"], again.context["already"]) == (0, 2)


def test_the_default_search_is_the_epcis_open_industrial_establishments(world, sites, login):
    campaign = campaign_of(world, "e1")
    client = login(world.users["manager"])
    url = f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    preview = client.get(url)
    assert preview.context["count"] == 4  # not the shop, the closed one, nor e2's forge
    client.post(url, {"filtres": preview.context["filters_query"]})
    assert names(campaign.targets.all()) == [
        "Fonderie Escaut",
        "Forges de l'Escaut",
        "Presses du Hainaut",
        "Rail Services",
    ]


def test_a_pasted_directory_address_gives_its_filters_but_not_its_epci(world, sites, login):
    campaign = campaign_of(world, "e1")
    client = login(world.users["agent_e1"])
    url = f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    pasted = "http://testserver/entreprises/?" + urlencode(
        {"q": "forges", "epci": world.epcis["e2"].pk, "industrial": "on", "page": 3}
    )
    response = client.get(url, {"adresse": pasted})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?q=forges&industrial=on"
    preview = client.get(response["Location"])
    assert [e.company.name for e in preview.context["preview"]] == ["Forges de l'Escaut"]


def test_a_large_search_is_capped_with_a_clear_message(world, sites, login, monkeypatch):
    monkeypatch.setattr(services, "MAX_TARGETS_PER_ADD", 2)
    campaign = campaign_of(world, "e1")
    client = login(world.users["agent_e1"])
    url = f"/prospection/campagnes/{campaign.pk}/ajouter-des-cibles/"
    preview = client.get(url + "?industrial=on")
    assert "seuls les 2 meilleurs scores seront ajoutés" in preview.content.decode()
    response = client.post(url, {"filtres": "industrial=on"}, follow=True)
    # The best two: the forge (70) and the rail workshop (70), not the foundry nor the press.
    assert names(campaign.targets.all()) == ["Forges de l'Escaut", "Rail Services"]
    assert "seuls les 2 premiers par score ont été pris" in response.content.decode()


def test_the_service_refuses_establishments_of_another_epci_and_skips_closed_ones(world, sites):
    campaign = campaign_of(world, "e1")
    agent = world.users["agent_e1"]
    with pytest.raises(PermissionDenied):
        services.targets_add(
            acting_user=agent,
            campaign=campaign,
            establishments=[sites["forge"], sites["elsewhere"]],
        )
    assert not campaign.targets.exists()
    result = services.targets_add(
        acting_user=agent,
        campaign=campaign,
        establishments=[sites["forge"], sites["closed"], sites["forge"]],
    )
    assert (result.added, result.closed) == (1, 1)
    again = services.targets_add(
        acting_user=agent, campaign=campaign, establishments=[sites["forge"]]
    )
    assert (again.added, again.already) == (0, 1)
    with pytest.raises(PermissionDenied):
        services.targets_add(
            acting_user=world.users["partner"], campaign=campaign, establishments=[sites["rail"]]
        )


def status_form(target, **fields):
    prefix = f"cible-{target.pk}-"
    stored = CampaignTarget.objects.get(pk=target.pk)  # the version a fresh form would carry
    data = {"status": target.status, "planned_at": "", "assigned_to": "", "note": ""}
    data["version"] = version_of(stored)
    data.update(fields)
    return {prefix + key: value for key, value in data.items()}


def test_a_visit_is_booked_inline_with_htmx(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    client = login(world.users["agent_e1"])
    url = f"/prospection/cibles/{target.pk}/statut/"
    contacted = client.post(
        url, status_form(target, status="contacted", note="Rappeler"), HTTP_HX_REQUEST="true"
    )
    html = contacted.content.decode()
    assert "<html" not in html
    assert f'id="cible-{target.pk}"' in html
    target.refresh_from_db()
    assert (target.status, target.note) == (TargetStatus.CONTACTED, "Rappeler")
    booked = client.post(
        url,
        status_form(
            target,
            status="meeting_planned",
            planned_at="2026-12-03T14:30",
            assigned_to=world.users["manager"].pk,
        ),
        HTTP_HX_REQUEST="true",
    )
    assert "jeudi 3 décembre 2026 à 14:30" in booked.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.MEETING_PLANNED
    assert timezone.localtime(target.planned_at).strftime("%H:%M %Z") == "14:30 CET"
    assert target.planned_at == dt.datetime(2026, 12, 3, 13, 30, tzinfo=dt.UTC)
    assert target.assigned_to == world.users["manager"]
    actions = AuditEvent.objects.for_object(target).values_list("action", flat=True)
    assert list(actions) == ["campaign_target.update"] * 2


def test_the_status_form_comes_on_demand_in_the_row(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    client = login(world.users["agent_e1"])
    url = f"/prospection/cibles/{target.pk}/statut/"
    edit = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'<tr id="cible-{target.pk}">' in edit
    assert f'name="cible-{target.pk}-status"' in edit
    assert "<html" not in edit
    display = client.get(url + "?lecture=1", HTTP_HX_REQUEST="true").content.decode()
    assert f'name="cible-{target.pk}-status"' not in display
    assert "Mettre à jour" in display
    page = client.get(url)  # without htmx: a page of its own
    assert "<html" in page.content.decode()
    assert page.context["row"].form is not None


def test_a_meeting_needs_its_date(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    client = login(world.users["agent_e1"])
    response = client.post(
        f"/prospection/cibles/{target.pk}/statut/",
        status_form(target, status="meeting_planned"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Indiquez la date et l&#x27;heure du rendez-vous." in response.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.TO_CONTACT
    with pytest.raises(ValidationError):
        services.target_update_status(
            acting_user=world.users["agent_e1"], target=target, status=TargetStatus.MEETING_PLANNED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.filter(pk=target.pk).update(status=TargetStatus.MEETING_PLANNED)


def test_status_transitions(world):
    agent = world.users["agent_e1"]
    target = TargetFactory(campaign=campaign_of(world, "e1"))

    def move(status, **kw):
        return services.target_update_status(acting_user=agent, target=target, status=status, **kw)

    move(TargetStatus.MEETING_PLANNED, planned_at=local(TODAY, 9))
    move(TargetStatus.MEETING_PLANNED, planned_at=local(TODAY, 11))  # moved
    assert timezone.localtime(target.planned_at).hour == 11
    move(TargetStatus.MET)
    assert target.planned_at is not None  # a visit held stays on the calendar
    with pytest.raises(ValidationError):
        move(TargetStatus.TO_CONTACT)
    move(TargetStatus.DROPPED)
    assert target.planned_at is None
    move(TargetStatus.TO_CONTACT)
    move(TargetStatus.CONTACTED)
    assert target.status == TargetStatus.CONTACTED


def test_an_invalid_transition_is_refused_by_the_form_too(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"), status=TargetStatus.MET)
    client = login(world.users["agent_e1"])
    response = client.post(
        f"/prospection/cibles/{target.pk}/statut/",
        status_form(target, status="to_contact"),
        follow=True,
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.MET


def test_the_status_form_without_htmx_redirects_to_the_target(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    client = login(world.users["agent_e1"])
    response = client.post(
        f"/prospection/cibles/{target.pk}/statut/", status_form(target, status="contacted")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/prospection/campagnes/{target.campaign_id}/#cible-{target.pk}"


@pytest.mark.parametrize("actor", ["agent_e2", "partner", "manager_b", "nobody"])
def test_others_cannot_change_a_status(world, login, actor):
    target = TargetFactory(campaign=campaign_of(world, "e1", visibility=Visibility.PARTNERS))
    client = login(world.users[actor])
    response = client.post(
        f"/prospection/cibles/{target.pk}/statut/", status_form(target, status="contacted")
    )
    # 403 for whoever sees the campaign read-only, 404 for whoever may not see it.
    assert response.status_code == (403 if actor in {"agent_e2", "partner"} else 404)
    target.refresh_from_db()
    assert target.status == TargetStatus.TO_CONTACT


def test_one_cannot_assign_a_target_to_someone_who_cannot_work_it(world):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    with pytest.raises(ValidationError):
        services.target_update_status(
            acting_user=world.users["manager"],
            target=target,
            status=TargetStatus.CONTACTED,
            assigned_to=world.users["agent_e2"],
        )


def test_mark_met_moves_the_targets_of_open_campaigns(world, sites):
    forge = sites["forge"]
    open_ = TargetFactory(campaign=campaign_of(world, "e1"), establishment=forge)
    planned = TargetFactory(
        campaign=campaign_of(world, "e1", "manager"),
        establishment=forge,
        status=TargetStatus.MEETING_PLANNED,
        planned_at=local(TODAY, 10),
    )
    ended = TargetFactory(
        campaign=campaign_of(
            world,
            "e1",
            starts_on=TODAY - dt.timedelta(days=400),
            ends_on=TODAY - dt.timedelta(days=35),
        ),
        establishment=forge,
    )
    other = TargetFactory(campaign=open_.campaign, establishment=sites["rail"])
    user = world.users["agent_e1"]
    before = sum(r.points for r in explain(forge, territory=world.territory_a, user=user))
    at = timezone.now()
    meeting = meeting_of(world, "e1", "agent_e1", establishment=forge)
    assert services.mark_met(meeting=meeting, at=at, acting_user=user) == 2
    for target in (open_, planned, ended, other):
        target.refresh_from_db()
    assert (open_.status, planned.status) == (TargetStatus.MET, TargetStatus.MET)
    assert open_.status_changed_at == at
    assert planned.planned_at is not None
    assert (ended.status, other.status) == (TargetStatus.TO_CONTACT, TargetStatus.TO_CONTACT)
    assert AuditEvent.objects.for_object(forge).get().action == "campaign_target.mark_met"
    # Met: the score loses its « jamais rencontré » points for those who see the campaign.
    after = sum(r.points for r in explain(forge, territory=world.territory_a, user=user))
    assert before - after == 15
    assert services.mark_met(meeting=meeting, at=at) == 0


def test_the_csv_export_lists_targets_by_score_with_their_reasons(world, sites, login):
    campaign = campaign_of(world, "e1", name="Campagne; « Escaut »")
    for key in ("foundry", "forge", "press"):
        TargetFactory(campaign=campaign, establishment=sites[key])
    TargetFactory(campaign=campaign_of(world, "e2", "agent_e2"), establishment=sites["elsewhere"])
    response = login(world.users["agent_e1"]).get(
        f"/prospection/campagnes/{campaign.pk}/cibles.csv"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="cibles-campagne-{campaign.pk}-'
    )
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:4] == ["Score", "Raisons", "SIRET", "Établissement"]
    assert [r[3] for r in rows[1:]] == [
        "Forges de l'Escaut",
        "Presses du Hainaut",
        "Fonderie Escaut",
    ]
    assert [int(r[0]) for r in rows[1:]] == [70, 55, 35]
    assert "PME de 30 à 200 personnes : +25" in rows[1][1]
    assert rows[1][-1] == "Campagne; « Escaut »"


def test_the_next_targets_are_the_ten_best_still_to_contact(world, login):
    campaign = campaign_of(world, "e1")
    best = TargetFactory(
        campaign=campaign,
        status=TargetStatus.CONTACTED,
        establishment=EstablishmentFactory(epci=campaign.epci, headcount_band="22"),
    )
    for _ in range(11):
        TargetFactory(
            campaign=campaign,
            establishment=EstablishmentFactory(epci=campaign.epci, headcount_band="01"),
        )
    top = TargetFactory(
        campaign=campaign,
        establishment=EstablishmentFactory(epci=campaign.epci, headcount_band="21"),
    )
    response = login(world.users["agent_e1"]).get(
        f"/prospection/campagnes/{campaign.pk}/prochaines-cibles/"
    )
    rows = response.context["rows"]
    assert len(rows) == 10
    assert rows[0].target == top
    assert best not in [r.target for r in rows]
    assert all(r.target.status == TargetStatus.TO_CONTACT for r in rows)
    assert all(r.can_edit and r.form is None for r in rows)  # forms come on demand
