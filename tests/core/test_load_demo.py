"""Acceptance: the demo territory, loaded twice, from the official data."""

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command

from pilote.accounts.demo import ACCOUNTS, DEMO_PASSWORD
from pilote.accounts.models import Membership, Organisation, User
from pilote.notes.models import Note
from pilote.territories.demo import HDC_EPCI_SIRENS, HDC_SLUG
from pilote.territories.models import Commune, Epci, Territory


def official_commune_count(sirens) -> int:
    with (settings.DATA_DIR / "geo" / "communes.csv").open(encoding="utf-8") as f:
        return sum(1 for row in csv.DictReader(f) if row["epci"] in sirens)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        first, second = io.StringIO(), io.StringIO()
        call_command("load_demo", stdout=first)
        counts = {m: m.objects.count() for m in (Commune, Epci, Organisation, User, Note)}
        call_command("load_demo", stdout=second)
        yield first.getvalue(), second.getvalue(), counts
        # The module fixture lives outside the per-test transactions: empty the database
        # after it (flush re-creates content types and permissions).
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_territory_holds_the_six_agglomerations_and_their_official_communes(demo):
    first, _, _ = demo
    territory = Territory.objects.get(slug=HDC_SLUG)
    assert sorted(territory.epcis.values_list("siren", flat=True)) == sorted(HDC_EPCI_SIRENS)
    expected = official_commune_count(set(HDC_EPCI_SIRENS))
    assert territory.communes.count() == expected == 261
    assert f"6 EPCI, {expected} communes" in first
    names = set(territory.epcis.values_list("name", flat=True))
    assert "CA de Cambrai" in names
    assert "CA Valenciennes Métropole" in names


@pytest.mark.django_db
def test_the_second_run_creates_nothing(demo):
    _, second, counts = demo
    assert "Démonstration prête : 0 objet(s) créé(s)." in second
    for model, count in counts.items():
        assert model.objects.count() == count, model


@pytest.mark.django_db
def test_the_demo_accounts_are_printed_and_each_sees_its_role_dashboard(demo, client):
    first, _, _ = demo
    assert DEMO_PASSWORD in first
    for email, _first, _last, _short, role in ACCOUNTS:
        assert email in first
        response = client.post(
            "/comptes/connexion/", {"username": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        html = client.get("/").content.decode()
        membership = Membership.objects.get(user__email=email)
        assert membership.role == role
        assert membership.get_role_display() in html
        assert "Hainaut-Douaisis-Cambrésis" in html
        client.post("/comptes/deconnexion/")


@pytest.mark.django_db
def test_there_is_one_epci_agent_per_epci(demo):
    agents = Membership.objects.filter(role="epci_agent").select_related("organisation")
    assert sorted(m.organisation.epci_id for m in agents) == sorted(HDC_EPCI_SIRENS)
