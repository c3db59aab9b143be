import pytest

from pilote.companies.models import Sector, TerritoryProfile
from pilote.companies.nomenclatures import install_default_sectors, load_naf
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from tests.factories import EstablishmentFactory, SectorFactory


@pytest.fixture
def naf(db):
    load_naf()


def test_the_default_sectors_and_scope_are_installed_once(world, naf):
    created = install_default_sectors(acting_user=None, territory=world.territory_a)
    assert created == 13  # the profile and twelve sectors
    assert install_default_sectors(acting_user=None, territory=world.territory_a) == 0
    slugs = set(Sector.objects.filter(territory=world.territory_a).values_list("slug", flat=True))
    assert {"ferroviaire", "automobile", "verre", "mecanique"} <= slugs
    rail = Sector.objects.get(territory=world.territory_a, slug="ferroviaire")
    assert rail.strategic
    assert rail.matches("30.20Z")
    assert TerritoryProfile.objects.get(territory=world.territory_a).industrial_sections == [
        "B", "C", "D", "E"
    ]  # fmt: skip


def test_the_ti_manager_edits_a_sector_and_unknown_codes_are_refused(world, naf, login):
    sector = SectorFactory(territory=world.territory_a, name="Ferroviaire", slug="ferroviaire")
    client = login(world.users["manager"])
    url = f"/entreprises/filieres/{sector.pk}/"
    response = client.post(
        url,
        {
            "name": "Ferroviaire",
            "slug": "ferroviaire",
            "naf_prefixes": "30.20, 99.99X",
            "version": version_of(sector),
        },
    )
    assert response.status_code == 200
    assert "Codes inconnus dans la NAF rév. 2 : 99.99X." in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Ferroviaire",
            "slug": "ferroviaire",
            "naf_prefixes": "30.20, 33.17",
            "strategic": "on",
            "version": version_of(sector),
        },
    )
    assert response.status_code == 302
    sector.refresh_from_db()
    assert sector.naf_prefixes == ["30.20", "33.17"]
    assert AuditEvent.objects.filter(action="sector.update").exists()


@pytest.mark.parametrize("actor", ["agent_e1", "partner", "manager_b"])
def test_only_the_territorys_manager_edits_sectors(world, naf, login, actor):
    sector = SectorFactory(territory=world.territory_a)
    client = login(world.users[actor])
    assert client.get(f"/entreprises/filieres/{sector.pk}/").status_code == 404
    if actor != "manager_b":  # manager_b may create sectors, in territory B
        assert client.post("/entreprises/filieres/nouvelle/", {"name": "x"}).status_code == 404


def test_the_industrial_scope_changes_the_directorys_default(world, naf, login):
    EstablishmentFactory(epci=world.epcis["e1"], naf_code="47.24Z", naf_section="G")
    client = login(world.users["manager"])
    assert client.get("/entreprises/").context["page"].paginator.count == 0
    client.post("/entreprises/filieres/", {"sections": ["C", "G"]})
    assert client.get("/entreprises/").context["page"].paginator.count == 1


def test_the_headcount_bands_match_the_official_list(db):
    import csv

    from django.conf import settings

    from pilote.companies.enums import HeadcountBand

    with (settings.DATA_DIR / "naf" / "tranches_effectifs.csv").open(encoding="utf-8") as f:
        official = {row["code"]: row["label"] for row in csv.DictReader(f)}
    assert set(official) == set(HeadcountBand.values)
    for band in HeadcountBand:
        if band.value not in ("NN", "00"):  # shortened on purpose, see the enum
            assert band.label == official[band.value]


def test_the_nomenclatures_command_is_idempotent(world):
    import io

    from django.core.management import call_command

    first, second = io.StringIO(), io.StringIO()
    call_command("load_nomenclatures", stdout=first)
    call_command("load_nomenclatures", stdout=second)
    assert "1728 code(s)" in first.getvalue()
    assert "0 code(s)" in second.getvalue()
    assert "TI A : 13" in first.getvalue()
    assert "TI A : 0" in second.getvalue()
