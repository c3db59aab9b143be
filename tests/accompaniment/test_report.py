"""The meeting report PDF: company and internal versions, French formats, 404 for whoever
may not see the interaction."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from pilote.accompaniment import report
from pilote.accompaniment.enums import Partner, ReferralOutcome
from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    answer_to,
    meeting_of,
    site_of,
    written_by,
)
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    m = meeting_of(
        world, "e1", "agent_e1", occurred_on=dt.date(2026, 11, 30),
        summary="Dirigeant réservé sur la reprise : à surveiller (note de l'équipe).",
        company_summary="Merci pour la visite de l'atelier de **trempe**.",
        establishment=site_of(world, "e1", company=CompanyFactory(name="Verrerie Wattiez")),
    )  # fmt: skip
    answer_to(m, "zones_export", text="Belgique et Allemagne")
    common = {"establishment": m.establishment, "interaction": m, **written_by(world, "agent_e1")}
    NeedFactory(description="Recruter six soudeurs TIG", **common)
    ProjectFactory(title="Four électrique", investment_amount=Decimal("10833.33"), **common)
    DiagnosticFactory(operator="CETIM", note="Remarque interne sur le diagnostic", **common)
    ReferralFactory(
        partner=Partner.BPIFRANCE, subject="Prêt vert", outcome=ReferralOutcome.IN_CONTACT,
        outcome_note="Commentaire interne sur la suite", **common,
    )  # fmt: skip
    ActionFactory(
        title="Envoyer le cahier des charges", due_date=dt.date(2026, 12, 15),
        description="Précision interne sur l'action", **common,
    )  # fmt: skip
    NeedFactory(description="Besoin privé de l'agglo", visibility=Visibility.PRIVATE, **common)
    return m


def _squash(text: str) -> str:
    """Without spaces: a line break in the PDF drops the space it falls on."""
    return "".join(text.split())


def _pdf(client, meeting, version):
    response = client.get(reverse("accompaniment:report", args=[meeting.pk, version]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    return response, text + "\n" + _squash(text)


def test_the_company_version_leaves_internal_notes_out(world, login, meeting):
    response, text = _pdf(login(world.users["agent_e1"]), meeting, "entreprise")

    assert "attachment;" in response["Content-Disposition"]
    assert (
        f"compte-rendu-{meeting.establishment.siret}-2026-11-30-entreprise.pdf"
        in (response["Content-Disposition"])
    )
    for shown in ("Verrerie Wattiez", "30/11/2026", "Belgique et Allemagne",
                  "Synthèse de notre échange", "Merci pour la visite de l'atelier de trempe",
                  "Recruter six soudeurs TIG", "Four électrique", "10\xa0833,33\xa0€", "CETIM",
                  "Prêt vert", "Envoyer le cahier des charges", "15/12/2026"):  # fmt: skip
        assert _squash(shown) in text, shown
    assert "10\xa0833,33\xa0€" in text  # French grouping, non-breaking spaces
    internals = ["Dirigeant réservé", "Remarque interne", "Commentaire interne"]
    internals += ["Précision interne", "Besoin privé", "Temps passé", "Document interne"]
    for internal in internals:
        assert _squash(internal) not in text, internal


def test_the_internal_version_has_everything_the_reader_may_see(world, login, meeting):
    _, text = _pdf(login(world.users["agent_e1"]), meeting, "interne")
    for shown in ("Document interne", "Dirigeant réservé", "Remarque interne sur le diagnostic",
                  "Message pour l'entreprise", "Merci pour la visite de l'atelier de trempe",
                  "Commentaire interne sur la suite", "Précision interne", "Besoin privé",
                  "10\xa0833,33\xa0€", "Temps passé"):  # fmt: skip
        assert _squash(shown) in text, shown


def test_records_the_reader_may_not_see_are_in_neither_version(world, login, meeting):
    meeting.visibility = Visibility.TERRITORY
    meeting.save()
    client = login(world.users["agent_e2"])  # sees the meeting, not e1's EPCI-only records
    for version in ("entreprise", "interne"):
        _, text = _pdf(client, meeting, version)
        assert "Verrerie Wattiez" in text
        assert "Recruter six soudeurs" not in text
        assert "Four électrique" not in text
        assert "Besoin privé" not in text


@pytest.mark.parametrize("actor", ["agent_e2", "partner", "admin", "manager_b", "nobody"])
def test_it_is_404_for_whoever_may_not_see_the_interaction(world, login, meeting, actor):
    client = login(world.users[actor])
    for version in ("entreprise", "interne"):
        url = reverse("accompaniment:report", args=[meeting.pk, version])
        assert client.get(url).status_code == 404


def test_an_unknown_version_is_404(world, login, meeting):
    client = login(world.users["manager"])
    assert client.get(reverse("accompaniment:report", args=[meeting.pk, "tout"])).status_code == 404


def test_an_empty_exchange_still_gives_a_report_that_says_so(world, login):
    m = meeting_of(world, "e1", "agent_e1", guide_version=None, summary="")
    _, text = _pdf(login(world.users["manager"]), m, "entreprise")
    assert "Aucun besoin enregistré" in text
    assert "Aucune action de suivi" in text


def test_the_renderer_loads_nothing_but_its_fonts():
    fetch = report._url_fetcher({"file:///allowed.woff"})
    with pytest.raises(ValueError, match="Ressource refusée"):
        fetch.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="Ressource refusée"):
        fetch.fetch("http://169.254.169.254/latest/meta-data/")


def test_the_message_for_the_company_is_written_on_the_interaction_page(world, login):
    m = meeting_of(world, "e1", "agent_e1", summary="Note de l'équipe", company_summary="")
    client = login(world.users["agent_e1"])
    url = reverse("accompaniment:interaction_edit", args=[m.pk])
    form = client.get(url).content.decode()
    assert 'name="company_summary"' in form
    data = {
        "kind": m.kind, "occurred_on": "30/11/2026", "summary": "Note de l'équipe",
        "company_summary": "Rendez-vous pris avec **Bpifrance**.", "time_spent_minutes": "90",
        "visibility": m.visibility, "version": version_of(m),
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    m.refresh_from_db()
    assert m.company_summary == "Rendez-vous pris avec **Bpifrance**."
    page = client.get(m.get_absolute_url()).content.decode()
    assert "Rendez-vous pris avec <strong>Bpifrance</strong>." in page
    _, text = _pdf(client, m, "entreprise")
    assert _squash("Rendez-vous pris avec Bpifrance.") in text
    assert _squash("Note de l'équipe") not in text
