"""Every write on accompaniment: keyword-only, atomic, permission-checked, audited.

Interactions and the records a meeting produces (needs, projects, diagnostics, referrals,
actions, levels) are follow-up filed under the EPCI of their establishment and the author's
organisation for it. Answers share the visibility of their meeting. The interview guide is
edited through drafts: a published version never changes, so a meeting keeps its questions.
"""

from pilote.accompaniment.services._checks import team_members
from pilote.accompaniment.services.guide import (
    guide_discard_draft,
    guide_install_default,
    guide_publish,
    guide_start_draft,
    question_add,
    question_delete,
    question_move,
    question_update,
)
from pilote.accompaniment.services.interactions import (
    answer_save,
    interaction_create,
    interaction_delete,
    interaction_start_meeting,
    interaction_update,
    visit_plan,
)
from pilote.accompaniment.services.records import (
    action_create,
    action_update,
    diagnostic_create,
    diagnostic_update,
    level_set,
    need_create,
    need_update,
    project_create,
    project_update,
    record_delete,
    referral_create,
    referral_update,
)

__all__ = [
    "action_create", "action_update", "answer_save", "diagnostic_create", "diagnostic_update",
    "guide_discard_draft", "guide_install_default", "guide_publish", "guide_start_draft",
    "interaction_create", "interaction_delete", "interaction_start_meeting",
    "interaction_update", "level_set",
    "need_create", "need_update", "project_create", "project_update", "question_add",
    "question_delete", "question_move", "question_update", "record_delete", "referral_create",
    "referral_update", "team_members", "visit_plan",
]  # fmt: skip
