"""The accompaniment services: permissions, validation, audit, and their effects on
prospecting targets and accompaniment levels."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import (
    ActionStatus,
    DiagnosticKind,
    DiagnosticStatus,
    InteractionKind,
    Level,
    Partner,
    ProjectKind,
    Theme,
)
from pilote.accompaniment.models import AccompanimentLevel, Interaction, Project
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.prospecting.enums import TargetStatus
from tests.accompaniment.factories import ActionFactory, NeedFactory, site_of, written_by
from tests.contacts.factories import ContactFactory
from tests.prospecting.factories import TargetFactory, campaign_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def visit(world, user="agent_e1", epci="e1", **fields):
    fields.setdefault("establishment", site_of(world, epci))
    fields.setdefault("kind", InteractionKind.SITE_VISIT)
    fields.setdefault("occurred_on", timezone.localdate())
    return services.interaction_create(acting_user=world.users[user], **fields)


class TestInteractionCreate:
    def test_it_files_the_interaction_under_the_epci_and_the_authors_organisation(self, world):
        interaction = visit(world, summary="Visite de l'atelier", time_spent_minutes=120)
        assert interaction.epci == world.epcis["e1"]
        assert interaction.author_organisation == world.orgs["o1"]
        event = AuditEvent.objects.for_object(interaction).get()
        assert event.action == "interaction.create"
        assert event.changes["time_spent_minutes"] == [None, 120]

    def test_the_ti_manager_writes_under_the_cci(self, world):
        interaction = visit(world, user="manager", epci="e2")
        assert interaction.author_organisation == world.orgs["cci"]

    @pytest.mark.parametrize("user", ["agent_e2", "partner", "admin", "manager_b", "nobody"])
    def test_others_may_not_record_on_e1(self, world, user):
        with pytest.raises(PermissionDenied):
            visit(world, user=user)
        assert not Interaction.objects.exists()

    def test_with_epci_says_whether_an_agent_of_the_epci_took_part(self, world):
        alone = visit(world, user="manager", participants=[world.users["manager"]])
        both = visit(
            world, user="manager", participants=[world.users["manager"], world.users["agent_e1"]]
        )
        assert (alone.with_epci, both.with_epci) == (False, True)
        assert set(both.participants.all()) == {world.users["manager"], world.users["agent_e1"]}

    def test_participants_are_the_ti_manager_or_agents_of_the_epci(self, world):
        with pytest.raises(ValidationError) as exc:
            visit(world, participants=[world.users["agent_e2"]])
        assert "participants" in exc.value.message_dict
        with pytest.raises(ValidationError):
            visit(world, participants=[world.users["partner"]])

    def test_contacts_must_be_visible_people_of_the_company(self, world):
        site = site_of(world)
        mine = ContactFactory(main_establishment=site, **written_by(world, "agent_e1"))
        elsewhere = ContactFactory(
            main_establishment=site_of(world), **written_by(world, "agent_e1")
        )
        private_of_cci = ContactFactory(
            main_establishment=site, visibility=Visibility.PRIVATE, **written_by(world, "manager")
        )
        interaction = visit(world, establishment=site, contacts=[mine])
        assert list(interaction.contacts.all()) == [mine]
        for wrong in (elsewhere, private_of_cci):
            with pytest.raises(ValidationError):
                visit(world, establishment=site, contacts=[wrong])

    def test_a_negative_time_is_refused(self, world):
        with pytest.raises(ValidationError):
            visit(world, time_spent_minutes=-5)


class TestMeetingsMoveProspecting:
    def test_a_visit_moves_the_open_campaigns_targets_to_met(self, world):
        site = site_of(world)
        open_target = TargetFactory(
            campaign=campaign_of(world), establishment=site, status=TargetStatus.CONTACTED
        )
        closed_campaign = campaign_of(
            world, starts_on=TODAY - dt.timedelta(days=400), ends_on=TODAY - dt.timedelta(days=1)
        )
        closed_target = TargetFactory(campaign=closed_campaign, establishment=site)
        other_site_target = TargetFactory(campaign=campaign_of(world))

        visit(world, establishment=site)

        open_target.refresh_from_db()
        closed_target.refresh_from_db()
        other_site_target.refresh_from_db()
        assert open_target.status == TargetStatus.MET
        assert closed_target.status == TargetStatus.TO_CONTACT
        assert other_site_target.status == TargetStatus.TO_CONTACT

    @pytest.mark.parametrize("kind", [InteractionKind.PHONE, InteractionKind.EMAIL])
    def test_a_call_or_an_email_is_not_a_meeting(self, world, kind):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        visit(world, establishment=site, kind=kind)
        target.refresh_from_db()
        assert target.status == TargetStatus.TO_CONTACT
        assert not AccompanimentLevel.objects.exists()

    def test_a_planned_meeting_does_not_mark_the_target_met_before_its_date(self, world):
        site = site_of(world)
        target = TargetFactory(campaign=campaign_of(world), establishment=site)
        visit(world, establishment=site, occurred_on=TODAY + dt.timedelta(days=7))
        target.refresh_from_db()
        assert target.status == TargetStatus.TO_CONTACT
        assert not AccompanimentLevel.objects.exists()

    def test_a_first_meeting_puts_the_company_in_sensibilisation_once(self, world):
        site = site_of(world)
        first = visit(world, establishment=site, occurred_on=TODAY - dt.timedelta(days=3))
        visit(world, establishment=site)
        level = AccompanimentLevel.objects.get()
        assert (level.level, level.changed_on) == (Level.AWARENESS, first.occurred_on)
        assert level.interaction == first


class TestInteractionUpdate:
    def test_answers_follow_the_meetings_visibility(self, world):
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        interaction = visit(world, guide=guide)
        question = interaction.guide_version.questions.get(key="recrutements_prevus")
        answer = services.answer_save(
            acting_user=world.users["agent_e1"], interaction=interaction, question=question,
            value=True,
        )  # fmt: skip
        services.interaction_update(
            acting_user=world.users["agent_e1"],
            interaction=interaction,
            visibility=Visibility.TERRITORY,
            summary="Compte rendu complété",
        )
        answer.refresh_from_db()
        assert answer.visibility == Visibility.TERRITORY
        event = AuditEvent.objects.filter(action="interaction.update").get()
        assert event.changes["visibility"] == [Visibility.EPCI, Visibility.TERRITORY]

    def test_an_agent_may_not_edit_a_private_interaction_of_the_cci(self, world):
        interaction = visit(world, user="manager", visibility=Visibility.PRIVATE)
        with pytest.raises(PermissionDenied):
            services.interaction_update(
                acting_user=world.users["agent_e1"], interaction=interaction, summary="x"
            )

    def test_changing_the_participants_recomputes_with_epci(self, world):
        interaction = visit(world, user="manager")
        services.interaction_update(
            acting_user=world.users["manager"],
            interaction=interaction,
            participants=[world.users["agent_e1"]],
        )
        interaction.refresh_from_db()
        assert interaction.with_epci is True


class TestAnswers:
    @pytest.fixture
    def meeting(self, world):
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        return visit(world, guide=guide)

    def save(self, world, meeting, key, value):
        question = meeting.guide_version.questions.get(key=key)
        return services.answer_save(
            acting_user=world.users["agent_e1"], interaction=meeting, question=question,
            value=value,
        )  # fmt: skip

    def test_each_type_is_stored_in_its_column(self, world, meeting):
        assert self.save(world, meeting, "recrutements_prevus", False).boolean is False
        number = self.save(world, meeting, "facture_energie", "1 200 000,5")
        assert number.number == Decimal("1200000.50")
        assert number.display == "1\xa0200\xa0000,50"
        assert self.save(world, meeting, "effectif", "45").display == "45"
        single = self.save(world, meeting, "taux_utilisation", "Plus de 80 %")
        assert single.choices == ["Plus de 80 %"]
        multiple = self.save(world, meeting, "leviers_te", ["Eau", "Chaleur fatale"])
        assert multiple.choices == ["Chaleur fatale", "Eau"]  # in the question's order
        assert self.save(world, meeting, "zones_export", "  Belgique  ").text == "Belgique"
        assert meeting.answers.count() == 6

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("effectif", "beaucoup"),
            ("taux_utilisation", "Toujours"),
            ("leviers_te", ["Eau", "Nucléaire"]),
            ("recrutements_prevus", "peut-être"),
        ],
    )
    def test_wrong_values_are_refused(self, world, meeting, key, value):
        with pytest.raises(ValidationError):
            self.save(world, meeting, key, value)
        assert not meeting.answers.exists()

    def test_saving_the_same_value_again_writes_nothing(self, world, meeting):
        self.save(world, meeting, "zones_export", "Belgique")
        self.save(world, meeting, "zones_export", "Belgique")
        self.save(world, meeting, "zones_export", "Allemagne")
        actions = list(
            AuditEvent.objects.filter(action__startswith="answer.").values_list("action", flat=True)
        )
        assert sorted(actions) == ["answer.create", "answer.update"]

    def test_an_empty_value_clears_the_answer(self, world, meeting):
        self.save(world, meeting, "zones_export", "Belgique")
        assert self.save(world, meeting, "zones_export", "") is None
        assert not meeting.answers.exists()
        assert AuditEvent.objects.filter(action="answer.clear").exists()

    def test_a_question_of_another_version_is_refused(self, world, meeting):
        manager = world.users["manager"]
        draft = services.guide_start_draft(acting_user=manager, guide=meeting.guide_version.guide)
        with pytest.raises(ValidationError):
            services.answer_save(
                acting_user=world.users["agent_e1"], interaction=meeting,
                question=draft.questions.first(), value="x",
            )  # fmt: skip

    def test_only_who_may_edit_the_meeting_answers(self, world, meeting):
        question = meeting.guide_version.questions.get(key="zones_export")
        for user in ("agent_e2", "partner"):
            with pytest.raises(PermissionDenied):
                services.answer_save(
                    acting_user=world.users[user], interaction=meeting, question=question,
                    value="x",
                )  # fmt: skip


class TestRecords:
    def test_a_record_from_a_meeting_takes_its_visibility_by_default(self, world):
        interaction = visit(world, visibility=Visibility.PARTNERS)
        need = services.need_create(
            acting_user=world.users["agent_e1"],
            establishment=interaction.establishment,
            interaction=interaction,
            theme=Theme.EMPLOYMENT,
            description="Pénurie de soudeurs",
        )
        assert need.visibility == Visibility.PARTNERS
        assert need.author_organisation == world.orgs["o1"]
        assert AuditEvent.objects.for_object(need).get().action == "need.create"

    def test_a_record_stays_on_the_interactions_establishment(self, world):
        interaction = visit(world)
        with pytest.raises(ValidationError):
            services.need_create(
                acting_user=world.users["agent_e1"], establishment=site_of(world),
                interaction=interaction, theme=Theme.EXPORT, description="x",
            )  # fmt: skip

    def test_a_project_amount_is_decimal_to_the_cent(self, world):
        project = services.project_create(
            acting_user=world.users["manager"],
            establishment=site_of(world),
            kind=ProjectKind.DECARBONISATION,
            title="Four électrique",
            investment_amount=Decimal("1200000.005"),
            jobs_created=15,
        )
        project.refresh_from_db()
        assert project.investment_amount == Decimal("1200000.01")
        event = AuditEvent.objects.for_object(project).get()
        assert event.changes["investment_amount"] == [None, "1200000.01"]
        with pytest.raises(ValidationError):
            services.project_update(
                acting_user=world.users["manager"], project=project,
                investment_amount=Decimal("-1"),
            )  # fmt: skip
        assert Project.objects.get().investment_amount == Decimal("1200000.01")

    def test_a_diagnostic_keeps_the_dates_of_its_steps(self, world):
        user = world.users["agent_e1"]
        diagnostic = services.diagnostic_create(
            acting_user=user,
            establishment=site_of(world),
            kind=DiagnosticKind.ECOLOGICAL_TRANSITION,
            offered_on=TODAY - dt.timedelta(days=30),
        )
        assert diagnostic.status == DiagnosticStatus.OFFERED
        services.diagnostic_update(
            acting_user=user, diagnostic=diagnostic, status=DiagnosticStatus.DONE,
            done_on=TODAY - dt.timedelta(days=2), operator="CCI",
        )  # fmt: skip
        assert diagnostic.accepted_on == diagnostic.done_on == TODAY - dt.timedelta(days=2)
        with pytest.raises(ValidationError) as exc:
            services.diagnostic_update(
                acting_user=user, diagnostic=diagnostic, report_on=TODAY - dt.timedelta(days=60)
            )
        assert "report_on" in exc.value.message_dict

    def test_a_referral_to_an_unnamed_supplier_is_refused(self, world):
        with pytest.raises(ValidationError) as exc:
            services.referral_create(
                acting_user=world.users["agent_e1"], establishment=site_of(world),
                partner=Partner.LOCAL_SUPPLIER, subject="Sous-traitance usinage",
                referred_on=TODAY,
            )  # fmt: skip
        assert "partner_name" in exc.value.message_dict

    def test_an_action_owner_must_be_able_to_work_it(self, world):
        with pytest.raises(ValidationError) as exc:
            services.action_create(
                acting_user=world.users["manager"], establishment=site_of(world),
                title="Relancer", due_date=TODAY, owner=world.users["agent_e2"],
            )  # fmt: skip
        assert "owner" in exc.value.message_dict
        action = services.action_create(
            acting_user=world.users["manager"], establishment=site_of(world), title="Relancer",
            due_date=TODAY, owner=world.users["agent_e1"],
        )  # fmt: skip
        services.action_update(
            acting_user=world.users["agent_e1"], action=action, status=ActionStatus.DONE
        )
        assert action.done_on == timezone.localdate()

    def test_an_agent_may_not_edit_a_private_record_of_the_cci(self, world):
        need = NeedFactory(
            establishment=site_of(world), visibility=Visibility.PRIVATE,
            **written_by(world, "manager"),
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.need_update(acting_user=world.users["agent_e1"], need=need, urgency="low")
        services.need_update(acting_user=world.users["manager"], need=need, urgency="low")
        assert need.urgency == "low"

    def test_overdue_actions(self, world):
        site = site_of(world)
        late = ActionFactory(establishment=site, due_date=TODAY - dt.timedelta(days=1))
        ActionFactory(
            establishment=site, due_date=TODAY - dt.timedelta(days=1), status=ActionStatus.DONE
        )
        ActionFactory(establishment=site, due_date=TODAY + dt.timedelta(days=1))
        from pilote.accompaniment.models import Action

        assert list(Action.objects.overdue(today=TODAY)) == [late]


class TestLevels:
    def test_the_latest_change_is_the_current_level(self, world):
        user = world.users["manager"]
        site = site_of(world)
        services.level_set(
            acting_user=user, establishment=site, level=Level.AWARENESS,
            changed_on=TODAY - dt.timedelta(days=90),
        )  # fmt: skip
        assert (
            services.level_set(
                acting_user=user, establishment=site, level=Level.AWARENESS, changed_on=TODAY
            )
            is None
        )
        reinforced = services.level_set(
            acting_user=user, establishment=site, level=Level.REINFORCED, changed_on=TODAY,
            note="Dossier France 2030",
        )  # fmt: skip
        assert list(AccompanimentLevel.objects.current()) == [reinforced]
        assert AccompanimentLevel.objects.filter(establishment=site).count() == 2

    def test_time_spent_is_summed_per_epci(self, world):
        visit(world, time_spent_minutes=90)
        visit(world, time_spent_minutes=30)
        visit(world, user="manager", epci="e2", time_spent_minutes=45)
        assert Interaction.objects.time_spent_by_epci() == {
            world.epcis["e1"].pk: 120,
            world.epcis["e2"].pk: 45,
        }
