"""The interview guide: the default one, drafts, publication, and meetings keeping their
version."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import GUIDE_THEMES, InteractionKind, QuestionType, Theme
from pilote.accompaniment.models import GuideVersion, InterviewGuide, Question
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import site_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(world):
    return services.guide_install_default(
        acting_user=world.users["manager"], territory=world.territory_a
    )


def test_the_default_guide_covers_the_six_themes_with_every_type(guide):
    version = guide.current_version
    assert version.number == 1
    questions = list(version.questions.all())
    assert {q.theme for q in questions} == set(GUIDE_THEMES)
    assert {q.type for q in questions} == set(QuestionType.values)
    assert all(len(q.choices) >= 2 for q in questions if q.type.endswith("choice"))


def test_installing_twice_keeps_the_first_guide(world, guide):
    again = services.guide_install_default(acting_user=None, territory=world.territory_a)
    assert again == guide
    assert InterviewGuide.objects.count() == 1
    assert AuditEvent.objects.filter(action="interview_guide.install").count() == 1


def test_a_partner_may_not_install_the_guide(world):
    with pytest.raises(PermissionDenied):
        services.guide_install_default(
            acting_user=world.users["partner"], territory=world.territory_a
        )


def test_only_the_ti_manager_edits_the_guide(world, guide):
    for user in ("agent_e1", "partner", "manager_b"):
        with pytest.raises(PermissionDenied):
            services.guide_start_draft(acting_user=world.users[user], guide=guide)


def test_editing_prepares_a_new_version_and_publishing_makes_it_current(world, guide):
    manager = world.users["manager"]
    v1 = guide.current_version
    draft = services.guide_start_draft(acting_user=manager, guide=guide)
    assert (draft.number, draft.is_draft) == (2, True)
    assert services.guide_start_draft(acting_user=manager, guide=guide) == draft  # one draft
    assert draft.questions.count() == v1.questions.count()

    reworded = draft.questions.get(key="effectif")
    services.question_update(
        acting_user=manager, question=reworded, text="Effectif total de l'entreprise"
    )
    services.question_delete(acting_user=manager, question=draft.questions.get(key="zones_export"))
    added = services.question_add(
        acting_user=manager,
        version=draft,
        theme=Theme.EXPORT,
        text="Participez-vous à des salons internationaux ?",
        type=QuestionType.YES_NO,
    )
    assert guide.current_version == v1  # nothing changes before publication
    assert v1.questions.get(key="effectif").text == "Effectif actuel du site"

    services.guide_publish(acting_user=manager, version=draft, change_note="Export revu")
    guide = InterviewGuide.objects.get()
    assert guide.current_version == draft
    assert set(v1.questions.values_list("key", flat=True)) - set(
        draft.questions.values_list("key", flat=True)
    ) == {"zones_export"}
    assert added.key not in set(v1.questions.values_list("key", flat=True))
    assert GuideVersion.objects.count() == 2


def test_a_meeting_keeps_the_version_it_was_run_on(world, guide):
    manager = world.users["manager"]
    site = site_of(world)
    old = services.interaction_create(
        acting_user=manager, establishment=site, kind=InteractionKind.SITE_VISIT,
        occurred_on=timezone.localdate(), guide=guide,
    )  # fmt: skip
    draft = services.guide_start_draft(acting_user=manager, guide=guide)
    services.question_update(
        acting_user=manager, question=draft.questions.get(key="effectif"), text="Effectif total"
    )
    services.guide_publish(acting_user=manager, version=draft)
    new = services.interaction_create(
        acting_user=manager, establishment=site, kind=InteractionKind.SITE_VISIT,
        occurred_on=timezone.localdate(), guide=InterviewGuide.objects.get(),
    )  # fmt: skip
    assert (old.guide_version.number, new.guide_version.number) == (1, 2)
    assert old.guide_version.questions.get(key="effectif").text == "Effectif actuel du site"
    assert new.guide_version.questions.get(key="effectif").text == "Effectif total"


def test_a_published_version_never_changes(world, guide):
    question = guide.current_version.questions.first()
    with pytest.raises(ValidationError):
        services.question_update(acting_user=world.users["manager"], question=question, text="x")
    with pytest.raises(ValidationError):
        services.question_delete(acting_user=world.users["manager"], question=question)
    assert Question.objects.get(pk=question.pk).text == question.text


@pytest.mark.parametrize(
    ("type", "choices"),
    [
        (QuestionType.SINGLE_CHOICE, ["Un seul"]),
        (QuestionType.MULTIPLE_CHOICE, []),
        (QuestionType.TEXT, ["Inutile", "Aussi"]),
    ],
)
def test_choices_must_fit_the_type(world, guide, type, choices):
    draft = services.guide_start_draft(acting_user=world.users["manager"], guide=guide)
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            acting_user=world.users["manager"], version=draft, theme=Theme.EXPORT,
            text="Question", type=type, choices=choices,
        )  # fmt: skip
    assert "choices" in exc.value.message_dict


def test_moving_a_question_swaps_it_within_its_theme(world, guide):
    manager = world.users["manager"]
    draft = services.guide_start_draft(acting_user=manager, guide=guide)

    def keys():
        return list(
            draft.questions.filter(theme=Theme.EXPORT).order_by("position", "pk")
            .values_list("key", flat=True)
        )  # fmt: skip

    assert keys() == ["part_export", "projet_export", "zones_export"]
    services.question_move(
        acting_user=manager, question=draft.questions.get(key="zones_export"), up=True
    )
    assert keys() == ["part_export", "zones_export", "projet_export"]
    services.question_move(
        acting_user=manager, question=draft.questions.get(key="part_export"), up=True
    )
    assert keys() == ["part_export", "zones_export", "projet_export"]  # already first


def test_an_empty_draft_cannot_be_published(world, guide):
    manager = world.users["manager"]
    draft = services.guide_start_draft(acting_user=manager, guide=guide)
    for question in draft.questions.all():
        services.question_delete(acting_user=manager, question=question)
    with pytest.raises(ValidationError):
        services.guide_publish(acting_user=manager, version=draft)
    services.guide_discard_draft(acting_user=manager, version=draft)
    assert InterviewGuide.objects.get().current_version.number == 1
    assert InterviewGuide.objects.get().draft is None
