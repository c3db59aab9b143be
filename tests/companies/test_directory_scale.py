"""What keeps the directory fast on a million establishments, checked for behaviour."""

import pytest
from django.db import connection

from pilote.companies import search_index, views
from pilote.companies.models import Establishment, normalise
from tests.factories import CompanyFactory, EstablishmentFactory


@pytest.fixture
def many(world):
    company = CompanyFactory(name="Mécanique Générale")
    return [
        EstablishmentFactory(epci=world.epcis["e1"], company=company, naf_code="25.62A")
        for _ in range(7)
    ]


def test_the_count_stops_at_the_cap_and_says_so(world, many, login, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    response = login(world.users["agent_e1"]).get("/entreprises/")
    html = response.content.decode()
    assert "Plus de 5 établissements" in html
    assert 'title="Page 2">2+</a>' in html  # the pages beyond the cap are not counted
    page2 = login(world.users["agent_e1"]).get("/entreprises/?page=2")
    assert len(page2.context["page"].object_list) == 3


def test_below_the_cap_the_count_is_exact(world, many, login, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 10)
    html = login(world.users["agent_e1"]).get("/entreprises/").content.decode()
    assert "7 établissements" in html
    assert "Plus de" not in html


def test_a_page_holds_the_sorted_rows_of_the_filtered_list(world, login):
    for name in ["Zinc", "Acier", "Moules", "Bielles"]:
        EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(name=name))
    response = login(world.users["agent_e1"]).get("/entreprises/?q=i")
    # The page's rows are fetched by id, then must keep the list's order.
    assert [e.display_name for e in response.context["page"].object_list] == [
        "Acier",
        "Bielles",
        "Zinc",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("forg", True), ("ORGES DE L", True), ("escaut", True), ("forges du", False)],
)
def test_substring_search_follows_inserts_and_renames(world, text, expected):
    estab = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges de l'Escaut")
    )
    found = Establishment.objects.search(text).filter(pk=estab.pk).exists()
    assert found is expected
    # A rename is indexed (the update trigger on SQLite, the GIN index on PostgreSQL).
    Establishment.objects.filter(pk=estab.pk).update(search_text=normalise("Tôlerie Nouvelle"))
    assert Establishment.objects.search("tolerie").filter(pk=estab.pk).exists()
    assert not Establishment.objects.search("forges de").filter(pk=estab.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers only")
def test_migrate_puts_back_triggers_a_table_rebuild_dropped(world):
    estab = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Verrerie du Nord")
    )
    with connection.cursor() as cursor:
        for name in search_index.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute("INSERT INTO estab_search_fts(estab_search_fts) VALUES ('delete-all')")
    assert not Establishment.objects.search("verrerie").exists()
    search_index.after_migrate(sender=None, using="default")
    assert Establishment.objects.search("verrerie").filter(pk=estab.pk).exists()
    with connection.cursor() as cursor:
        assert not search_index._missing_triggers(cursor)


def test_search_index_exists_on_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'estab_search_fts'")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = %s", ["estab_search_trgm_idx"]
            )
        assert cursor.fetchone() is not None


def test_the_score_sort_falls_back_to_names_beyond_the_cap(world, many, login, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    client = login(world.users["agent_e1"])
    response = client.get("/entreprises/?sort=-score")
    assert response.context["sort_notice"].startswith("Le tri par score de prospection")
    assert not response.context["sorted_by_score"]
    assert "Affinez les filtres" in response.content.decode()
    monkeypatch.setattr(views, "COUNT_CAP", 10)
    response = client.get("/entreprises/?sort=-score")
    assert response.context["sort_notice"] == ""
    assert response.context["sorted_by_score"]
    assert [e.score for e in response.context["page"].object_list] == sorted(
        (e.score for e in response.context["page"].object_list), reverse=True
    )
