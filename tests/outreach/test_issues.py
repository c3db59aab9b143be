"""Issues: numbering, sections pre-filled from Pilote's data (French dates and figures),
edit with optimistic locking, draft ↔ ready, rendering, and the pages (404 for everyone but
the TI managers of the list's territory)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilote.core.locking import StaleEdit, version_of
from pilote.outreach import sections, services
from pilote.outreach.enums import IssueStatus, SectionKind
from pilote.outreach.models import Issue
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.applications.factories import accepted_of
from tests.outreach.factories import IssueFactory, MailingListFactory

TODAY = dt.date(2026, 3, 5)
OUTSIDERS = ["agent_e1", "partner", "admin", "manager_b", "nobody"]


@pytest.fixture
def mailing_list(world):
    return MailingListFactory(territory=world.territory_a)


@pytest.fixture
def manager(world):
    return world.users["manager"]


def _create(manager, mailing_list, title="Printemps de l'industrie", today=TODAY):
    return services.issue_create(
        acting_user=manager, mailing_list=mailing_list, title=title, today=today
    )


def test_issues_are_numbered_per_list_with_the_six_sections_in_order(world, manager, mailing_list):
    first = _create(manager, mailing_list)
    second = _create(manager, mailing_list)
    other = MailingListFactory(territory=world.territory_b)
    IssueFactory(mailing_list=other, number=7)
    assert (first.number, second.number) == (1, 2)
    assert [s.kind for s in second.sections.all()] == list(SectionKind)
    assert [s.title for s in second.sections.all()] == [k.label for k in SectionKind]
    assert _create(manager, mailing_list).number == 3


@pytest.mark.parametrize("who", ["agent_e1", "partner", "admin", "manager_b"])
def test_only_the_lists_ti_manager_writes_issues(world, mailing_list, who):
    user = world.users[who]
    with pytest.raises(PermissionDenied):
        _create(user, mailing_list)
    issue = IssueFactory(mailing_list=mailing_list)
    with pytest.raises(PermissionDenied):
        services.issue_update(acting_user=user, issue=issue, title="Non")
    with pytest.raises(PermissionDenied):
        services.issue_set_status(acting_user=user, issue=issue, status=IssueStatus.READY)


def test_calls_closing_in_the_next_six_weeks_are_prefilled_in_french(db):
    scheme = AidSchemeFactory(
        title="Industrie du futur",
        carriers=[{"nom": "Région Hauts-de-France", "siren": "", "roles": ["financeur"]}],
    )
    CallWindowFactory(scheme=scheme, label="", opens_on=TODAY - dt.timedelta(days=30),
                      closes_on=TODAY + dt.timedelta(days=14))  # fmt: skip
    waves = AidSchemeFactory(title="Rev3", carriers=[])
    CallWindowFactory(scheme=waves, label="Vague 2", opens_on=TODAY,
                      closes_on=TODAY + dt.timedelta(days=40))  # fmt: skip
    later = AidSchemeFactory(title="Trop tard")
    CallWindowFactory(scheme=later, opens_on=TODAY, closes_on=TODAY + dt.timedelta(weeks=7))
    closed = AidSchemeFactory(title="Déjà fermé")
    CallWindowFactory(scheme=closed, opens_on=TODAY - dt.timedelta(days=60),
                      closes_on=TODAY - dt.timedelta(days=1))  # fmt: skip
    body = sections.calls(TODAY)
    assert body == (
        "- **Industrie du futur** (Région Hauts-de-France) : clôture le 19 mars 2026\n"
        "- **Rev3 — Vague 2** : clôture le 14 avril 2026"
    )
    assert "/dispositifs/" not in body  # the scheme's page is internal
    assert sections.calls(TODAY + dt.timedelta(days=200)) == sections.NO_CALLS


def test_figures_are_territory_wide_with_french_numbers(world, manager, mailing_list):
    from decimal import Decimal

    accepted_of(world, decided_on=dt.date(2026, 3, 3), amount_granted=Decimal("1234567.40"))
    accepted_of(world, epci="e2", author="agent_e2", decided_on=dt.date(2026, 3, 4),
                amount_granted=Decimal("1000.00"))  # fmt: skip
    body = sections.figures(world.territory_a, TODAY)
    assert body.startswith("Depuis le début du programme, au 5 mars 2026 :")
    assert "- **2** dossiers d'aide acceptés" in body
    assert "- **2** entreprises lauréates" in body
    assert "- **1\xa0235\xa0567\xa0€** d'aides accordées" in body
    assert sections.figures(world.territory_b, TODAY) == ""


def test_prefill_fills_calls_events_and_figures_and_leaves_the_rest_to_the_team(
    manager, mailing_list
):
    issue = _create(manager, mailing_list)
    bodies = {s.kind: s.body for s in issue.sections.all()}
    assert bodies[SectionKind.EVENTS] == "Aucun événement programmé."
    assert bodies[SectionKind.CALLS] == sections.NO_CALLS
    assert bodies[SectionKind.EDITO] == bodies[SectionKind.PORTRAIT] == ""
    assert bodies[SectionKind.EPCI_NEWS] == ""


def test_event_sources_fill_the_agenda(manager, mailing_list, monkeypatch):
    monkeypatch.setattr(
        sections, "event_sources", [lambda issue, today: ["- **12 mars** : atelier"]]
    )
    issue = _create(manager, mailing_list)
    assert issue.sections.get(kind=SectionKind.EVENTS).body == "- **12 mars** : atelier"


def test_update_edits_sections_with_optimistic_locking(manager, mailing_list):
    issue = _create(manager, mailing_list)
    read_at = version_of(issue)
    services.issue_update(
        acting_user=manager, issue=issue, version=read_at, title="Nouveau titre",
        sections={SectionKind.EDITO: {"title": "Le mot du président",
                                       "body": "Bonjour **à tous**"}},
    )  # fmt: skip
    edito = issue.sections.get(kind=SectionKind.EDITO)
    assert (edito.title, edito.body) == ("Le mot du président", "Bonjour **à tous**")
    with pytest.raises(StaleEdit):
        services.issue_update(acting_user=manager, issue=issue, version=read_at, title="Vieux")
    assert Issue.objects.get().title == "Nouveau titre"


def test_status_goes_draft_ready_and_back_only(manager, mailing_list):
    issue = _create(manager, mailing_list)
    services.issue_set_status(acting_user=manager, issue=issue, status=IssueStatus.READY)
    assert Issue.objects.get().status == IssueStatus.READY
    services.issue_set_status(acting_user=manager, issue=issue, status=IssueStatus.DRAFT)
    for status in (IssueStatus.SENDING, IssueStatus.SENT, IssueStatus.DRAFT):
        with pytest.raises(ValidationError):
            services.issue_set_status(acting_user=manager, issue=issue, status=status)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
    with pytest.raises(ValidationError):
        services.issue_update(acting_user=manager, issue=issue, title="Trop tard")
    with pytest.raises(ValidationError):
        services.issue_set_status(acting_user=manager, issue=issue, status=IssueStatus.DRAFT)


def test_render_shows_the_written_sections_sanitised(mailing_list):
    issue = IssueFactory(mailing_list=mailing_list, title="Été")
    issue.sections.filter(kind=SectionKind.PORTRAIT).update(body="")
    issue.sections.filter(kind=SectionKind.EDITO).update(
        body="Bonjour <script>alert(1)</script> **tous**"
    )
    html = services.issue_render(issue)
    assert "<h1>Été</h1>" in html
    assert "<strong>tous</strong>" in html
    assert "<script>" not in html
    assert "Portrait d&#x27;entreprise" not in html
    assert "Portrait d'entreprise" not in html
    assert "<table>" in html  # the figures' Markdown table


def test_the_web_version_url_is_public_by_secret_key(mailing_list):
    issue = IssueFactory(mailing_list=mailing_list)
    assert issue.get_web_url() == f"/lettre/en-ligne/{issue.web_key}/"
    assert len(issue.web_key) >= 20


# --- Pages ------------------------------------------------------------------------------------


def _pages(issue):
    return [
        reverse("outreach:issues"),
        reverse("outreach:issue_create"),
        reverse("outreach:issue", args=[issue.pk]),
        reverse("outreach:issue_edit", args=[issue.pk]),
        reverse("outreach:issue_preview", args=[issue.pk]),
    ]


def test_the_manager_creates_edits_previews_and_readies_an_issue(world, login, mailing_list):
    client = login(world.users["manager"])
    assert client.get(reverse("outreach:issues")).status_code == 200
    response = client.post(reverse("outreach:issue_create"), {"title": "Lettre de mars"})
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response.url == issue.get_absolute_url()
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "Lettre de mars" in page
    assert issue.get_web_url() in page
    edit = client.get(reverse("outreach:issue_edit", args=[issue.pk]))
    form = edit.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["edito_body"] = "Un **édito** de printemps."
    response = client.post(reverse("outreach:issue_edit", args=[issue.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    preview = client.get(reverse("outreach:issue_preview", args=[issue.pk])).content.decode()
    assert "<strong>édito</strong>" in preview
    # A stale edit is refused, nothing overwritten.
    data["edito_body"] = "Écrasé"
    response = client.post(reverse("outreach:issue_edit", args=[issue.pk]), data)
    assert response.status_code == 400
    assert "a été modifiée" in response.content.decode()
    issue.refresh_from_db()
    response = client.post(
        reverse("outreach:issue_status", args=[issue.pk]),
        {"status": "ready", "version": version_of(issue)},
    )
    assert response.status_code == 302
    assert Issue.objects.get().status == IssueStatus.READY
    assert "Prête à envoyer" in client.get(reverse("outreach:issues")).content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404(world, login, mailing_list, who):
    issue = IssueFactory(mailing_list=mailing_list, title="Confidentiel")
    client = login(world.users[who])
    for i, url in enumerate(_pages(issue)):
        response = client.get(url)
        expected = 200 if who == "manager_b" and i < 2 else 404
        assert response.status_code == expected, (who, url)
        assert b"Confidentiel" not in response.content
    response = client.post(reverse("outreach:issue_status", args=[issue.pk]), {"status": "ready"})
    assert response.status_code == 404
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


def test_a_sent_issue_is_not_editable_from_its_page(world, login, mailing_list):
    issue = IssueFactory(mailing_list=mailing_list, status=IssueStatus.SENT)
    client = login(world.users["manager"])
    response = client.get(reverse("outreach:issue_edit", args=[issue.pk]))
    assert response.status_code == 302
    assert response.url == issue.get_absolute_url()
