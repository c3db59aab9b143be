"""The iCalendar feed: valid, per user, secret, revocable — and never leaking."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from icalendar import Calendar

from pilote.accounts.models import hash_token
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import CalendarFeed
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.leak_matrix import SPECIMENS, expected_visible
from tests.prospecting.factories import TargetFactory, campaign_of
from tests.prospecting.leak_cases import make_campaign
from tests.world import ACTORS

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def monday(time_machine):
    """The visits below are dated: the feed shows visits from 180 days ago onwards."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS), tick=False)


def feed_path(user) -> str:
    _, token = services.feed_create(acting_user=user)
    return f"/prospection/agenda/{token}.ics"


def events(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.fixture
def visit(world):
    establishment = EstablishmentFactory(
        epci=world.epcis["e1"],
        company=CompanyFactory(name="Forges de l'Escaut"),
        address="12 rue de l'Industrie",
        postcode="59300",
        city="VALENCIENNES",
    )
    campaign = campaign_of(world, "e1", name="Campagne de prospection 2027")
    return TargetFactory(
        campaign=campaign,
        establishment=establishment,
        status=TargetStatus.MEETING_PLANNED,
        # 10:00 in Paris, winter time (UTC+1) and, below, summer time (UTC+2).
        planned_at=dt.datetime(2026, 12, 3, 10, 0, tzinfo=PARIS),
        note="Apporter la plaquette",
    )


def test_the_feed_is_a_valid_calendar_of_the_visits(world, client, visit):
    summer = TargetFactory(
        campaign=visit.campaign,
        status=TargetStatus.MEETING_PLANNED,
        planned_at=dt.datetime(2027, 6, 15, 14, 30, tzinfo=PARIS),
    )
    TargetFactory(campaign=visit.campaign, status=TargetStatus.CONTACTED)  # no visit
    path = feed_path(world.users["agent_e1"])
    client.logout()  # the address is the credential
    calendar, vevents = events(client, path)
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert len(vevents) == 2
    first, second = vevents
    assert first["SUMMARY"] == "Visite : Forges de l'Escaut"
    assert first["LOCATION"] == "12 rue de l'Industrie, 59300 VALENCIENNES"
    start = first.decoded("DTSTART")
    assert start == dt.datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)
    assert start.tzinfo.key == "Europe/Paris"
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert first.decoded("DTEND") - start == dt.timedelta(minutes=90)
    assert "Campagne : Campagne de prospection 2027 (CA du Premier)" in first["DESCRIPTION"]
    assert "Apporter la plaquette" in first["DESCRIPTION"]
    link = f"http://testserver/prospection/campagnes/{visit.campaign_id}/#cible-{visit.pk}"
    assert link in first["DESCRIPTION"]
    assert str(first["URL"]) == link
    summer_start = second.decoded("DTSTART")
    assert (summer_start.hour, summer_start.utcoffset()) == (14, dt.timedelta(hours=2))
    assert str(second["UID"]) == f"pilote-cible-{summer.pk}@testserver"


def test_the_uid_of_a_visit_is_stable_when_it_moves(world, client, visit):
    path = feed_path(world.users["manager"])
    _, [before] = events(client, path)
    services.target_update_status(
        acting_user=world.users["manager"],
        target=visit,
        status=TargetStatus.MEETING_PLANNED,
        planned_at=dt.datetime(2026, 12, 4, 9, 0, tzinfo=PARIS),
    )
    _, [after] = events(client, path)
    assert after["UID"] == before["UID"] == f"pilote-cible-{visit.pk}@testserver"
    assert after.decoded("DTSTART").day == 4


def test_a_cancelled_visit_leaves_the_feed_and_a_held_one_stays(world, client, visit):
    path = feed_path(world.users["agent_e1"])
    services.target_update_status(
        acting_user=world.users["agent_e1"], target=visit, status=TargetStatus.MET
    )
    assert len(events(client, path)[1]) == 1
    services.target_update_status(
        acting_user=world.users["agent_e1"], target=visit, status=TargetStatus.DROPPED
    )
    assert events(client, path)[1] == []


def test_unknown_revoked_and_replaced_addresses_answer_404(world, client, visit):
    user = world.users["agent_e1"]
    assert client.get("/prospection/agenda/inconnu.ics").status_code == 404
    old = feed_path(user)
    new = feed_path(user)  # creating a new address revokes the previous one
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    services.feed_revoke(acting_user=user, feed=CalendarFeed.objects.get(revoked_at=None))
    assert client.get(new).status_code == 404
    newest = feed_path(user)
    user.is_active = False
    user.save()
    assert client.get(newest).status_code == 404


def test_only_the_hash_of_the_token_is_stored_and_audited_masked(world):
    feed, token = services.feed_create(acting_user=world.users["agent_e1"])
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() == hash_token(token)
    assert token not in str(list(CalendarFeed.objects.values()))
    event = AuditEvent.objects.for_object(feed).get(action="calendar_feed.create")
    assert event.changes["token_hash"][1].startswith("masqué")


def test_the_subscription_page_shows_the_address_once_and_revokes_it(world, login):
    client = login(world.users["agent_e1"])
    page = client.get("/prospection/agenda/abonnement/")
    assert "Créer mon adresse d'abonnement" in page.content.decode()
    created = client.post("/prospection/agenda/abonnement/", {"action": "create"})
    url = created.context["url"]
    assert url.startswith("http://testserver/prospection/agenda/")
    assert url in created.content.decode()
    assert "webcal://testserver/prospection/agenda/" in created.content.decode()
    again = client.get("/prospection/agenda/abonnement/").content.decode()
    assert url not in again
    assert "Révoquer l'adresse" in again
    revoked = client.post("/prospection/agenda/abonnement/", {"action": "revoke"}, follow=True)
    assert "révoquée" in revoked.content.decode()
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


@pytest.mark.parametrize("actor", ["admin", "nobody"])
def test_accounts_without_follow_up_have_no_feed(world, login, actor):
    assert login(world.users[actor]).get("/prospection/agenda/abonnement/").status_code == 404


def test_nobody_outside_the_territories_gets_a_feed(world):
    with pytest.raises(PermissionDenied, match="pas d'agenda"):
        services.feed_create(acting_user=world.users["nobody"])


@pytest.mark.parametrize("actor", [a for a in ACTORS if a not in {"admin", "nobody"}])
def test_each_actors_feed_holds_exactly_the_visits_they_may_see(world, client, actor):
    """The leak matrix, for the per-user feed: the specimens of tests/leak_matrix.py."""
    specimens = [
        (spec, make_campaign(world, epci=spec[0], visibility=spec[1], author=spec[2]))
        for spec in SPECIMENS
    ]
    _, vevents = events(client, feed_path(world.users[actor]))
    text = "\n".join(str(e["DESCRIPTION"]) for e in vevents)
    leaks = [
        f"{spec}: affiché={campaign.name in text}"
        for spec, campaign in specimens
        if (campaign.name in text) != expected_visible(actor, *spec)
    ]
    assert not leaks, "\n".join(leaks)


def test_an_agents_feed_never_holds_another_epcis_targets(world, client):
    mine = campaign_of(world, "e1", name="Campagne du Premier")
    theirs = campaign_of(world, "e2", "agent_e2", name="Campagne du Deuxième")
    shared = campaign_of(
        world, "e2", "agent_e2", name="Campagne partagée", visibility=Visibility.TERRITORY
    )
    for campaign in (mine, theirs, shared):
        TargetFactory(
            campaign=campaign,
            status=TargetStatus.MEETING_PLANNED,
            planned_at=dt.datetime(2026, 12, 3, 10, tzinfo=PARIS),
        )
    _, vevents = events(client, feed_path(world.users["agent_e1"]))
    descriptions = "\n".join(str(e["DESCRIPTION"]) for e in vevents)
    assert "Campagne du Premier" in descriptions
    assert "Campagne partagée" in descriptions  # shared with the whole territory
    assert "Campagne du Deuxième" not in descriptions
