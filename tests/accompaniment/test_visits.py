"""« Planifier une visite »: one planned interaction, the campaign target « rendez-vous
fixé » at the same date, and the meeting started on it marking the target « rencontré »."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import InteractionKind
from pilote.accompaniment.models import Interaction
from pilote.companies import registry
from pilote.prospecting.enums import TargetStatus
from tests.accompaniment.factories import guide_of, site_of
from tests.prospecting.factories import TargetFactory, campaign_of, local

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def plan(world, user="manager", **fields):
    fields.setdefault("establishment", site_of(world))
    fields.setdefault("at", local(TOMORROW, 14, 30))
    fields.setdefault("participants", [world.users[user]])
    return services.visit_plan(acting_user=world.users[user], **fields)


class TestVisitPlan:
    def test_it_creates_one_planned_visit_and_fixes_the_target(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        interaction = plan(world, establishment=site, campaign=target.campaign)
        assert Interaction.objects.get() == interaction
        assert interaction.kind == InteractionKind.SITE_VISIT
        assert interaction.occurred_on == TOMORROW
        assert interaction.is_planned
        assert list(interaction.participants.all()) == [world.users["manager"]]
        target.refresh_from_db()
        assert target.status == TargetStatus.MEETING_PLANNED
        assert target.planned_at == local(TOMORROW, 14, 30)
        assert timezone.localdate(target.planned_at) == interaction.occurred_on

    def test_without_a_campaign_the_targets_do_not_move(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        plan(world, establishment=site)
        target.refresh_from_db()
        assert target.status == TargetStatus.TO_CONTACT  # a planned visit is not a meeting

    @pytest.mark.parametrize("user", ["agent_e2", "partner", "admin", "manager_b", "nobody"])
    def test_only_who_may_write_on_the_epci_plans(self, world, user):
        with pytest.raises(PermissionDenied):
            plan(world, user=user, participants=[])
        assert not Interaction.objects.exists()

    def test_a_visit_is_planned_from_tomorrow(self, world):
        with pytest.raises(ValidationError):
            plan(world, at=timezone.now() + dt.timedelta(minutes=5))
        assert not Interaction.objects.exists()

    def test_a_campaign_not_targeting_the_establishment_is_refused(self, world):
        with pytest.raises(ValidationError):
            plan(world, campaign=campaign_of(world))
        assert not Interaction.objects.exists()

    def test_a_visit_outside_the_campaign_period_is_refused(self, world):
        site = site_of(world)
        campaign = campaign_of(world, ends_on=timezone.localdate())
        TargetFactory(campaign=campaign, establishment=site)
        with pytest.raises(ValidationError):
            plan(world, establishment=site, campaign=campaign)
        assert not Interaction.objects.exists()

    def test_participants_are_the_team_of_the_epci(self, world):
        with pytest.raises(ValidationError):
            plan(world, participants=[world.users["agent_e2"]])


class TestStartingThePlannedVisit:
    def test_starting_it_holds_it_today_and_marks_the_target_met(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        interaction = plan(world, establishment=site, campaign=target.campaign)
        services.interaction_start_meeting(
            acting_user=world.users["manager"], interaction=interaction, guide=guide_of(world)
        )
        interaction.refresh_from_db()
        target.refresh_from_db()
        assert interaction.is_meeting
        assert interaction.occurred_on == timezone.localdate()
        assert target.status == TargetStatus.MET


class TestVisitPlanView:
    def test_the_action_is_offered_to_who_may_write(self, world):
        site = site_of(world)
        labels = [label for label, _ in registry.actions(world.users["agent_e1"], site)]
        assert "Planifier une visite" in labels
        labels = [label for label, _ in registry.actions(world.users["partner"], site)]
        assert "Planifier une visite" not in labels

    def test_the_ti_manager_plans_a_visit(self, client, login, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        other = campaign_of(world, epci="e1")  # does not target the establishment
        login(world.users["manager"])
        url = reverse("accompaniment:visit_plan", args=[site.siret])
        page = client.get(url).content.decode()
        assert target.campaign.name in page
        assert other.name not in page
        response = client.post(
            url,
            {
                "day": TOMORROW.isoformat(),
                "time": "09:15",
                "participants": [world.users["manager"].pk],
                "campaign": target.campaign.pk,
            },
        )
        assert response.status_code == 302
        interaction = Interaction.objects.get()
        target.refresh_from_db()
        assert interaction.occurred_on == TOMORROW
        assert target.status == TargetStatus.MEETING_PLANNED
        assert target.planned_at == local(TOMORROW, 9, 15)

    def test_a_date_of_today_is_explained(self, client, login, world):
        site = site_of(world)
        login(world.users["manager"])
        response = client.post(
            reverse("accompaniment:visit_plan", args=[site.siret]),
            {
                "day": timezone.localdate().isoformat(),
                "time": "23:59",
                "participants": [world.users["manager"].pk],
            },
        )
        assert response.status_code == 200
        assert "à partir de demain" in response.content.decode()
        assert not Interaction.objects.exists()

    @pytest.mark.parametrize("user", ["agent_e2", "partner", "manager_b"])
    def test_others_get_a_404(self, client, login, world, user):
        site = site_of(world)
        login(world.users[user])
        url = reverse("accompaniment:visit_plan", args=[site.siret])
        assert client.get(url).status_code == 404
        assert client.post(url, {"day": TOMORROW.isoformat(), "time": "10:00"}).status_code == 404
        assert not Interaction.objects.exists()


class TestMyWeek:
    def test_a_planned_visit_shows_once_with_the_start_button(self, client, login, world):
        site = site_of(world)
        target = TargetFactory(
            campaign=campaign_of(world), establishment=site, assigned_to=world.users["manager"]
        )
        interaction = plan(world, establishment=site, campaign=target.campaign)
        login(world.users["manager"])
        page = client.get(reverse("accompaniment:my_week")).content.decode()
        assert page.count(site.display_name) == 1
        assert reverse("accompaniment:meeting", args=[interaction.pk]) in page
        assert "Démarrer l&#x27;entretien" in page or "Démarrer l'entretien" in page

    def test_another_user_does_not_see_it(self, client, login, world):
        site = site_of(world)
        plan(world, establishment=site)
        login(world.users["agent_e1"])
        page = client.get(reverse("accompaniment:my_week")).content.decode()
        assert site.display_name not in page

    def test_overdue_actions_and_closing_calls(self, client, login, world):
        from tests.accompaniment.factories import ActionFactory

        action = ActionFactory(
            establishment=site_of(world),
            owner=world.users["agent_e1"],
            due_date=timezone.localdate() - dt.timedelta(days=2),
        )
        login(world.users["agent_e1"])
        page = client.get(reverse("accompaniment:my_week")).content.decode()
        assert action.title in page
        assert "Appels qui ferment dans les 7 jours" in page

    def test_it_is_linked_from_the_menu_and_the_dashboard(self, client, login, world):
        login(world.users["agent_e1"])
        page = client.get(reverse("core:home")).content.decode()
        assert page.count(reverse("accompaniment:my_week")) >= 2


def test_starting_a_past_exchange_on_the_guide_moves_no_target(world):
    site = site_of(world)
    interaction = services.interaction_create(
        acting_user=world.users["manager"],
        establishment=site,
        kind=InteractionKind.SITE_VISIT,
        occurred_on=timezone.localdate() - dt.timedelta(days=3),
    )
    target = TargetFactory(campaign=campaign_of(world), establishment=site)  # targeted later
    services.interaction_start_meeting(
        acting_user=world.users["manager"], interaction=interaction, guide=guide_of(world)
    )
    target.refresh_from_db()
    interaction.refresh_from_db()
    assert target.status == TargetStatus.TO_CONTACT
    assert interaction.occurred_on == timezone.localdate() - dt.timedelta(days=3)
