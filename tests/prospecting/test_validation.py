"""Plausible campaign periods and visit dates, refused in French on the page and in the
services: from 1990, a campaign up to five years ahead, a visit up to a year ahead."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign, CampaignTarget
from tests.prospecting.factories import TargetFactory, campaign_of, local

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def campaign_form(world, **overrides):
    data = {
        "epci": world.epcis["e1"].pk, "name": "Campagne", "starts_on": "2027-01-04",
        "ends_on": "2027-06-30", "owner": world.users["agent_e1"].pk,
        "description": "", "visibility": Visibility.EPCI,
    }  # fmt: skip
    return {**data, **overrides}


def test_the_campaign_page_refuses_an_implausible_period(world, login):
    client = login(world.users["agent_e1"])
    response = client.post(
        "/prospection/campagnes/nouvelle/",
        campaign_form(world, starts_on="0001-01-01", ends_on="2099-12-31"),
    )
    page = html.unescape(response.content.decode())
    assert "Le début de la campagne ne peut pas précéder le 01/01/1990." in page
    assert "La fin de la campagne ne peut pas dépasser le" in page
    assert "(5 ans après aujourd'hui)" in page
    assert not Campaign.objects.exists()


def test_the_campaign_page_accepts_the_boundaries(world, login):
    client = login(world.users["agent_e1"])
    last = years_after(TODAY, 5).isoformat()
    response = client.post(
        "/prospection/campagnes/nouvelle/",
        campaign_form(world, starts_on="1990-01-01", ends_on=last),
    )
    assert response.status_code == 302
    assert Campaign.objects.get().ends_on == years_after(TODAY, 5)


def test_the_campaign_services_refuse_it(world):
    agent = world.users["agent_e1"]
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            acting_user=agent, territory=world.territory_a, epci=world.epcis["e1"],
            name="Campagne", starts_on=dt.date(1, 1, 1), ends_on=TODAY,
        )  # fmt: skip
    assert exc.value.message_dict == {
        "starts_on": ["Le début de la campagne ne peut pas précéder le 01/01/1990."]
    }
    campaign = campaign_of(world)
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(
            acting_user=agent, campaign=campaign, ends_on=dt.date(2099, 12, 31)
        )
    assert list(exc.value.message_dict) == ["ends_on"]


def test_a_visit_is_booked_at_most_a_year_ahead(world, login):
    target = TargetFactory(campaign=campaign_of(world, "e1"))
    client = login(world.users["agent_e1"])
    url = f"/prospection/cibles/{target.pk}/statut/"

    def post(when: str):
        prefix = f"cible-{target.pk}-"
        data = {
            "status": TargetStatus.MEETING_PLANNED, "planned_at": when, "assigned_to": "",
            "note": "", "version": version_of(CampaignTarget.objects.get(pk=target.pk)),
        }  # fmt: skip
        return client.post(url, {prefix + k: v for k, v in data.items()}, HTTP_HX_REQUEST="true")

    page = html.unescape(post("2099-12-31T10:00").content.decode())
    assert "La date du rendez-vous ne peut pas dépasser le" in page
    target.refresh_from_db()
    assert target.planned_at is None
    ahead = years_after(TODAY, 1)
    post(f"{ahead.isoformat()}T10:00")
    target.refresh_from_db()
    assert timezone.localdate(target.planned_at) == ahead
    with pytest.raises(ValidationError) as exc:
        services.target_update_status(
            acting_user=world.users["agent_e1"], target=target,
            status=TargetStatus.MEETING_PLANNED, planned_at=local(dt.date(1989, 12, 31), 10),
        )  # fmt: skip
    assert exc.value.message_dict == {
        "planned_at": ["La date du rendez-vous ne peut pas précéder le 01/01/1990."]
    }
