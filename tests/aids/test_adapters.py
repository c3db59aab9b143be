"""Matching for a company project or a need: the establishment's facts plus its themes."""

import pytest
from django.urls import reverse

from pilote.aids import adapters, matching
from pilote.core.enums import Visibility
from tests.accompaniment.factories import NeedFactory, ProjectFactory, written_by
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _schemes():
    for title, themes in [
        ("Décarbonation", ["decarbonation"]),
        ("Compétences", ["competences"]),
        ("Sans thème", []),
    ]:
        CallWindowFactory(scheme=AidSchemeFactory(title=title, themes=themes))


def test_a_decarbonisation_project_is_matched_to_decarbonisation_schemes(world, login):
    _schemes()
    project = ProjectFactory(
        establishment=EstablishmentFactory(epci=world.epcis["e1"]),
        **written_by(world, "agent_e1"),
    )
    result = matching.explain(matching.load_rules(), adapters.criteria_for_project(project))
    assert [m.rule.title for m in result.eligible] == ["Décarbonation", "Sans thème"]
    assert [str(v) for v in result.eligible[1].to_check] == [
        "Thème : thèmes du dispositif non renseignés (à vérifier)"
    ]
    text = login(world.users["agent_e1"]).get(reverse("aids:project_match", args=[project.pk]))
    assert "Thème : décarbonation" in text.content.decode()


def test_a_recruitment_need_is_matched_to_skills_schemes(world, login):
    _schemes()
    need = NeedFactory(
        establishment=EstablishmentFactory(epci=world.epcis["e1"]),
        **written_by(world, "agent_e1"),
    )
    result = matching.explain(matching.load_rules(), adapters.criteria_for_need(need))
    assert [m.rule.title for m in result.eligible] == ["Compétences", "Sans thème"]


def test_another_epcis_project_answers_404(world, login):
    project = ProjectFactory(
        establishment=EstablishmentFactory(epci=world.epcis["e1"]),
        visibility=Visibility.EPCI,
        **written_by(world, "agent_e1"),
    )
    url = reverse("aids:project_match", args=[project.pk])
    assert login(world.users["agent_e2"]).get(url).status_code == 404
