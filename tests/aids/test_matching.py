"""Explained matching: the Cambrai acceptance case, ranking, every criterion, the command,
the establishment page, and the bulk path agreeing with the explained one."""

import datetime as dt
import io
import json
import random
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.aids import matching
from pilote.aids.models import AidScheme
from pilote.companies.models import Naf
from tests.accompaniment.factories import ProjectFactory, written_by
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


NAF_ROWS = [
    ("C", "section", "Industrie manufacturière", None),
    ("29", "division", "Industrie automobile", "C"),
    ("29.3", "groupe", "Fabrication d'équipements automobiles", "29"),
    ("29.32", "classe", "Fabrication d'autres équipements automobiles", "29.3"),
    ("29.32Z", "sous-classe", "Fabrication d'autres équipements automobiles", "29.32"),
]
NAF_2932Z = "29.32Z Fabrication d'autres équipements automobiles"
# A code of the etalab geography written raw in a reason: what users must never read.
RAW_GEO_CODE = re.compile(r"\b(PAYS|REG|DEP|EPCI|COM)-[0-9A-Z]")


@pytest.fixture
def cambrai_plant():
    """An establishment in Cambrai (REG-32, DEP-59), 50 to 99 employees, NAF 29.32Z."""
    for code, level, label, parent in NAF_ROWS:
        Naf.objects.create(code=code, level=level, label=label, parent_id=parent)
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
    assert reasons[1:] == [
        "Zone géographique : Région Hauts-de-France, zone couverte par le dispositif",
        f"Activité : {NAF_2932Z}, dans la section C Industrie manufacturière",
    ]
    assert reasons[0].startswith("Calendrier : ouvert, clôture le ")
    blocking = {m.rule.title: str(m.blocking) for m in result.not_eligible}
    assert blocking == {
        "Grandes entreprises": "Effectif : 50 à 99 salariés (au moins 250 salariés requis)",
        "Hors automobile": (
            f"Activité : {NAF_2932Z}, activité exclue par le dispositif "
            "(la division 29 Industrie automobile)"
        ),
        # Île-de-France is not in the database: its name comes from data/geo.
        "Industrie Île-de-France": (
            "Zone géographique : hors de la zone du dispositif (Région Île-de-France) ; "
            "l'établissement est à Cambrai (59), en Région Hauts-de-France"
        ),
    }
    # The machine form stays, for whoever reads codes.
    [geo] = [v for v in result.eligible[0].reasons if v.criterion == "zone géographique"]
    assert (geo.status, geo.text) == ("ok", "REG-32 couvert")
    assert fits.pk == result.eligible[0].rule.pk


def test_the_match_command_prints_the_json_form(cambrai_plant):
    open_scheme("Industrie Hauts-de-France", geo_included=["REG-32"], naf_codes=["C"])
    blocked = open_scheme("Grandes entreprises", headcount_min=250)
    out = io.StringIO()
    call_command("match", "--siret", cambrai_plant.siret, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [e["titre"] for e in data["eligible"]] == ["Industrie Hauts-de-France"]
    eligible = data["eligible"][0]
    sentence = "Zone géographique : Région Hauts-de-France, zone couverte par le dispositif"
    assert sentence in eligible["reasons"]
    assert {
        "criterion": "zone géographique",
        "status": "ok",
        "text": "REG-32 couvert",
        "label": "Région Hauts-de-France, zone couverte par le dispositif",
    } in eligible["details"]
    assert len(eligible["details"]) == len(eligible["reasons"])
    assert data["not_eligible"] == [
        {
            "id": blocked.etalab_id,
            "titre": "Grandes entreprises",
            "criterion": "effectif",
            "blocking": "Effectif : 50 à 99 salariés (au moins 250 salariés requis)",
            "detail": {
                "criterion": "effectif",
                "status": "block",
                "text": "50 à 99 salariés, minimum requis 250",
                "label": "50 à 99 salariés (au moins 250 salariés requis)",
            },
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
    assert "Région Hauts-de-France, zone couverte par le dispositif" in text
    assert "la division 29 Industrie automobile" in text
    assert not RAW_GEO_CODE.search(text)
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
    years = matching.years_between(dt.date(1998, 3, 1), timezone.localdate())
    assert reasons[1:] == [
        "Zone géographique : CA de Cambrai, zone couverte par le dispositif",
        f"Activité : {NAF_2932Z}, dans le groupe 29.3 Fabrication d'équipements automobiles",
        "Effectif : 50 à 99 salariés (de 20 à 249 salariés requis)",
        "Catégorie d'entreprise : PME (catégorie visée : PME)",
        f"Ancienneté : entreprise de {years} ans (au moins 3 ans requis)",
        "Forme juridique : SAS, forme visée (SARL, SAS)",
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


def test_every_blocking_criterion_is_worded_in_french(cambrai_plant):
    open_scheme("Particuliers", targets=["particuliers", "collectivites"])
    open_scheme("Sans le Nord", geo_excluded=["DEP-59"])
    open_scheme("Sans Cambrai", geo_excluded=["COM-59122"])
    open_scheme("Commerce", sectors=["commerce"])
    open_scheme("Jusqu'à 49", headcount_max=49)
    open_scheme("Grandes", size_categories=["ETI", "GE"])
    open_scheme("Jeunes", legal_forms_excluded=["SAS"])
    open_scheme("SARL", legal_forms=["SARL", "EURL"])
    blocking = {m.rule.title: str(m.blocking) for m in explain_for(cambrai_plant).not_eligible}
    assert blocking == {
        "Particuliers": (
            "Bénéficiaires : réservé aux particuliers, collectivités, pas aux entreprises"
        ),
        "Sans le Nord": "Zone géographique : Nord (59), zone exclue par le dispositif",
        "Sans Cambrai": "Zone géographique : Cambrai (59), zone exclue par le dispositif",
        "Commerce": f"Activité : {NAF_2932Z}, hors des secteurs visés (commerce)",
        "Jusqu'à 49": "Effectif : 50 à 99 salariés (jusqu'à 49 salariés)",
        "Grandes": "Catégorie d'entreprise : PME (catégories visées : ETI, grande entreprise)",
        "Jeunes": "Forme juridique : SAS, forme exclue par le dispositif",
        "SARL": "Forme juridique : SAS, hors des formes visées (EURL, SARL)",
    }


def test_ages_sizes_and_thresholds_read_as_sentences():
    assert str(matching.age_verdict(2, 54)) == (
        "Ancienneté : entreprise de 54 ans (au moins 2 ans requis)"
    )
    assert str(matching.age_verdict(1, 0)) == (
        "Ancienneté : entreprise de moins d'un an (au moins 1 an requis)"
    )
    assert str(matching.age_verdict(3, None)) == (
        "Ancienneté : date de création non renseignée dans SIRENE (au moins 3 ans requis)"
        " (à vérifier)"
    )
    assert str(matching.headcount_verdict(None, 4999, "52")) == (
        "Effectif : 5 000 à 9 999 salariés (jusqu'à 4\xa0999 salariés)"
    )
    assert str(matching.headcount_verdict(10, 4999, "51")) == (
        "Effectif : 2 000 à 4 999 salariés (de 10 à 4\xa0999 salariés requis)"
    )
    assert str(matching.headcount_verdict(60, None, "21")) == (
        "Effectif : 50 à 99 salariés, une tranche à cheval sur le seuil "
        "(au moins 60 salariés requis) (à vérifier)"
    )
    assert str(matching.size_verdict(("PME",), "MIC")) == (
        "Catégorie d'entreprise : microentreprise, comptée parmi les PME (catégorie visée : PME)"
    )
    assert str(matching.legal_form_verdict((), ("Microentrepreneur",), "1000")) == (
        "Forme juridique : entreprise individuelle, mais les microentrepreneurs sont exclus"
        " (à vérifier)"
    )


def test_geography_is_named_not_coded(cambrai_plant):
    """Every kind of etalab code gets its name: France, région, département, EPCI, commune;
    a kind Pilote cannot interpret is shown as such, to check."""
    for title, geo in [
        ("France", ["PAYS-99100"]),
        ("Nord", ["DEP-59", "DEP-62"]),
        ("Cambrai", ["COM-59122"]),
        ("Arrondissement", ["ARR-591"]),
    ]:
        open_scheme(title, geo_included=geo)
    open_scheme("Aisne", geo_included=["DEP-02"])
    result = explain_for(cambrai_plant)
    geo = {
        m.rule.title: str(next(v for v in m.verdicts if v.criterion == "zone géographique"))
        for m in result.eligible + result.not_eligible
    }
    assert geo == {
        "France": "Zone géographique : France entière, zone couverte par le dispositif",
        "Nord": "Zone géographique : Nord (59), zone couverte par le dispositif",
        "Cambrai": "Zone géographique : Cambrai (59), zone couverte par le dispositif",
        "Arrondissement": (
            "Zone géographique : zone du dispositif non interprétée automatiquement : "
            "zone « ARR-591 » (à vérifier)"
        ),
        "Aisne": (
            "Zone géographique : hors de la zone du dispositif (Aisne (02)) ; "
            "l'établissement est à Cambrai (59), en Région Hauts-de-France"
        ),
    }


def test_no_reason_on_a_matching_page_shows_a_raw_code(cambrai_plant, world, login):
    """Every geography kind, covered, excluded or not covering, on the establishment's and
    a project's matching pages: names only, never « REG-32 », « DEP-59 », « PAYS-99100 »."""
    world.territory_a.epcis.add(cambrai_plant.epci)
    for n, (included, excluded) in enumerate([
        (["PAYS-99100"], []), (["REG-32"], []), (["REG-11"], []), (["DEP-59"], ["COM-59122"]),
        (["DEP-62"], []), (["EPCI-200068500"], []), (["EPCI-245901160"], []),
        (["COM-59122"], []), (["PAYS-99100"], ["DEP-59"]), (["REG-32"], ["EPCI-200068500"]),
    ]):  # fmt: skip
        open_scheme(f"Dispositif {n}", geo_included=included, geo_excluded=excluded)
    client = login(world.users["agent_e1"])
    project = ProjectFactory(establishment=cambrai_plant, **written_by(world, "agent_e1"))
    for url in (
        reverse("aids:match", args=[cambrai_plant.siret]),
        reverse("aids:project_match", args=[project.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        shown = [
            str(v)
            for m in response.context["result"].eligible + response.context["result"].not_eligible
            for v in m.verdicts
        ]
        assert len(shown) >= 20
        assert [r for r in shown if RAW_GEO_CODE.search(r)] == []
        assert not RAW_GEO_CODE.search(response.content.decode())


def test_the_names_are_read_once_per_page_not_per_scheme(
    cambrai_plant, django_assert_max_num_queries
):
    """However many schemes and codes, the reasons of a page cost a fixed few queries: one
    per kind of territory code, one for the NAF labels."""
    for n in range(30):
        open_scheme(
            f"Dispositif {n}",
            geo_included=[f"DEP-{n + 1:02d}", f"REG-{n + 1:02d}", "EPCI-200068500"],
            geo_excluded=[f"COM-59{n:03d}"],
            naf_codes=["C", f"{n + 10}"],
        )
    rules = matching.load_rules()
    criteria = matching.Criteria(matching.facts_of(cambrai_plant))
    with django_assert_max_num_queries(5):
        result = matching.explain(rules, criteria)
        shown = [str(v) for m in result.eligible + result.not_eligible for v in m.verdicts]
    assert len(shown) > 60
    assert not any(RAW_GEO_CODE.search(r) for r in shown)


def test_the_match_command_prints_the_french_sentences(cambrai_plant):
    open_scheme("Industrie Hauts-de-France", geo_included=["REG-32"], naf_codes=["C"])
    open_scheme("Grandes entreprises", headcount_min=250)
    out = io.StringIO()
    call_command("match", "--siret", cambrai_plant.siret, stdout=out)
    text = out.getvalue()
    assert "Zone géographique : Région Hauts-de-France, zone couverte par le dispositif" in text
    assert "Effectif : 50 à 99 salariés (au moins 250 salariés requis)" in text
    assert not RAW_GEO_CODE.search(text)
