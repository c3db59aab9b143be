"""Accompaniment pages: meetings with and without script, the guide's versions as users see
them, records added from a meeting, levels and exports."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import InteractionKind, Level
from pilote.accompaniment.models import AccompanimentLevel, Answer, InterviewGuide, Project
from pilote.core.locking import version_of
from tests.accompaniment.factories import ProjectFactory, answer_to, meeting_of, site_of, written_by

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def q(interaction, key):
    return interaction.guide_version.questions.get(key=key)


class TestGuideVersionsAsSeen:
    def test_an_old_meeting_still_shows_its_own_questions_and_answers(self, client, login, world):
        old = meeting_of(world, author="manager")
        answer_to(old, "effectif", number=Decimal("45"))
        answer_to(old, "zones_export", text="Belgique")
        login(world.users["manager"])

        # The TI manager edits the guide through its pages: a draft, a reworded question, a
        # removed one, then publication.
        assert client.post(reverse("accompaniment:guide_draft")).status_code == 302
        draft = InterviewGuide.objects.get().draft
        reworded = draft.questions.get(key="effectif")
        response = client.post(
            reverse("accompaniment:question_edit", args=[reworded.pk]),
            {
                "theme": reworded.theme,
                "text": "Effectif total de l'entreprise",
                "type": "number",
                "version": version_of(reworded),
            },
        )
        assert response.status_code == 302
        removed = draft.questions.get(key="zones_export")
        client.post(reverse("accompaniment:question_delete", args=[removed.pk]))
        response = client.post(
            reverse("accompaniment:guide_publish"), {"change_note": "Effectif de l'entreprise"}
        )
        assert response.status_code == 302
        guide = InterviewGuide.objects.get()
        assert guide.current_version.number == 2

        page = text(client.get(old.get_absolute_url()))
        assert "Effectif actuel du site" in page
        assert "Effectif total de l'entreprise" not in page
        assert "Zones ou pays visés" in page
        assert "Belgique" in page
        meeting_page = text(client.get(reverse("accompaniment:meeting", args=[old.pk])))
        assert 'value="45"' in meeting_page
        assert "version 1" in meeting_page

        new = services.interaction_create(
            acting_user=world.users["manager"], establishment=site_of(world),
            kind=InteractionKind.MEETING, occurred_on=timezone.localdate(), guide=guide,
        )  # fmt: skip
        page = text(client.get(reverse("accompaniment:meeting", args=[new.pk])))
        assert "Effectif total de l'entreprise" in page
        assert "Zones ou pays visés" not in page
        listing = text(client.get(reverse("accompaniment:guide")))
        assert "Version 1" in listing
        assert "Version 2" in listing

    @pytest.mark.parametrize("actor", ["agent_e1", "partner"])
    def test_members_read_the_guide_but_only_the_ti_manager_edits_it(
        self, client, login, world, actor
    ):
        services.guide_install_default(acting_user=None, territory=world.territory_a)
        login(world.users[actor])
        page = client.get(reverse("accompaniment:guide"))
        assert page.status_code == 200
        assert "Emploi et compétences" in text(page)
        assert "Modifier la trame" not in text(page)
        assert client.post(reverse("accompaniment:guide_draft")).status_code == 404
        assert InterviewGuide.objects.get().draft is None

    def test_a_question_with_too_few_choices_is_explained(self, client, login, world):
        services.guide_install_default(acting_user=None, territory=world.territory_a)
        login(world.users["manager"])
        client.post(reverse("accompaniment:guide_draft"))
        response = client.post(
            reverse("accompaniment:question_add"),
            {"theme": "export", "text": "Salons ?", "type": "single_choice", "choices": "Oui"},
        )
        assert response.status_code == 400
        assert "Proposez au moins deux choix, un par ligne." in text(response)


class TestMeetingPage:
    @pytest.fixture
    def meeting(self, world):
        return meeting_of(world)

    def test_without_script_the_button_saves_every_answer(self, client, login, world, meeting):
        login(world.users["agent_e1"])
        data = {
            f"q-{q(meeting, 'recrutements_prevus').pk}": "non",
            f"q-{q(meeting, 'effectif').pk}": "1 250",
            f"q-{q(meeting, 'leviers_te').pk}": ["Eau", "Mobilité"],
            f"q-{q(meeting, 'taux_utilisation').pk}": "Saturé",
        }
        response = client.post(reverse("accompaniment:meeting", args=[meeting.pk]), data)
        assert response.status_code == 302
        answers = {a.question.key: a for a in meeting.answers.select_related("question")}
        assert answers["recrutements_prevus"].boolean is False
        assert answers["effectif"].number == Decimal("1250")
        assert answers["leviers_te"].choices == ["Eau", "Mobilité"]
        assert answers["taux_utilisation"].choices == ["Saturé"]

    def test_a_wrong_answer_is_explained_and_the_others_are_kept(
        self, client, login, world, meeting
    ):
        login(world.users["agent_e1"])
        number = q(meeting, "effectif")
        data = {
            f"q-{number.pk}": "une cinquantaine",
            f"q-{q(meeting, 'zones_export').pk}": "Italie",
        }
        response = client.post(reverse("accompaniment:meeting", args=[meeting.pk]), data)
        assert response.status_code == 400
        page = text(response)
        assert "Saisissez un nombre, par exemple 12 ou 3,5." in page
        assert 'value="une cinquantaine"' in page  # what was typed is shown again
        assert list(meeting.answers.values_list("text", flat=True)) == ["Italie"]

    def test_autosave_answers_with_a_status_line(self, client, login, world, meeting):
        login(world.users["agent_e1"])
        question = q(meeting, "zones_export")
        url = reverse("accompaniment:answer_save", args=[meeting.pk, question.pk])
        response = client.post(url, {f"q-{question.pk}": "Espagne"}, **HTMX)
        assert response.status_code == 200
        assert "Réponse enregistrée" in text(response)
        assert Answer.objects.get().text == "Espagne"
        response = client.post(url, {f"q-{question.pk}": ""}, **HTMX)
        assert "Réponse effacée" in text(response)
        assert not Answer.objects.exists()
        no_script = client.post(url, {f"q-{question.pk}": "Espagne"})
        assert no_script.status_code == 302
        assert no_script["Location"].endswith(f"#question-{question.pk}")

    def test_who_may_only_read_sees_the_answers_without_a_form(self, client, login, world):
        shared = meeting_of(world, visibility="partners")
        answer_to(shared, "zones_export", text="Pologne")
        login(world.users["partner"])
        page = text(client.get(reverse("accompaniment:meeting", args=[shared.pk])))
        assert "Pologne" in page
        assert "Enregistrer les réponses" not in page
        assert "hx-post" not in page
        question = q(shared, "zones_export")
        url = reverse("accompaniment:answer_save", args=[shared.pk, question.pk])
        # The partner sees the meeting, so the refusal is a 403, not a 404.
        assert client.post(url, {f"q-{question.pk}": "x"}).status_code == 403
        assert Answer.objects.get().text == "Pologne"


class TestRecordsFromAMeeting:
    def test_without_script_a_project_is_added_and_the_meeting_shown_again(
        self, client, login, world
    ):
        meeting = meeting_of(world)
        login(world.users["agent_e1"])
        back = reverse("accompaniment:meeting", args=[meeting.pk])
        response = client.post(
            reverse("accompaniment:project_create") + f"?echange={meeting.pk}",
            {
                "compact": "1", "next": back, "project-kind": "decarbonisation",
                "project-title": "Four électrique", "project-investment_amount": "1 200 000,50",
                "project-jobs_created": "15", "project-maturity": "study",
            },
        )  # fmt: skip
        assert response.status_code == 302
        assert response["Location"] == back
        project = Project.objects.get()
        assert project.investment_amount == Decimal("1200000.50")
        assert (project.interaction, project.visibility) == (meeting, meeting.visibility)
        assert "1\xa0200\xa0000,50\xa0€" in text(client.get(back))

    def test_form_errors_are_in_french(self, client, login, world):
        meeting = meeting_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:project_create") + f"?echange={meeting.pk}",
            {"project-kind": "export", "project-investment_amount": "beaucoup", "compact": "1",
             "project-maturity": "idea"},
        )  # fmt: skip
        assert response.status_code == 400
        page = text(response)
        assert "Ce champ est obligatoire." in page
        assert "Saisissez un nombre, par exemple 1 200 000 ou 3,5." in page
        assert not Project.objects.exists()

    def test_an_agent_of_another_epci_may_not_add_to_the_meeting(self, client, login, world):
        meeting = meeting_of(world, visibility="territory")
        login(world.users["agent_e2"])
        url = reverse("accompaniment:need_create") + f"?echange={meeting.pk}"
        assert client.get(url).status_code == 403  # the meeting is shared: seen, read-only
        response = client.post(url, {"theme": "export", "description": "x", "urgency": "low"})
        assert response.status_code == 403

    def test_the_projects_export_is_french_excel(self, client, login, world):
        ProjectFactory(establishment=site_of(world), **written_by(world, "agent_e1"))
        login(world.users["agent_e1"])
        response = client.get(reverse("accompaniment:project_export"))
        content = response.content.decode("utf-8")
        assert content.startswith("\ufeff")
        assert "1 200 000,00 €" in content
        assert ";" in content.splitlines()[0]


class TestInteractions:
    def test_an_agent_records_an_interaction_from_the_establishment(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        url = reverse("accompaniment:interaction_create") + f"?etablissement={site.siret}"
        assert "Nouvel échange" in text(client.get(url))
        response = client.post(
            url,
            {
                "kind": "phone", "occurred_on": "2026-11-12",
                "participants": [world.users["agent_e1"].pk], "summary": "Appel de suivi",
                "time_spent_minutes": "20", "visibility": "epci",
            },
        )  # fmt: skip
        assert response.status_code == 302
        interaction = site.interactions.get()
        assert interaction.occurred_on == dt.date(2026, 11, 12)
        assert interaction.guide_version is None
        page = text(client.get(site.get_absolute_url()))
        assert "Téléphone : Appel de suivi" in page

    def test_another_epcis_agent_gets_404(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e2"])
        url = reverse("accompaniment:interaction_create") + f"?etablissement={site.siret}"
        assert client.get(url).status_code == 404

    def test_a_negative_time_is_refused_in_french(self, client, login, world):
        site = site_of(world)
        login(world.users["agent_e1"])
        response = client.post(
            reverse("accompaniment:interaction_create"),
            {"etablissement": site.siret, "kind": "phone", "occurred_on": "30/11/2026",
             "time_spent_minutes": "-5", "visibility": "epci"},
        )  # fmt: skip
        assert "Le temps passé ne peut pas être négatif." in text(response)
        assert not site.interactions.exists()


def test_the_level_page_records_a_change_and_shows_time_per_epci(client, login, world):
    meeting = meeting_of(world, author="manager", time_spent_minutes=150)
    site = meeting.establishment
    login(world.users["manager"])
    url = reverse("accompaniment:establishment_level", args=[site.siret])
    response = client.post(
        url,
        {"level": Level.REINFORCED, "changed_on": "2026-11-20", "note": "Dossier France 2030",
         "visibility": "epci"},
    )  # fmt: skip
    assert response.status_code == 302
    level = AccompanimentLevel.objects.current().get(establishment=site)
    assert (level.level, level.changed_on) == (Level.REINFORCED, dt.date(2026, 11, 20))
    page = text(client.get(url))
    assert "Accompagnement renforcé" in page
    assert f"{meeting.epci.name} : 150 min" in page


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("accompaniment:interaction_list", lambda world: meeting_of(world)),
        (
            "accompaniment:project_list",
            lambda world: ProjectFactory(
                establishment=site_of(world), **written_by(world, "agent_e1")
            ),
        ),
    ],
)
def test_list_pages_make_the_same_queries_whatever_the_rows(client, login, world, url_name, make):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(world.users["agent_e1"])

    def queries_for_the_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        return len(queries)

    make(world)
    with_one_row = queries_for_the_page()
    for _ in range(5):
        make(world)
    assert queries_for_the_page() == with_one_row
