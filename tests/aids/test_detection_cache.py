"""The detection's cache (`detection.candidates`): the public part of a detection is computed
once per call conditions, day, territory and establishments' stamp, and shared by every
reader; what a reader may see (known needs and projects) is read on each page and never
served to another reader. Any write to the establishments, the call or the perimeter is
seen on the next page."""

import datetime as dt
import io
import pickle

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilote.aids import detection
from pilote.core.enums import Visibility
from tests.accompaniment.factories import NeedFactory, ProjectFactory
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """How many times the public part was computed (not read from the cache)."""
    calls = []
    original = detection._compute_candidates

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(detection, "_compute_candidates", counting)
    return calls


@pytest.fixture
def vte(world):
    """A national call with no activity condition, on « emploi et compétences »; in e1 an
    establishment of the core band and a small one with no public reason to be called."""
    scheme = AidSchemeFactory(
        title="VTE", geo_included=["PAYS-99100"], headcount_max=4999, themes=["emploi_competences"]
    )
    CallWindowFactory(scheme=scheme)
    e1 = world.epcis["e1"]
    core = EstablishmentFactory(epci=e1, headcount_band="21", own_name="Site cible Zéphyr")
    small = EstablishmentFactory(
        epci=e1, headcount_band="01", company__headcount_band="01", own_name="Forge Quillet"
    )
    return scheme, core, small


def _page(client, scheme, **params) -> str:
    response = client.get(reverse("aids:detection", args=[scheme.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _export_sirets(client, scheme) -> list[str]:
    response = client.get(reverse("aids:detection_export", args=[scheme.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)[1:]
    return [row[1] for row in rows]


def test_a_need_one_reader_sees_is_never_a_reason_for_another(world, login, vte, computed):
    """A need « Mon organisation seulement » of e1's agency: agent_e1 sees it as a reason
    (the TI managers would too, docs/rules.md); agent_e2 and the partner, who load the page
    after them (from the same cache), do not — neither the reason nor the establishment it
    alone brings in."""
    scheme, core, small = vte
    NeedFactory(
        establishment=small,
        theme="employment",
        visibility=Visibility.PRIVATE,
        author_organisation=world.orgs["o1"],
        description="Recrutement confidentiel",
    )
    text = _page(login(world.users["agent_e1"]), scheme)
    assert "Besoin connu : emploi et compétences" in text
    assert small.display_name in text
    assert _export_sirets(login(world.users["agent_e1"]), scheme) == [small.siret, core.siret]
    assert len(computed) == 1

    for other in ("agent_e2", "partner"):
        client = login(world.users[other])
        text = _page(client, scheme, epci=world.epcis["e1"].pk)
        assert core.display_name in text, other
        assert small.display_name not in text, other
        assert "Besoin connu" not in text, other
        assert _export_sirets(client, scheme) == [core.siret], other
    assert len(computed) == 1  # the public part was shared, the need was not

    # And back to agent_e1: still their own reason, not the others' view of it.
    assert "Besoin connu" in _page(login(world.users["agent_e1"]), scheme)
    assert len(computed) == 1


def test_a_project_one_reader_sees_is_never_a_reason_for_another(world, login, computed):
    scheme = AidSchemeFactory(
        title="Décarbonation", geo_included=["PAYS-99100"], themes=["decarbonation"]
    )
    CallWindowFactory(scheme=scheme)
    small = EstablishmentFactory(
        epci=world.epcis["e1"], headcount_band="01", company__headcount_band="01",
        own_name="Fonderie Ulmet",
    )  # fmt: skip
    ProjectFactory(
        establishment=small, visibility=Visibility.PRIVATE, author_organisation=world.orgs["o1"]
    )
    assert "Projet connu" in _page(login(world.users["agent_e1"]), scheme)
    text = _page(login(world.users["agent_e2"]), scheme, epci=world.epcis["e1"].pk)
    assert "Projet connu" not in text
    assert small.display_name not in text
    assert len(computed) == 1


def test_the_cached_part_holds_nothing_a_reader_may_or_may_not_see(world, vte):
    """What is cached is computed without any reader: no need, no project in it."""
    from django.utils import timezone

    from pilote.aids import matching

    scheme, core, small = vte
    NeedFactory(establishment=small, theme="employment", visibility=Visibility.TERRITORY)
    territory = world.territory_a
    today = timezone.localdate()
    rule = matching.compile_rule(scheme, today)
    sections = detection.industrial_sections(territory)
    public = detection.candidates(rule, territory, sections, None, today)
    assert set(public.pks) == {core.pk, small.pk}
    assert not any("connu" in s for signals in public.signal_sets for s in signals)
    assert public.scores[public.position_of(small.pk)] == 0
    assert public.scores[public.position_of(core.pk)] == 1
    assert b"connu" not in pickle.dumps(public)


def test_a_new_need_is_seen_on_the_next_page(world, login, vte, computed):
    scheme, _, small = vte
    client = login(world.users["manager"])
    assert small.display_name not in _page(client, scheme)
    NeedFactory(establishment=small, theme="employment", author_organisation=world.orgs["o1"])
    text = _page(client, scheme)
    assert small.display_name in text
    assert "Besoin connu : emploi et compétences" in text
    assert len(computed) == 1  # needs are never cached: no recomputation was needed


def test_an_establishment_written_is_seen_on_the_next_page(world, login, vte, computed):
    scheme, core, small = vte
    client = login(world.users["manager"])
    assert _export_sirets(client, scheme) == [core.siret]
    assert len(computed) == 1

    small.headcount_band = small.company.headcount_band = "22"  # 100–199: now a target
    small.company.save()
    small.save()
    assert _export_sirets(client, scheme) == [small.siret, core.siret]
    assert len(computed) == 2

    core.state = "F"  # closed
    core.save()
    assert _export_sirets(client, scheme) == [small.siret]
    new = EstablishmentFactory(epci=world.epcis["e2"], headcount_band="12")
    assert set(_export_sirets(client, scheme)) == {small.siret, new.siret}
    new.delete()  # back to the establishments as they were: that state is still cached
    assert _export_sirets(client, scheme) == [small.siret]
    assert len(computed) == 4


def test_a_sirene_import_that_changes_a_company_is_seen(world, login, vte, computed):
    """The importer's bulk updates skip `auto_now`: it stamps the establishments itself
    (a company's headcount is part of its establishments' facts)."""
    from django.utils import timezone

    from pilote.companies.models import Company, Establishment

    scheme, core, small = vte
    client = login(world.users["manager"])
    assert _export_sirets(client, scheme) == [core.siret]
    company = small.company
    company.headcount_band = "21"
    Company.objects.bulk_update([company], ["headcount_band"])
    Establishment.objects.filter(company=company).update(updated_at=timezone.now())
    assert set(_export_sirets(client, scheme)) == {small.siret, core.siret}
    assert len(computed) == 2


def test_an_edited_call_is_seen_on_the_next_page(world, login, vte, computed):
    scheme, core, _ = vte
    client = login(world.users["manager"])
    assert _export_sirets(client, scheme) == [core.siret]
    scheme.headcount_max = 10  # the core band no longer surely fits: not eligible
    scheme.save()
    assert _export_sirets(client, scheme) == []
    assert len(computed) == 2

    scheme.headcount_max = 4999
    scheme.save()
    window = scheme.windows.get()
    window.closes_on = window.opens_on - dt.timedelta(days=1)  # closed: nothing to detect
    window.opens_on = window.closes_on - dt.timedelta(days=30)
    window.save()
    assert _export_sirets(client, scheme) == []
    assert len(computed) == 3


def test_the_perimeter_is_part_of_the_key(world, login, vte, computed):
    from pilote.companies.models import TerritoryProfile

    scheme, core, _ = vte
    client = login(world.users["manager"])
    assert _export_sirets(client, scheme) == [core.siret]
    TerritoryProfile.objects.update_or_create(
        territory=world.territory_a, defaults={"industrial_sections": ["G"]}
    )
    assert _export_sirets(client, scheme) == []
    assert len(computed) == 2
    # Another territory's reader gets its own perimeter, never territory A's lines.
    other = login(world.users["manager_b"])
    assert _export_sirets(other, scheme) == []
    assert len(computed) == 3


def test_the_ranking_from_the_cache_is_the_full_sort(world, vte):
    """Points, then certain before « à vérifier », then headcount, then SIRET: the merged
    order of the cached positions and the reader's needs is exactly `Line.sort_key`'s."""
    from pilote.accounts.models import User

    scheme, _, _ = vte
    scheme.naf_codes = ["25", "C"]  # « 25 » is more precise than a section: 2 points
    scheme.save()
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    made = []
    for i, (band, naf) in enumerate(
        [("21", "25.62A"), ("01", "25.11Z"), ("12", "29.32Z"), ("NN", "25.50A"), ("22", "10.51A"),
         ("01", "28.11Z"), ("32", "25.62A"), ("12", "25.99B")] * 2
    ):  # fmt: skip
        made.append(
            EstablishmentFactory(
                epci=(e1, e2)[i % 2],
                headcount_band=band,
                company__headcount_band=band,
                naf_code=naf,
                naf_section="C",
            )
        )
    for establishment in made[::3]:
        NeedFactory(
            establishment=establishment, theme="employment", visibility=Visibility.TERRITORY
        )
    manager = User.objects.get(email="manager@exemple.fr")
    found = detection.detect(scheme, world.territory_a, reader=manager)
    assert {g.epci.pk for g in found.groups} == {e1.pk, e2.pk}
    for group in found.groups:
        lines = list(group.lines)
        assert lines == sorted(lines, key=detection.Line.sort_key)
        assert any("Besoin connu" in line.reasons for line in lines)
        assert group.lines[0] is lines[0]  # read twice: the same line
    again = detection.detect(scheme, world.territory_a, reader=manager)
    assert [[line.pk for line in g.lines] for g in again.groups] == [
        [line.pk for line in g.lines] for g in found.groups
    ]
