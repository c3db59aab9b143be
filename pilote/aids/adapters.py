"""Matching for a company project or a need (pilote.accompaniment): a thin adapter that
turns the record into a `matching.Criteria` — its establishment's facts and the themes it
is about — so the matcher itself knows nothing of accompaniment.

Themes of the interview guide and project kinds map to the catalogue's themes below.
"""

from __future__ import annotations

from pilote.aids import matching
from pilote.aids.enums import Theme

THEMES_BY_NEED_THEME = {
    "employment": [Theme.EMPLOI_COMPETENCES, Theme.COMPETENCES],
    "production": [Theme.OUTIL_PRODUCTIF, Theme.INDUSTRIE_DU_FUTUR],
    "innovation": [Theme.INNOVATION],
    "export": [Theme.EXPORT],
    "ecological_transition": [
        Theme.TRANSITION_ECOLOGIQUE, Theme.DECARBONATION, Theme.ECOLOGIE_INDUSTRIELLE,
        Theme.CHALEUR_FATALE, Theme.DECHETS, Theme.HYDROGENE,
    ],
    "industry_of_the_future": [Theme.INDUSTRIE_DU_FUTUR, Theme.ROBOTIQUE],
    "other": [Theme.FONCIER],
}  # fmt: skip
THEMES_BY_PROJECT_KIND = {
    "productive_investment": [Theme.OUTIL_PRODUCTIF, Theme.INDUSTRIE_DU_FUTUR, Theme.ROBOTIQUE],
    "decarbonisation": [
        Theme.DECARBONATION, Theme.TRANSITION_ECOLOGIQUE, Theme.CHALEUR_FATALE,
        Theme.HYDROGENE, Theme.ECOLOGIE_INDUSTRIELLE,
    ],
    "innovation": [Theme.INNOVATION],
    "recruitment_training": [Theme.EMPLOI_COMPETENCES, Theme.COMPETENCES],
    "export": [Theme.EXPORT],
    "real_estate": [Theme.FONCIER],
    "transfer": [],
}  # fmt: skip


def _criteria(record, themes, label: str) -> matching.Criteria:
    facts = matching.facts_of(record.establishment)
    return matching.Criteria(facts, themes=frozenset(str(t) for t in themes), label=label)


def criteria_for_project(project) -> matching.Criteria:
    """A project of kind « reprise » has no theme: only its establishment is matched."""
    return _criteria(project, THEMES_BY_PROJECT_KIND.get(project.kind, []), str(project))


def criteria_for_need(need) -> matching.Criteria:
    return _criteria(need, THEMES_BY_NEED_THEME.get(need.theme, []), str(need))
