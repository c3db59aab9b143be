"""Territory projects in the programme's figures: `indicators --json` and the dashboard."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.territory_projects.factories import make_project

pytestmark = pytest.mark.django_db


def figures(world, reader=None):
    out = io.StringIO()
    args = ["--json", "--territory", "ti-a", "--as-of", timezone.localdate().isoformat()]
    if reader:
        args += ["--as", f"{reader}@exemple.fr"]
    call_command("indicators", *args, stdout=out)
    return json.loads(out.getvalue())["territory_projects"]


def test_indicators_json_counts_the_projects_the_reader_sees(world):
    make_project(world, epci="e1", shared_with=["e2"], budget="1000.10", phase="etude")
    make_project(world, epci="e2", author="agent_e2", shared_with=[], budget="500.00",
                 status="termine")  # fmt: skip
    everything = figures(world)
    assert everything["count"] == 2
    assert everything["open"] == 1
    assert everything["budget"] == "1500.10"
    assert everything["open_budget"] == "1000.10"
    assert everything["by_phase"]["etude"] == 1
    assert everything["by_status"]["termine"] == 1
    assert figures(world, "agent_e1")["count"] == 1  # not e2's own project
    assert figures(world, "agent_e2")["count"] == 2  # e1 chose e2
    assert figures(world, "partner")["count"] == 0


def test_the_dashboard_panel_shows_what_the_reader_sees(client, login, world):
    make_project(world, epci="e1", shared_with=[], budget="2500.00")
    login(world.users["agent_e1"])
    html = client.get(reverse("indicators:dashboard")).content.decode()
    assert 'data-testid="dash-territory-projects"' in html
    assert "2\u202f500,00\xa0€" in html or "2\xa0500,00\xa0€" in html
    client.logout()
    login(world.users["agent_e2"])
    html = client.get(reverse("indicators:dashboard")).content.decode()
    assert 'data-testid="dash-territory-projects"' not in html


def test_a_project_entered_after_the_fact_counts_from_its_start(world):
    import datetime as dt

    make_project(world, epci="e1", starts_on=dt.date(2024, 2, 1), budget="10.00")
    out = io.StringIO()
    call_command("indicators", "--json", "--territory", "ti-a", "--as-of", "2025-06-30",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["territory_projects"]["count"] == 1
    out = io.StringIO()
    call_command("indicators", "--json", "--territory", "ti-a", "--as-of", "2024-01-31",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["territory_projects"]["count"] == 0
