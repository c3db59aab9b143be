import csv
import io

import pytest
from openpyxl import load_workbook

from pilote.core.enums import Visibility
from tests.factories import (
    CompanyFactory,
    EstablishmentFactory,
    NoteFactory,
    SectorFactory,
)


@pytest.fixture
def sites(world):
    """A handful of establishments of territory A (and one of B)."""
    e1, e2, e3 = world.epcis["e1"], world.epcis["e2"], world.epcis["e3"]
    made = {
        "forge": EstablishmentFactory(
            epci=e1, company=CompanyFactory(name="Forges de l'Escaut"), naf_code="24.10Z",
            headcount_band="21",
        ),
        "rail": EstablishmentFactory(
            epci=e2, company=CompanyFactory(name="Rail Composants"), naf_code="30.20Z",
            naf_section="C", headcount_band="32",
        ),
        "bakery": EstablishmentFactory(
            epci=e1, company=CompanyFactory(name="Boulangerie Dupont"), naf_code="47.24Z",
            naf_section="G", headcount_band="01",
        ),
        "closed": EstablishmentFactory(
            epci=e1, company=CompanyFactory(name="Verrerie Fermée"), naf_code="23.13Z",
            state="F",
        ),
        "elsewhere": EstablishmentFactory(
            epci=e3, company=CompanyFactory(name="Forges du Sud"), naf_code="24.10Z",
        ),
    }  # fmt: skip
    return made


def names(response):
    return [e.display_name for e in response.context["page"].object_list]


def test_the_default_list_is_the_territorys_open_industrial_establishments(world, sites, login):
    response = login(world.users["agent_e1"]).get("/entreprises/")
    assert response.status_code == 200
    assert names(response) == ["Forges de l'Escaut", "Rail Composants"]


def test_search_by_name_is_accent_and_case_insensitive(world, sites, login):
    client = login(world.users["agent_e1"])
    assert names(client.get("/entreprises/?q=escaut&state=all")) == ["Forges de l'Escaut"]
    assert names(client.get("/entreprises/?q=verrerie+fermee&state=all")) == ["Verrerie Fermée"]


def test_search_by_siret_and_siren(world, sites, login):
    client = login(world.users["manager"])
    siret = sites["rail"].siret
    assert names(client.get(f"/entreprises/?q={siret}")) == ["Rail Composants"]
    assert names(client.get(f"/entreprises/?q={siret[:9]}")) == ["Rail Composants"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=closed", ["Verrerie Fermée"]),
        (
            "state=all",
            ["Boulangerie Dupont", "Forges de l'Escaut", "Rail Composants", "Verrerie Fermée"],
        ),
        ("state=open&naf=24", ["Forges de l'Escaut"]),
        ("state=open&naf=30.20Z", ["Rail Composants"]),
        ("state=open&band=32", ["Rail Composants"]),
        ("state=open&size=core", ["Forges de l'Escaut"]),
        ("state=open&industrial=on&sort=-headcount", ["Rail Composants", "Forges de l'Escaut"]),
    ],
)
def test_filters(world, sites, login, query, expected):
    response = login(world.users["manager"]).get(f"/entreprises/?{query}")
    assert names(response) == expected


def test_filter_by_epci_commune_and_sector(world, sites, login):
    client = login(world.users["manager"])
    e2 = world.epcis["e2"]
    assert names(client.get(f"/entreprises/?epci={e2.pk}")) == ["Rail Composants"]
    commune = sites["forge"].commune
    assert names(client.get(f"/entreprises/?commune={commune.pk}")) == ["Forges de l'Escaut"]
    rail = SectorFactory(territory=world.territory_a, naf_prefixes=["30.20"])
    assert names(client.get(f"/entreprises/?sector={rail.pk}")) == ["Rail Composants"]


def test_a_forged_filter_value_is_refused_in_french_without_crashing(world, sites, login):
    client = login(world.users["manager"])
    other_epci = world.epcis["e3"]
    response = client.get(f"/entreprises/?epci={other_epci.pk}&naf=2%3BX")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sélectionnez un choix valide" in html
    assert "Code NAF invalide" in html


def test_the_followed_filter_only_counts_follow_up_the_reader_may_see(world, sites, login):
    # A confidential note of agglo 1 about the forge: agent_e2 must not learn it exists.
    NoteFactory(
        epci=world.epcis["e1"],
        establishment=sites["forge"],
        visibility=Visibility.EPCI,
        author_organisation=world.orgs["o1"],
    )
    agent_e1 = login(world.users["agent_e1"])
    assert names(agent_e1.get("/entreprises/?followed=followed")) == ["Forges de l'Escaut"]
    agent_e2 = login(world.users["agent_e2"])
    assert names(agent_e2.get("/entreprises/?followed=followed")) == []
    assert "Forges de l'Escaut" in names(agent_e2.get("/entreprises/?followed=never"))


def test_the_exports_hold_exactly_the_filtered_list(world, sites, login):
    client = login(world.users["manager"])
    query = "state=all&naf=2"
    listed = names(client.get(f"/entreprises/?{query}"))
    workbook = load_workbook(io.BytesIO(client.get(f"/entreprises/export.xlsx?{query}").content))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("SIRET", "Nom", "Entreprise")
    assert [r[1] for r in rows[1:]] == listed
    raw = client.get(f"/entreprises/export.csv?{query}").content.decode("utf-8")
    assert raw.startswith("\ufeff")
    csv_rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert [r[1] for r in csv_rows[1:]] == listed
    assert client.get("/entreprises/export.pdf").status_code == 404


def test_the_directory_uses_a_fixed_number_of_queries(
    world, sites, login, django_assert_num_queries
):
    client = login(world.users["manager"])
    client.get("/entreprises/")
    # session, user, membership, scope (2), territory EPCIs, profile, count, page, NAF labels,
    # then the filter form's choices (EPCI, communes, sectors)
    with django_assert_num_queries(13) as captured:
        client.get("/entreprises/")
    for _ in range(10):
        EstablishmentFactory(epci=world.epcis["e1"], naf_code="25.62A")
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get("/entreprises/")


def test_the_establishment_page_shows_identity_siblings_and_timeline(world, sites, login):
    forge = sites["forge"]
    sibling = EstablishmentFactory(
        epci=world.epcis["e2"], company=forge.company, nic="99999", is_head_office=False
    )
    NoteFactory(epci=world.epcis["e1"], establishment=forge, title="Projet de four électrique",
                author_organisation=world.orgs["o1"])  # fmt: skip
    html = login(world.users["agent_e1"]).get(forge.get_absolute_url()).content.decode()
    assert forge.siret in html
    assert sibling.siret in html or sibling.get_absolute_url() in html
    assert "Projet de four électrique" in html
    assert "Ajouter une note" in html
    other = login(world.users["agent_e2"]).get(forge.get_absolute_url()).content.decode()
    assert "Projet de four électrique" not in other
    assert "Ajouter une note" not in other


def test_an_establishment_of_another_territory_answers_404(world, sites, login):
    client = login(world.users["agent_e1"])
    assert client.get(sites["elsewhere"].get_absolute_url()).status_code == 404
    assert client.get("/entreprises/etablissement/00000000000000/").status_code == 404


def test_a_note_written_from_the_establishment_page_is_attached_to_it(world, sites, login):
    forge = sites["forge"]
    client = login(world.users["agent_e1"])
    response = client.post(
        f"/notes/nouvelle/?etablissement={forge.siret}",
        {
            "etablissement": forge.siret,
            "epci": world.epcis["e1"].pk,
            "title": "Visite de l'atelier",
            "body": "RAS",
            "visibility": Visibility.EPCI,
        },
    )
    assert response.status_code == 302
    note = forge.notes.get()
    assert note.title == "Visite de l'atelier"
    # An agent cannot attach a note to an establishment of another EPCI.
    response = client.get(f"/notes/nouvelle/?etablissement={sites['rail'].siret}")
    assert response.status_code == 200
    assert not list(response.context["form"].fields["epci"].queryset)
