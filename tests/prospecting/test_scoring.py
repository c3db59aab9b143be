import datetime as dt

import pytest
from django.utils import timezone

from pilote.companies import registry
from pilote.companies.models import Establishment
from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import CampaignTarget, ScoringWeights
from pilote.prospecting.scoring import (
    Reason,
    Scorer,
    annotate_score,
    explain,
    months_before,
    order_directory_by_score,
    years_before,
)
from tests.factories import CompanyFactory, EstablishmentFactory, NoteFactory, SectorFactory
from tests.prospecting.factories import TargetFactory, campaign_of

TODAY = timezone.localdate()


@pytest.fixture
def sites(world):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    SectorFactory(
        territory=world.territory_a, name="Ferroviaire", naf_prefixes=["30.20"], strategic=True
    )
    SectorFactory(
        territory=world.territory_a, name="Automobile", naf_prefixes=["29"], strategic=True
    )
    SectorFactory(territory=world.territory_a, name="Chimie", naf_prefixes=["20"])

    def make(key, epci=e1, **fields):
        return EstablishmentFactory(epci=epci, company=CompanyFactory(name=key), **fields)

    return {
        "rail": make(
            "Rail Neuf",
            naf_code="30.20Z",
            naf_section="C",
            headcount_band="21",
            is_head_office=True,
            created_on=TODAY - dt.timedelta(days=400),
        ),
        "bakery": make(
            "Boulangerie",
            naf_code="47.24Z",
            naf_section="G",
            headcount_band="01",
            is_head_office=False,
            created_on=dt.date(2001, 5, 1),
        ),
        "workshop": make(
            "Atelier",
            naf_code="25.62A",
            naf_section="C",
            headcount_band="11",
            is_head_office=False,
            created_on=None,
        ),
        "steel": make(
            "Aciérie",
            naf_code="24.10Z",
            naf_section="C",
            headcount_band="31",
            is_head_office=True,
            created_on=dt.date(1990, 1, 1),
        ),
        "chemicals": make(
            "Chimie du Nord",
            naf_code="20.14Z",
            naf_section="C",
            headcount_band="22",
            is_head_office=False,
            created_on=TODAY - dt.timedelta(days=3 * 365 + 5),
        ),
        "car": make(
            "Équipementier",
            epci=e2,
            naf_code="29.32Z",
            naf_section="C",
            headcount_band="12",
            is_head_office=False,
            created_on=TODAY,
        ),
        "unknown": make(
            "Sans données", naf_code="", naf_section="", headcount_band="", is_head_office=False
        ),
    }


def scores(world, user):
    qs = annotate_score(Establishment.objects.all(), territory=world.territory_a, user=user)
    return {e.company.name: e.score for e in qs.select_related("company")}


def test_the_reasons_read_as_the_roadmap_says(world, sites):
    reasons = explain(sites["rail"], territory=world.territory_a, user=world.users["manager"])
    assert [str(r) for r in reasons] == [
        "Secteur industriel (section C) : +20",
        "PME de 30 à 200 personnes : +25",
        "Filière stratégique ferroviaire : +20",
        "Jamais rencontré, ou pas depuis 18 mois : +15",
        "Créé il y a moins de 3 ans : +10",
        "Siège de l'entreprise : +10",
    ]
    steel = explain(sites["steel"], territory=world.territory_a, user=world.users["manager"])
    assert Reason("Effectif voisin du cœur de cible (200 à 249 salariés)", 10) in steel


@pytest.mark.parametrize("actor", ["manager", "agent_e1", "agent_e2", "partner"])
def test_sql_and_python_agree_on_every_establishment(world, sites, actor):
    user = world.users[actor]
    # Follow-up that only some readers see: a note on the steelworks (e1, EPCI visibility)
    # and a target met in a territory-wide campaign.
    NoteFactory(
        epci=world.epcis["e1"],
        establishment=sites["steel"],
        author_organisation=world.orgs["o1"],
        visibility=Visibility.EPCI,
    )
    campaign = campaign_of(world, "e1", visibility=Visibility.TERRITORY)
    TargetFactory(campaign=campaign, establishment=sites["workshop"], status=TargetStatus.MET)
    by_sql = scores(world, user)
    for establishment in sites.values():
        reasons = explain(establishment, territory=world.territory_a, user=user)
        assert sum(r.points for r in reasons) == by_sql[establishment.company.name], (
            establishment.company.name
        )
    assert by_sql["Rail Neuf"] == 100
    assert by_sql["Boulangerie"] == 15
    assert by_sql["Sans données"] == 15
    assert by_sql["Chimie du Nord"] == 20 + 25 + 15  # created just over 3 years ago
    assert by_sql["Équipementier"] == 20 + 25 + 20 + 15 + 10
    # A note is follow-up, not a meeting: it does not remove « jamais rencontré ».
    assert by_sql["Aciérie"] == 20 + 10 + 10 + 15
    # A met target counts as a meeting only for those who see its campaign.
    sees_met_target = actor != "partner"
    assert by_sql["Atelier"] == 20 + 10 + (0 if sees_met_target else 15)


def test_targets_score_like_their_establishment(world, sites):
    campaign = campaign_of(world, "e1")
    for key in ("rail", "bakery", "workshop", "steel"):
        TargetFactory(campaign=campaign, establishment=sites[key])
    user = world.users["agent_e1"]
    scorer = Scorer(territory=world.territory_a, user=user)
    targets = scorer.annotate(
        CampaignTarget.objects.select_related("establishment"),
        prefix="establishment__",
        with_met=True,
    )
    by_sql = scores(world, user)
    for target in targets:
        name = target.establishment.company.name
        assert target.score == by_sql[name]
        explained = scorer.explain(target.establishment, met=target.met_recently)
        assert sum(r.points for r in explained) == target.score


def test_edited_weights_change_the_order(world, sites, login):
    # Two old establishments of section C: a PME without head office, a tiny head office.
    pme = EstablishmentFactory(
        epci=world.epcis["e1"],
        company=CompanyFactory(name="PME"),
        headcount_band="21",
        is_head_office=False,
    )
    office = EstablishmentFactory(
        epci=world.epcis["e1"],
        company=CompanyFactory(name="Siège"),
        headcount_band="01",
        is_head_office=True,
    )
    pair = Establishment.objects.filter(pk__in=[pme.pk, office.pk])

    def order():
        qs = order_directory_by_score(
            pair, territory=world.territory_a, user=world.users["manager"]
        )
        return [e.company.name for e in qs.select_related("company")]

    assert order() == ["PME", "Siège"]  # 60 against 45
    client = login(world.users["manager"])
    form = {name: getattr(ScoringWeights(), name) for name in ScoringWeights.WEIGHT_FIELDS}
    response = client.post("/prospection/score/", {**form, "head_office": 40})
    assert response.status_code == 302
    assert order() == ["Siège", "PME"]  # 75 against 60
    assert "Siège de l'entreprise : +40" in [
        str(r) for r in explain(office, territory=world.territory_a, user=world.users["agent_e1"])
    ]


def test_only_the_ti_manager_edits_the_weights(world, login):
    client = login(world.users["agent_e1"])
    page = client.get("/prospection/score/")
    assert page.status_code == 200
    assert "PME de 30 à 200 personnes" in page.content.decode()
    assert page.context["form"] is None
    assert client.post("/prospection/score/", {"industrial": 0}).status_code == 404
    assert not ScoringWeights.objects.exists()
    other = login(world.users["manager_b"]).post("/prospection/score/", {"industrial": 1})
    assert other.status_code == 200  # the form of their own territory, with errors
    assert not ScoringWeights.objects.filter(territory=world.territory_a).exists()


def test_weights_above_100_are_refused(world, login):
    client = login(world.users["manager"])
    form = dict.fromkeys(ScoringWeights.WEIGHT_FIELDS, 10)
    response = client.post("/prospection/score/", {**form, "core_size": 500})
    assert response.status_code == 200
    assert not ScoringWeights.objects.exists()


def test_cut_off_dates():
    at = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert months_before(at, 18) == dt.datetime(2025, 2, 28, 12, tzinfo=dt.UTC)
    assert years_before(dt.date(2028, 2, 29), 3) == dt.date(2025, 2, 28)


@pytest.mark.skipif(
    not hasattr(registry, "directory_orderings"),
    reason="the directory's sort hook (companies.registry.directory_orderings) is not wired yet",
)
def test_the_directory_sorts_by_score(world, sites, login):
    response = login(world.users["agent_e1"]).get("/entreprises/?sort=-score&state=all")
    assert response.context["form"].is_valid()
    names = [e.company.name for e in response.context["page"].object_list]
    assert names[:2] == ["Rail Neuf", "Équipementier"]  # 100, then 90 (in e2)
    assert names[-1] in {"Boulangerie", "Sans données"}  # 15


def test_a_meeting_older_than_eighteen_months_no_longer_counts(world, sites):
    campaign = campaign_of(world, "e1")
    target = TargetFactory(
        campaign=campaign, establishment=sites["workshop"], status=TargetStatus.MET
    )
    user = world.users["manager"]
    qs = annotate_score(
        Establishment.objects.filter(pk=sites["workshop"].pk),
        territory=world.territory_a,
        user=user,
    )
    recent = qs.get().score
    CampaignTarget.objects.filter(pk=target.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=19 * 31)
    )
    assert qs.get().score == recent + 15
