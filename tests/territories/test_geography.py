import csv
import shutil

import pytest
from django.conf import settings

from pilote.territories.geography import load_geography
from pilote.territories.models import Commune, Epci, Region

GEO = settings.DATA_DIR / "geo"


def read(name):
    with (GEO / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_shipped_data_is_consistent():
    regions = {r["code"] for r in read("regions.csv")}
    departments = {d["code"]: d for d in read("departements.csv")}
    epcis = {e["siren"] for e in read("epci.csv")}
    communes = read("communes.csv")
    assert len(communes) > 34000
    assert all(d["region"] in regions for d in departments.values())
    assert all(c["departement"] in departments for c in communes)
    assert all(c["epci"] in epcis for c in communes if c["epci"])
    assert len({c["code"] for c in communes}) == len(communes)
    cambrai = next(c for c in communes if c["code"] == "59122")
    assert (cambrai["nom"], cambrai["epci"], cambrai["region"]) == ("Cambrai", "200068500", "32")


def test_the_sources_are_documented():
    sources = (settings.DATA_DIR / "SOURCES.md").read_text()
    assert "@etalab/decoupage-administratif" in sources
    assert "6.0.0" in sources


@pytest.fixture
def small_geo(tmp_path):
    """The shipped files cut down to département 59, to keep the test fast."""
    for name in ("regions.csv", "departements.csv"):
        shutil.copy(GEO / name, tmp_path / name)
    communes = [c for c in read("communes.csv") if c["departement"] == "59"]
    sirens = {c["epci"] for c in communes}
    epcis = [e for e in read("epci.csv") if e["siren"] in sirens]
    for name, rows in (("communes.csv", communes), ("epci.csv", epcis)):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return tmp_path, len(communes), len(epcis)


@pytest.mark.django_db
def test_loading_twice_changes_nothing_the_second_time(small_geo):
    directory, n_communes, n_epcis = small_geo
    first = load_geography(directory=directory)
    assert first.created["communes"] == n_communes == Commune.objects.count()
    assert first.created["EPCI"] == n_epcis == Epci.objects.count()
    second = load_geography(directory=directory)
    assert not second.changed


@pytest.mark.django_db
def test_a_renamed_commune_is_updated_in_place(small_geo):
    directory, n_communes, _ = small_geo
    load_geography(directory=directory)
    path = directory / "communes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Cambrai,", ",Cambrai-Ville,"))
    report = load_geography(directory=directory)
    assert report.updated["communes"] == 1
    assert report.created["communes"] == 0
    assert Commune.objects.get(code="59122").name == "Cambrai-Ville"
    assert Commune.objects.count() == n_communes
    assert Region.objects.get(code="32").name == "Hauts-de-France"
