"""Implausible values are refused, in French, on the field — through the pages and through
the services (imports and scripts): exchanges dated 01/01/0001 or 31/12/2099, a 150 % export
share, a −5 000 € energy bill, records dated in the future, negative amounts and jobs."""

import datetime as dt
import html
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import (
    DiagnosticKind,
    DiagnosticStatus,
    InteractionKind,
    Level,
    Partner,
    ProjectKind,
    QuestionType,
    Theme,
)
from pilote.accompaniment.models import Action, Answer, InterviewGuide, Project, Question
from pilote.core.locking import version_of
from tests.accompaniment.factories import NeedFactory, meeting_of, site_of, written_by

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def field_errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


# --- Exchanges ---------------------------------------------------------------------------------


class TestExchangeDates:
    def post(self, client, site, day: str):
        return client.post(
            reverse("accompaniment:interaction_create"),
            {"etablissement": site.siret, "kind": "phone", "occurred_on": day,
             "time_spent_minutes": "0", "visibility": "epci"},
        )  # fmt: skip

    def test_the_issues_01_01_0001_is_refused_on_the_page(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = self.post(client, site, "01/01/0001")
        assert response.status_code == 200
        assert "La date de l'échange ne peut pas précéder le 01/01/1990." in text(response)
        assert not site.interactions.exists()

    def test_31_12_2099_is_refused_on_the_page(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = self.post(client, site, "2099-12-31")
        assert "La date de l'échange ne peut pas dépasser le" in text(response)
        assert "(un an après aujourd'hui)" in text(response)
        assert not site.interactions.exists()

    def test_the_boundaries_are_accepted_on_the_page(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        assert self.post(client, site, "01/01/1990").status_code == 302
        ahead = years_after(TODAY, 1)
        assert self.post(client, site, ahead.isoformat()).status_code == 302
        assert sorted(site.interactions.values_list("occurred_on", flat=True)) == [
            dt.date(1990, 1, 1), ahead,
        ]  # fmt: skip

    def test_the_edit_page_refuses_it_too(self, client, login, world):
        meeting = meeting_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:interaction_edit", args=[meeting.pk]),
            {"kind": meeting.kind, "occurred_on": "1989-12-31", "time_spent_minutes": "0",
             "visibility": meeting.visibility, "version": version_of(meeting)},
        )  # fmt: skip
        assert "La date de l'échange ne peut pas précéder le 01/01/1990." in text(response)
        meeting.refresh_from_db()
        assert meeting.occurred_on == TODAY

    def test_the_services_refuse_it_for_imports_and_scripts(self, world):
        user = world.users["agent_e1"]
        site = site_of(world)
        with pytest.raises(ValidationError) as exc:
            services.interaction_create(
                acting_user=user, establishment=site, kind=InteractionKind.PHONE,
                occurred_on=dt.date(1, 1, 1),
            )  # fmt: skip
        assert field_errors(exc) == {
            "occurred_on": ["La date de l'échange ne peut pas précéder le 01/01/1990."]
        }
        interaction = services.interaction_create(
            acting_user=user, establishment=site, kind=InteractionKind.PHONE,
            occurred_on=dt.date(1990, 1, 1),
        )  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            services.interaction_update(
                acting_user=user, interaction=interaction, occurred_on=dt.date(2099, 12, 31)
            )
        assert "occurred_on" in field_errors(exc)
        interaction.refresh_from_db()
        assert interaction.occurred_on == dt.date(1990, 1, 1)


# --- Guide answers -----------------------------------------------------------------------------


class TestGuideNumberAnswers:
    @pytest.fixture
    def meeting(self, world):
        return meeting_of(world)

    def autosave(self, client, meeting, key, value):
        question = meeting.guide_version.questions.get(key=key)
        url = reverse("accompaniment:answer_save", args=[meeting.pk, question.pk])
        return client.post(url, {f"q-{question.pk}": value}, **HTMX)

    def test_the_default_guide_bounds_its_number_questions(self, meeting):
        bounds = {
            q.key: (q.min_value, q.max_value)
            for q in meeting.guide_version.questions.filter(type=QuestionType.NUMBER)
        }
        assert bounds == {
            "effectif": (0, None), "part_export": (0, 100), "facture_energie": (0, None),
        }  # fmt: skip

    def test_a_150_percent_export_share_is_refused_by_the_autosave(self, client, login, meeting):
        login(meeting.author)
        response = self.autosave(client, meeting, "part_export", "150")
        assert "Saisissez un nombre entre 0 et 100." in text(response)
        assert not Answer.objects.exists()
        for boundary in ("0", "100", "37,5"):
            assert "Réponse enregistrée" in text(self.autosave(client, meeting, "part_export",
                                                                boundary))  # fmt: skip
        assert Answer.objects.get().number == Decimal("37.50")

    def test_a_negative_energy_bill_is_refused_by_the_autosave(self, client, login, meeting):
        login(meeting.author)
        response = self.autosave(client, meeting, "facture_energie", "-5 000")
        assert "Ce nombre ne peut pas être négatif." in text(response)
        assert not Answer.objects.exists()
        assert "Réponse enregistrée" in text(self.autosave(client, meeting, "facture_energie", "0"))

    def test_the_meeting_page_without_script_refuses_both(self, client, login, meeting):
        login(meeting.author)
        share = meeting.guide_version.questions.get(key="part_export")
        bill = meeting.guide_version.questions.get(key="facture_energie")
        headcount = meeting.guide_version.questions.get(key="effectif")
        response = client.post(
            reverse("accompaniment:meeting", args=[meeting.pk]),
            {f"q-{share.pk}": "150", f"q-{bill.pk}": "-5000", f"q-{headcount.pk}": "45"},
        )
        assert response.status_code == 400
        page = text(response)
        assert "Saisissez un nombre entre 0 et 100." in page
        assert "Ce nombre ne peut pas être négatif." in page
        assert [a.question.key for a in meeting.answers.all()] == ["effectif"]

    def test_the_service_refuses_a_negative_headcount(self, world, meeting):
        question = meeting.guide_version.questions.get(key="effectif")
        with pytest.raises(ValidationError, match=r"Ce nombre ne peut pas être négatif\."):
            services.answer_save(
                acting_user=meeting.author, interaction=meeting, question=question, value="-1"
            )
        answer = services.answer_save(
            acting_user=meeting.author, interaction=meeting, question=question, value="0"
        )
        assert answer.number == 0

    def test_an_unbounded_question_takes_any_number(self, world):
        user = world.users["manager"]
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        draft = services.guide_start_draft(acting_user=user, guide=guide)
        services.question_add(
            acting_user=user, version=draft, theme=Theme.EMPLOYMENT,
            text="Évolution de l'effectif sur un an", type=QuestionType.NUMBER,
        )  # fmt: skip
        services.guide_publish(acting_user=user, version=draft)
        meeting = meeting_of(world, guide_version=guide.current_version)
        question = meeting.guide_version.questions.get(text__startswith="Évolution")
        answer = services.answer_save(
            acting_user=meeting.author, interaction=meeting, question=question, value="-3"
        )
        assert answer.number == -3


class TestGuideQuestionBounds:
    def test_the_ti_manager_sets_bounds_and_the_next_draft_keeps_them(self, client, login, world):
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        login(world.users["manager"])
        client.post(reverse("accompaniment:guide_draft"))
        draft = InterviewGuide.objects.get().draft
        share = draft.questions.get(key="part_export")
        assert (share.min_value, share.max_value) == (0, 100)  # copied from version 1
        response = client.post(
            reverse("accompaniment:question_add"),
            {"theme": Theme.EXPORT, "text": "Part des ventes hors UE", "type": "number",
             "min_value": "0", "max_value": "100"},
        )  # fmt: skip
        assert response.status_code == 302
        added = draft.questions.get(text="Part des ventes hors UE")
        assert (added.min_value, added.max_value) == (0, 100)
        response = client.post(
            reverse("accompaniment:question_edit", args=[added.pk]),
            {"theme": Theme.EXPORT, "text": added.text, "type": "number", "min_value": "100",
             "max_value": "0", "version": version_of(added)},
        )  # fmt: skip
        assert response.status_code == 400
        assert "La valeur maximale est inférieure à la valeur minimale." in text(response)
        response = client.post(
            reverse("accompaniment:question_add"),
            {"theme": Theme.EXPORT, "text": "Pays visé", "type": "text", "min_value": "0"},
        )
        assert "Seules les questions à réponse numérique ont des bornes." in text(response)
        assert guide.versions.count() == 2

    def test_the_service_checks_the_bounds_too(self, world):
        user = world.users["manager"]
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        draft = services.guide_start_draft(acting_user=user, guide=guide)
        with pytest.raises(ValidationError) as exc:
            services.question_add(
                acting_user=user, version=draft, theme=Theme.EXPORT, text="Part", type="number",
                min_value=Decimal("10"), max_value=Decimal("5"),
            )  # fmt: skip
        assert "max_value" in field_errors(exc)

    def test_the_migration_fills_the_existing_questions(self, world):
        guide = services.guide_install_default(acting_user=None, territory=world.territory_a)
        version = guide.current_version
        Question.objects.filter(version=version).update(min_value=None, max_value=None)
        Question.objects.create(
            version=version, key="part-sous-traitance", theme=Theme.PRODUCTION, type="number",
            text="Part de la sous-traitance (%)",
        )  # fmt: skip
        Question.objects.create(
            version=version, key="budget-formation", theme=Theme.EMPLOYMENT, type="number",
            text="Budget formation annuel (en euros)",
        )  # fmt: skip
        Question.objects.create(
            version=version, key="age-machines", theme=Theme.PRODUCTION, type="number",
            text="Âge moyen du parc machines",
        )  # fmt: skip
        migration = importlib.import_module(
            "pilote.accompaniment.migrations.0004_question_bounds_plausible_values"
        )
        migration.fill_bounds(apps, None)
        bounds = dict(version.questions.filter(type="number").values_list("key", "min_value"))
        maxima = dict(version.questions.filter(type="number").values_list("key", "max_value"))
        assert bounds == {
            "effectif": 0, "part_export": 0, "facture_energie": 0, "part-sous-traitance": 0,
            "budget-formation": 0, "age-machines": None,
        }  # fmt: skip
        assert maxima["part_export"] == maxima["part-sous-traitance"] == 100
        assert maxima["facture_energie"] is None


# --- Records -----------------------------------------------------------------------------------


class TestRecordDates:
    def test_an_action_is_due_from_1990_to_ten_years_ahead(self, client, login, world):
        site = site_of(world)
        user = world.users["agent_e1"]
        login(user)
        url = reverse("accompaniment:action_create") + f"?etablissement={site.siret}"

        def post(day):
            return client.post(
                url, {"title": "Relancer", "owner": user.pk, "due_date": day, "status": "todo",
                      "visibility": "epci"},
            )  # fmt: skip

        response = post("2099-12-31")
        assert "L'échéance ne peut pas dépasser le" in text(response)
        assert "(10 ans après aujourd'hui)" in text(response)
        assert "L'échéance ne peut pas précéder le 01/01/1990." in text(post("1989-12-31"))
        assert not Action.objects.exists()
        assert post(years_after(TODAY, 10).isoformat()).status_code == 302
        assert post("1990-01-01").status_code == 302
        assert Action.objects.count() == 2

    def test_the_action_service_refuses_it(self, world):
        with pytest.raises(ValidationError) as exc:
            services.action_create(
                acting_user=world.users["agent_e1"], establishment=site_of(world),
                title="Relancer", due_date=dt.date(1, 1, 1),
            )  # fmt: skip
        assert field_errors(exc)["due_date"] == ["L'échéance ne peut pas précéder le 01/01/1990."]

    def test_a_diagnostic_step_is_never_in_the_future(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        tomorrow = TODAY + dt.timedelta(days=1)
        response = client.post(
            reverse("accompaniment:diagnostic_create") + f"?etablissement={site.siret}",
            {"kind": DiagnosticKind.ECOLOGICAL_TRANSITION, "status": DiagnosticStatus.DONE,
             "offered_on": "1990-01-01", "done_on": tomorrow.isoformat(),
             "visibility": "epci"},
        )  # fmt: skip
        assert "La date de réalisation ne peut pas être dans le futur." in text(response)
        user = world.users["agent_e1"]
        with pytest.raises(ValidationError) as exc:
            services.diagnostic_create(
                acting_user=user, establishment=site,
                kind=DiagnosticKind.ECOLOGICAL_TRANSITION, offered_on=dt.date(1, 1, 1),
            )  # fmt: skip
        assert field_errors(exc)["offered_on"] == [
            "La date de la proposition ne peut pas précéder le 01/01/1990."
        ]
        done = services.diagnostic_create(
            acting_user=user, establishment=site, kind=DiagnosticKind.ECOLOGICAL_TRANSITION,
            offered_on=dt.date(1990, 1, 1), status=DiagnosticStatus.DONE, done_on=TODAY,
            report_on=TODAY,
        )  # fmt: skip
        assert done.done_on == TODAY

    def test_a_referral_is_never_dated_in_the_future(self, world):
        user = world.users["agent_e1"]
        site = site_of(world)
        with pytest.raises(ValidationError) as exc:
            services.referral_create(
                acting_user=user, establishment=site, partner=Partner.BPIFRANCE,
                subject="Prêt", referred_on=TODAY + dt.timedelta(days=1),
            )  # fmt: skip
        assert field_errors(exc)["referred_on"] == [
            "La date de la mise en relation ne peut pas être dans le futur."
        ]
        services.referral_create(
            acting_user=user, establishment=site, partner=Partner.BPIFRANCE, subject="Prêt",
            referred_on=TODAY,
        )  # fmt: skip

    def test_a_need_is_never_resolved_in_the_future(self, world):
        need = NeedFactory(establishment=site_of(world), **written_by(world, "agent_e1"))
        with pytest.raises(ValidationError) as exc:
            services.need_update(
                acting_user=world.users["agent_e1"], need=need,
                resolved_on=TODAY + dt.timedelta(days=1),
            )  # fmt: skip
        assert field_errors(exc)["resolved_on"] == [
            "La date de résolution ne peut pas être dans le futur."
        ]

    def test_a_level_change_is_never_before_1990_nor_in_the_future(self, client, login, world):
        site = meeting_of(world, author="manager").establishment
        login(world.users["manager"])
        url = reverse("accompaniment:establishment_level", args=[site.siret])
        response = client.post(
            url, {"level": Level.REINFORCED, "changed_on": "01/01/0001", "visibility": "epci"}
        )
        assert "La date du changement de niveau ne peut pas précéder le 01/01/1990." in text(
            response
        )
        with pytest.raises(ValidationError):
            services.level_set(
                acting_user=world.users["manager"], establishment=site, level=Level.REINFORCED,
                changed_on=TODAY + dt.timedelta(days=1),
            )  # fmt: skip


class TestProjectAmounts:
    def test_a_negative_investment_is_refused_on_the_page_and_by_the_service(
        self, client, login, world
    ):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:project_create") + f"?etablissement={site.siret}",
            {"kind": ProjectKind.EXPORT, "title": "Salon", "investment_amount": "-5 000",
             "maturity": "idea", "visibility": "epci"},
        )  # fmt: skip
        assert "Le montant ne peut pas être négatif." in text(response)
        user = world.users["agent_e1"]
        with pytest.raises(ValidationError) as exc:
            services.project_create(
                acting_user=user, establishment=site, kind=ProjectKind.EXPORT, title="Salon",
                investment_amount=Decimal("-5000"),
            )  # fmt: skip
        assert "investment_amount" in field_errors(exc)
        project = services.project_create(
            acting_user=user, establishment=site, kind=ProjectKind.EXPORT, title="Salon",
            investment_amount=Decimal("0"), jobs_created=0, jobs_kept=0,
        )  # fmt: skip
        assert project.investment_amount == 0

    def test_negative_jobs_are_refused_in_french(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:project_create") + f"?etablissement={site.siret}",
            {"kind": ProjectKind.EXPORT, "title": "Salon", "jobs_created": "-2",
             "maturity": "idea", "visibility": "epci"},
        )  # fmt: skip
        assert "Le nombre d'emplois ne peut pas être négatif." in text(response)
        assert not Project.objects.exists()
        with pytest.raises(ValidationError) as exc:
            services.project_create(
                acting_user=world.users["agent_e1"], establishment=site,
                kind=ProjectKind.EXPORT, title="Salon", jobs_kept=-1,
            )  # fmt: skip
        assert field_errors(exc)["jobs_kept"] == ["Le nombre d'emplois ne peut pas être négatif."]
