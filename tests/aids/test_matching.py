"""Explained matching: the Cambrai acceptance case, ranking, every criterion, the command,
the establishment page, and the bulk path agreeing with the explained one."""

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.aids import matching
from pilote.aids.models import AidScheme
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import (
    CommuneFactory,
    CompanyFactory,
    DepartmentFactory,
    EpciFactory,
    EstablishmentFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cambrai_plant():
    """An establishment in Cambrai (REG-32, DEP-59), 50 to 99 employees, NAF 29.32Z."""
    department = DepartmentFactory(code="59", name="Nord", region=RegionFactory(code="32"))
    epci = EpciFactory(siren="200068500", name="CA de Cambrai")
    cambrai = CommuneFactory(code="59122", name="Cambrai", department=department, epci=epci)
    company = CompanyFactory(
        headcount_band="21",
        size_category="PME",
        created_on=dt.date(1998, 3, 1),
        legal_category="5710",
    )
    return EstablishmentFactory(
        company=company, epci=epci, commune=cambrai, naf_code="29.32Z", naf_section="C",
        headcount_band="21",
    )  # fmt: skip


def open_scheme(title, **criteria):
    scheme = AidSchemeFactory(title=title, **criteria)
    CallWindowFactory(scheme=scheme)
    return scheme


def explain_for(establishment, **kwargs):
    facts = matching.facts_of(establishment)
    return matching.explain(matching.load_rules(), matching.Criteria(facts, **kwargs))


def test_the_cambrai_plant_is_matched_to_the_regional_industry_scheme_only(cambrai_plant):
    fits = open_scheme("Industrie Hauts-de-France", geo_included=["REG-32"], naf_codes=["C"])
    open_scheme("Industrie Île-de-France", geo_included=["REG-11"], naf_codes=["C"])
    open_scheme("Grandes entreprises", geo_included=["PAYS-99100"], headcount_min=250)
    open_scheme("Hors automobile", geo_included=["REG-32"], naf_excluded=["29"])

    result = explain_for(cambrai_plant)

    assert [m.rule.title for m in result.eligible] == ["Industrie Hauts-de-France"]
    reasons = [str(v) for v in result.eligible[0].reasons]
    assert "Zone géographique : REG-32 couvert" in reasons
    assert "Activité : 29.32Z dans C" in reasons
    assert any(r.startswith("Calendrier : ouvert, clôture le ") for r in reasons)
    blocking = {m.rule.title: str(m.blocking) for m in result.not_eligible}
    assert blocking == {
        "Grandes entreprises": "Effectif : 50 à 99 salariés, minimum requis 250",
        "Hors automobile": "Activité : 29.32Z exclu (29)",
        "Industrie Île-de-France": (
            "Zone géographique : réservé à REG-11 ; l'établissement est en DEP-59, REG-32"
        ),
    }
    assert fits.pk == result.eligible[0].rule.pk


def test_the_match_command_prints_the_json_form(cambrai_plant):
    open_scheme("Industrie Hauts-de-France", geo_included=["REG-32"], naf_codes=["C"])
    blocked = open_scheme("Grandes entreprises", headcount_min=250)
    out = io.StringIO()
    call_command("match", "--siret", cambrai_plant.siret, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [e["titre"] for e in data["eligible"]] == ["Industrie Hauts-de-France"]
    assert "Zone géographique : REG-32 couvert" in data["eligible"][0]["reasons"]
    assert data["not_eligible"] == [
        {
            "id": blocked.etalab_id,
            "titre": "Grandes entreprises",
            "criterion": "effectif",
            "blocking": "Effectif : 50 à 99 salariés, minimum requis 250",
        }
    ]


def test_the_establishment_page_offers_the_matching_and_it_shows_the_reasons(
    cambrai_plant, world, login
):
    world.territory_a.epcis.add(cambrai_plant.epci)
    open_scheme("Industrie Hauts-de-France", geo_included=["REG-32"], naf_codes=["C"])
    open_scheme("Hors automobile", naf_excluded=["29"])
    client = login(world.users["agent_e1"])
    page = client.get(cambrai_plant.get_absolute_url()).content.decode()
    url = reverse("aids:match", args=[cambrai_plant.siret])
    assert url in page
    text = client.get(url).content.decode()
    assert "REG-32 couvert" in text
    assert "29.32Z exclu (29)" in text
    # Outside the reader's territory: 404, like the establishment page.
    assert login(world.users["agent_e3"]).get(url).status_code == 404


def test_closed_schemes_block_on_the_calendar_and_permanent_ones_pass(cambrai_plant):
    closed = AidSchemeFactory(title="Clos")
    CallWindowFactory(
        scheme=closed,
        opens_on=timezone.localdate() - dt.timedelta(days=90),
        closes_on=timezone.localdate() - dt.timedelta(days=30),
    )
    AidSchemeFactory(title="Permanent")
    result = explain_for(cambrai_plant)
    assert [m.rule.title for m in result.eligible] == ["Permanent"]
    assert str(result.not_eligible[0].blocking).startswith("Calendrier : clos depuis le ")


def test_every_criterion_gives_its_reason(cambrai_plant):
    open_scheme(
        "Tout",
        geo_included=["EPCI-200068500"],
        geo_excluded=["COM-59001"],
        naf_codes=["29.3"],
        headcount_min=20,
        headcount_max=249,
        size_categories=["PME"],
        min_years=3,
        legal_forms=["SAS", "SARL"],
        themes=["industrie_du_futur"],
    )
    reasons = [str(v) for v in explain_for(cambrai_plant).eligible[0].reasons]
    assert reasons[1:] == [
        "Zone géographique : EPCI-200068500 couvert",
        "Activité : 29.32Z dans 29.3",
        "Effectif : 50 à 99 salariés, de 20 à 249 salariés requis",
        "Catégorie d'entreprise : PME parmi PME",
        f"Ancienneté : {matching.years_between(dt.date(1998, 3, 1), timezone.localdate())}"
        " an(s), 3 requis",
        "Forme juridique : SAS",
    ]


def test_themes_of_a_project_block_the_other_schemes(cambrai_plant):
    open_scheme("Décarbonation", themes=["decarbonation"])
    open_scheme("Export", themes=["export"])
    result = explain_for(cambrai_plant, themes=frozenset({"decarbonation"}))
    assert [m.rule.title for m in result.eligible] == ["Décarbonation"]
    assert str(result.not_eligible[0].blocking) == (
        "Thème : décarbonation ; le dispositif porte sur export"
    )


def test_certain_matches_rank_before_uncertain_ones_then_targeted_then_soonest(cambrai_plant):
    today = timezone.localdate()
    for title, days, criteria in [
        ("Général, clôture lointaine", 90, {}),
        ("Général, clôture proche", 10, {}),
        ("Ciblé", 90, {"naf_codes": ["C"]}),
        ("À vérifier", 5, {"headcount_min": 60}),  # 50-99 straddles 60
    ]:
        scheme = AidSchemeFactory(title=title, **criteria)
        CallWindowFactory(scheme=scheme, closes_on=today + dt.timedelta(days=days))
    titles = [m.rule.title for m in explain_for(cambrai_plant).eligible]
    assert titles == [
        "Ciblé",
        "Général, clôture proche",
        "Général, clôture lointaine",
        "À vérifier",
    ]


def test_unknown_facts_are_to_check_not_guessed(cambrai_plant):
    company = cambrai_plant.company
    company.headcount_band, company.size_category, company.created_on = "", "", None
    company.save()
    cambrai_plant.headcount_band = ""
    cambrai_plant.save()
    open_scheme("PME de 10 ans", headcount_max=249, size_categories=["PME"], min_years=10)
    match = explain_for(cambrai_plant).eligible[0]
    assert [v.criterion for v in match.to_check] == [
        "effectif", "catégorie d'entreprise", "ancienneté",
    ]  # fmt: skip


def _random_facts(rng, i):
    regions = [("32", "59"), ("32", "62"), ("11", "75")]
    region, department = rng.choice(regions)
    return matching.Facts(
        key=str(i),
        pk=i,
        commune=f"{department}{rng.randrange(1, 5):03d}",
        epci=rng.choice(["200068500", "245901160", ""]),
        department=department,
        region=region,
        naf_code=rng.choice(["29.32Z", "25.62A", "10.71A", "47.11D", "01.11Z", ""]),
        naf_section="",
        band=rng.choice(["", "NN", "01", "11", "21", "31", "32", "53"]),
        size=rng.choice(["", "MIC", "PME", "ETI", "GE"]),
        created_on=rng.choice([None, dt.date(2024, 5, 1), dt.date(2010, 1, 1)]),
        legal_category=rng.choice(["", "5710", "5499", "1000", "9220"]),
    )


def test_bulk_masks_agree_with_the_explained_verdicts():
    from pilote.companies.naf import section_of

    rng = random.Random(5)
    facts = []
    for i in range(300):
        f = _random_facts(rng, i)
        facts.append(matching.replace(f, naf_section=section_of(f.naf_code)))
    today = timezone.localdate()
    population = matching.Population(facts, today)
    options = {
        "geo_included": [["PAYS-99100"], ["REG-32"], ["DEP-62", "EPCI-200068500"], ["ARR-591"]],
        "geo_excluded": [[], ["COM-59001"], ["DEP-59"]],
        "naf_codes": [[], ["C"], ["29", "10.7"], ["47.11D"]],
        "naf_excluded": [[], ["29.3"], ["A"]],
        "sectors": [["tous secteurs d'activité"], ["industrie"], ["agriculture", "artisanat"]],
        "headcount_min": [None, 10, 60],
        "headcount_max": [None, 249],
        "size_categories": [[], ["PME"], ["MIC"], ["ETI", "GE"]],
        "min_years": [None, 3],
        "legal_forms": [[], ["SAS"], ["Microentrepreneur"]],
        "legal_forms_excluded": [[], ["EI"]],
    }
    for n in range(60):
        scheme = AidScheme(
            pk=n, etalab_id=str(n), title=str(n), targets=["professionnels"],
            **{k: rng.choice(v) for k, v in options.items()},
        )  # fmt: skip
        rule = matching.compile_rule(scheme, today)
        eligible, check = population.masks(rule)
        for i, f in enumerate(facts):
            verdicts = matching.verdicts(rule, matching.Criteria(f), today)
            blocked = any(v.status == "block" for v in verdicts)
            uncertain = any(v.status == "check" for v in verdicts)
            assert bool(eligible >> i & 1) == (not blocked), (scheme.__dict__, f)
            assert bool(check >> i & 1) == (not blocked and uncertain), (scheme.__dict__, f)
