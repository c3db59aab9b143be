"""Acceptance: the demo territory, loaded twice, from the official data."""

import csv
import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from pilote.accompaniment.models import AccompanimentLevel, Action, Interaction, Project
from pilote.accounts.demo import ACCOUNTS, DEMO_PASSWORD
from pilote.accounts.models import Membership, Organisation, User
from pilote.aids.models import AidScheme, CallWindow
from pilote.companies.models import Establishment
from pilote.notes.models import Note
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign, CampaignTarget
from pilote.territories.demo import HDC_EPCI_SIRENS, HDC_SLUG
from pilote.territories.models import Commune, Epci, Territory
from tests.companies.test_demo import disagreements

COUNTED = (Commune, Epci, Organisation, User, Note, Establishment, Campaign, CampaignTarget)
COUNTED += (Interaction, Action, Project, AidScheme)


def official_commune_count(sirens) -> int:
    with (settings.DATA_DIR / "geo" / "communes.csv").open(encoding="utf-8") as f:
        return sum(1 for row in csv.DictReader(f) if row["epci"] in sirens)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        first, second = io.StringIO(), io.StringIO()
        call_command("load_demo", stdout=first)
        counts = {m: m.objects.count() for m in COUNTED}
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


@pytest.mark.django_db
def test_company_names_agree_with_their_activity(demo):
    rows = Establishment.objects.values_list("company__name", "naf_code")
    wrong = [(name, naf) for name, naf in rows if disagreements(name or "", naf)]
    assert wrong == []
    assert rows.filter(naf_code="10.51A", company__name__startswith="LAITERIE").exists()
    assert not rows.filter(naf_code__startswith="10", company__name__startswith="FORGES").exists()


@pytest.mark.django_db
def test_no_campaign_is_named_with_a_year_it_does_not_cover(demo):
    today = timezone.localdate()
    campaigns = list(Campaign.objects.all())
    assert campaigns
    for campaign in campaigns:
        # « Campagne 2027 » runs within 2027 (« 2026-2027 » from 2026 to 2027).
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", campaign.name)]
        if years:
            assert min(years) <= campaign.starts_on.year <= max(years), campaign.name
            assert min(years) <= campaign.ends_on.year <= max(years), campaign.name
    assert any(c.starts_on <= today <= c.ends_on for c in campaigns)  # the current one


@pytest.mark.django_db
def test_open_actions_are_at_most_a_few_weeks_late(demo):
    today = timezone.localdate()
    late = [(today - a.due_date).days for a in Action.objects.open() if a.due_date < today]
    assert late, "the demo shows a few overdue actions"
    assert max(late) <= 60


@pytest.mark.django_db
def test_this_weeks_visits_are_spread_over_the_week_at_office_hours(demo):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    visits = [timezone.localtime(t.planned_at) for t in CampaignTarget.objects.visits()]
    this_week = [v for v in visits if monday <= v.date() < monday + dt.timedelta(days=7)]
    # Campaigns cover the calendar year: in the week of New Year, fewer days are open.
    open_days = sum((monday + dt.timedelta(days=d)).year == today.year for d in range(5))
    assert len({v.date() for v in this_week}) >= min(3, open_days)
    assert len({v.time() for v in this_week}) >= min(3, open_days)
    assert all(v.weekday() < 5 and 9 <= v.hour < 17 for v in visits)
    # A visit to come is still « rendez-vous fixé » (no earlier meeting marked it met).
    coming = CampaignTarget.objects.visits().filter(planned_at__gt=timezone.now())
    assert set(coming.values_list("status", flat=True)) <= {TargetStatus.MEETING_PLANNED}


@pytest.mark.django_db
def test_every_title_starts_with_a_capital_letter(demo):
    titles = [
        *Note.objects.values_list("title", flat=True),
        *Campaign.objects.values_list("name", flat=True),
        *Project.objects.values_list("title", flat=True),
        *Action.objects.values_list("title", flat=True),
        *AidScheme.objects.values_list("title", flat=True),
        *CallWindow.objects.values_list("label", flat=True),
    ]
    for text in [
        *Interaction.objects.values_list("summary", flat=True),
        *AccompanimentLevel.objects.values_list("note", flat=True),
    ]:
        titles += re.findall(r"« ([^»]+) »", text or "")
    assert len(titles) > 100
    assert [t for t in titles if not t[:1].isupper()] == []


@pytest.mark.django_db
def test_the_governance_cadence_and_agendas_of_the_whole_demo(demo):
    """governance_check without --territory on the demo: 2025 complete, the COTECH missing one
    meeting in 2026; agenda items point to the demo's records, each readable on its EPCI."""
    import json

    from pilote.governance.models import AgendaItem

    _, second, _ = demo
    assert "[Gouvernance] 0 objet(s) créé(s)" in second
    out = io.StringIO()
    call_command("governance_check", "--year", "2026", "--json", stdout=out)
    rows = {row["name"]: row for row in json.loads(out.getvalue())["bodies"]}
    assert len(rows) == 5
    assert {name for name, row in rows.items() if row["missing"]} == {"COTECH"}
    out = io.StringIO()
    call_command("governance_check", "--year", "2025", "--json", stdout=out)
    assert all(row["missing"] == 0 for row in json.loads(out.getvalue())["bodies"])
    items = AgendaItem.objects.select_related("meeting", "project", "application")
    assert items.exclude(project=None).exists()
    assert items.exclude(application=None).exists()
    assert items.exclude(call=None).exists()
    assert items.exclude(indicator="").exists()
    for item in items.exclude(project=None).filter(meeting__epci__isnull=False):
        assert item.project.epci_id == item.meeting.epci_id
