"""The time of a visit: kept on the interaction (`start_time`) when planned with or without
a campaign, edited on the interaction's form, shown by « Ma semaine » (by day then time), the
interaction's page, the timeline, and the visits feed as a timed event in Europe/Paris."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pilote.accompaniment import services
from pilote.accompaniment.enums import InteractionKind
from pilote.accompaniment.models import Interaction
from pilote.companies import registry
from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from pilote.prospecting import ical
from pilote.prospecting.enums import TargetStatus
from tests.accompaniment.factories import guide_of, site_of
from tests.factories import CompanyFactory
from tests.prospecting.factories import TargetFactory, campaign_of, local

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def plan(world, user="manager", hour=14, minute=30, day=TOMORROW, **fields):
    fields.setdefault("establishment", site_of(world))
    fields.setdefault("participants", [world.users[user]])
    return services.visit_plan(acting_user=world.users[user], at=local(day, hour, minute), **fields)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def feed_events(user) -> list:
    return list(Calendar.from_ical(ical.visits_calendar(user)).walk("VEVENT"))


class TestPlanning:
    def test_without_a_campaign_the_time_is_kept(self, world):
        interaction = plan(world)
        interaction.refresh_from_db()
        assert interaction.occurred_on == TOMORROW
        assert interaction.start_time == dt.time(14, 30)
        assert interaction.starts_at == local(TOMORROW, 14, 30)
        event = AuditEvent.objects.for_object(interaction).get(action="interaction.create")
        assert event.changes["start_time"] == [None, "14:30:00"]

    def test_with_a_campaign_the_interaction_and_the_target_share_it(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        interaction = plan(world, establishment=site, campaign=target.campaign, hour=9, minute=15)
        target.refresh_from_db()
        assert interaction.start_time == dt.time(9, 15)
        assert target.planned_at == local(TOMORROW, 9, 15)

    def test_the_plan_form_keeps_the_time(self, client, login, world):
        site = site_of(world)
        login(world.users["manager"])
        response = client.post(
            reverse("accompaniment:visit_plan", args=[site.siret]),
            {
                "day": TOMORROW.isoformat(),
                "time": "14h30",
                "participants": [world.users["manager"].pk],
            },
        )
        assert response.status_code == 302
        assert Interaction.objects.get().start_time == dt.time(14, 30)


class TestMyWeek:
    def test_a_visit_planned_without_campaign_shows_its_time(self, client, login, world):
        site = site_of(world, company=CompanyFactory(name="Forges de l'Escaut"))
        plan(world, establishment=site)
        login(world.users["manager"])
        text = page(client, reverse("accompaniment:my_week"))
        assert f"{TOMORROW:%d/%m/%Y} à 14:30" in text

    def test_visits_are_sorted_by_day_then_time(self, client, login, world):
        later = TOMORROW + dt.timedelta(days=1)
        names = ["Soir", "Matin", "Lendemain", "Campagne", "Sans heure"]
        sites = {n: site_of(world, company=CompanyFactory(name=f"Atelier {n}")) for n in names}
        plan(world, establishment=sites["Soir"], hour=16)
        plan(world, establishment=sites["Lendemain"], day=later, hour=8)
        plan(world, establishment=sites["Matin"], hour=9, minute=15)
        services.interaction_create(  # no time: first of its day
            acting_user=world.users["manager"], establishment=sites["Sans heure"],
            kind=InteractionKind.PHONE, occurred_on=TOMORROW,
            participants=[world.users["manager"]],
        )  # fmt: skip
        TargetFactory(  # a campaign visit with no interaction, at 11:00
            campaign=campaign_of(world),
            establishment=sites["Campagne"],
            status=TargetStatus.MEETING_PLANNED,
            assigned_to=world.users["manager"],
            planned_at=local(TOMORROW, 11),
        )
        login(world.users["manager"])
        text = page(client, reverse("accompaniment:my_week"))
        positions = [text.index(f"Atelier {n}") for n in names]
        order = [n for _, n in sorted(zip(positions, names, strict=True))]
        assert order == ["Sans heure", "Matin", "Campagne", "Soir", "Lendemain"]
        assert f"{TOMORROW:%d/%m/%Y} à 09:15" in text
        assert f"{TOMORROW:%d/%m/%Y} à 11:00" in text


class TestTheForm:
    def data(self, interaction, **changes):
        return {
            "kind": interaction.kind, "occurred_on": interaction.occurred_on.isoformat(),
            "start_time": "", "time_spent_minutes": "0", "visibility": interaction.visibility,
            "participants": [p.pk for p in interaction.participants.all()],
            "version": version_of(interaction), **changes,
        }  # fmt: skip

    def test_the_time_is_edited_and_cleared(self, client, login, world):
        interaction = plan(world)
        url = reverse("accompaniment:interaction_edit", args=[interaction.pk])
        login(world.users["manager"])
        form = page(client, url)
        assert 'name="start_time"' in form
        assert 'value="14:30"' in form
        response = client.post(url, self.data(interaction, start_time="16:45"))
        assert response.status_code == 302
        interaction.refresh_from_db()
        assert interaction.start_time == dt.time(16, 45)
        event = AuditEvent.objects.for_object(interaction).filter(action="interaction.update")
        assert event.get().changes["start_time"] == ["14:30:00", "16:45:00"]
        assert "à 16:45" in page(client, interaction.get_absolute_url())
        response = client.post(url, self.data(interaction, start_time=""))
        assert response.status_code == 302
        interaction.refresh_from_db()
        assert interaction.start_time is None

    def test_a_wrong_time_is_explained(self, client, login, world):
        interaction = plan(world)
        login(world.users["manager"])
        response = client.post(
            reverse("accompaniment:interaction_edit", args=[interaction.pk]),
            self.data(interaction, start_time="vers midi"),
        )
        assert "Saisissez une heure, par exemple 14:30." in response.content.decode()
        interaction.refresh_from_db()
        assert interaction.start_time == dt.time(14, 30)

    def test_a_stale_form_is_refused_and_says_the_stored_time(self, client, login, world):
        interaction = plan(world)
        data = self.data(interaction, start_time="10:00")
        services.interaction_update(
            acting_user=world.users["manager"], interaction=interaction,
            start_time=dt.time(15, 0),
        )  # fmt: skip
        login(world.users["manager"])
        response = client.post(
            reverse("accompaniment:interaction_edit", args=[interaction.pk]), data
        )
        text = response.content.decode()
        assert response.status_code == 200
        assert "Valeur enregistrée : « 15:00 »" in text.replace("&#x27;", "'").replace(
            "&laquo;", "«"
        ).replace("&raquo;", "»")
        interaction.refresh_from_db()
        assert interaction.start_time == dt.time(15, 0)

    def test_the_new_exchange_form_takes_a_time(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:interaction_create") + f"?etablissement={site.siret}",
            {"etablissement": site.siret, "kind": InteractionKind.MEETING,
             "occurred_on": TOMORROW.isoformat(), "start_time": "08:45",
             "time_spent_minutes": "0", "visibility": Visibility.EPCI},
        )  # fmt: skip
        assert response.status_code == 302
        assert Interaction.objects.get().start_time == dt.time(8, 45)


class TestStartingTheMeeting:
    def test_a_visit_started_before_its_day_loses_the_planned_time(self, world):
        interaction = plan(world)
        services.interaction_start_meeting(
            acting_user=world.users["manager"], interaction=interaction, guide=guide_of(world)
        )
        interaction.refresh_from_db()
        assert interaction.occurred_on == timezone.localdate()
        assert interaction.start_time is None
        event = AuditEvent.objects.for_object(interaction).get(action="interaction.start_meeting")
        assert event.changes["start_time"] == ["14:30:00", None]

    def test_an_exchange_started_on_its_day_keeps_its_time(self, world):
        interaction = services.interaction_create(
            acting_user=world.users["manager"], establishment=site_of(world),
            kind=InteractionKind.SITE_VISIT, occurred_on=timezone.localdate(),
            start_time=dt.time(8, 0),
        )  # fmt: skip
        services.interaction_start_meeting(
            acting_user=world.users["manager"], interaction=interaction, guide=guide_of(world)
        )
        interaction.refresh_from_db()
        assert interaction.is_meeting
        assert interaction.start_time == dt.time(8, 0)


def test_the_interaction_page_and_the_timeline_show_the_time(client, login, world):
    site = site_of(world)
    interaction = plan(world, establishment=site)
    login(world.users["manager"])
    assert "à 14:30" in page(client, interaction.get_absolute_url())
    [entry] = [e for e in registry.timeline(world.users["manager"], site) if e.kind == "Échange"]
    assert entry.detail == "prévu à 14:30"
    assert "prévu à 14:30" in page(client, site.get_absolute_url())


class TestTheFeed:
    def test_a_visit_planned_without_campaign_is_a_timed_event(self, world):
        site = site_of(world, company=CompanyFactory(name="Forges de l'Escaut"))
        interaction = plan(world, establishment=site)
        [event] = feed_events(world.users["manager"])
        assert str(event["UID"]) == f"pilote-echange-{interaction.pk}@testserver"
        assert event["SUMMARY"] == "Visite : Forges de l'Escaut"
        start = event.decoded("DTSTART")
        assert start == dt.datetime.combine(TOMORROW, dt.time(14, 30), tzinfo=PARIS)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event.decoded("DTEND") - start == ical.VISIT_DURATION
        assert interaction.get_absolute_url() in event["DESCRIPTION"]

    def test_without_a_time_it_is_an_all_day_event(self, world):
        services.interaction_create(
            acting_user=world.users["manager"], establishment=site_of(world),
            kind=InteractionKind.SITE_VISIT, occurred_on=TOMORROW,
        )  # fmt: skip
        [event] = feed_events(world.users["manager"])
        assert event.decoded("DTSTART") == TOMORROW
        assert not isinstance(event.decoded("DTSTART"), dt.datetime)
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTEND") == TOMORROW + dt.timedelta(days=1)

    def test_a_visit_planned_with_a_campaign_appears_once_as_its_target(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        plan(world, establishment=site, campaign=target.campaign)
        [event] = feed_events(world.users["manager"])
        assert str(event["UID"]) == f"pilote-cible-{target.pk}@testserver"

    def test_a_phone_call_and_what_the_reader_may_not_see_stay_out(self, world):
        services.interaction_create(
            acting_user=world.users["agent_e1"], establishment=site_of(world),
            kind=InteractionKind.PHONE, occurred_on=TOMORROW, start_time=dt.time(10, 0),
        )  # fmt: skip
        private = services.interaction_create(
            acting_user=world.users["agent_e1"], establishment=site_of(world),
            kind=InteractionKind.SITE_VISIT, occurred_on=TOMORROW, start_time=dt.time(11, 0),
            visibility=Visibility.PRIVATE,
        )  # fmt: skip
        plan(world, user="agent_e2", establishment=site_of(world, "e2"))
        uids = [str(e["UID"]) for e in feed_events(world.users["agent_e1"])]
        assert uids == [f"pilote-echange-{private.pk}@testserver"]  # not the call, not e2's
        theirs = Interaction.objects.get(epci=world.epcis["e2"])
        uids = [str(e["UID"]) for e in feed_events(world.users["agent_e2"])]
        assert uids == [f"pilote-echange-{theirs.pk}@testserver"]
