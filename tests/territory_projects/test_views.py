"""The territory projects' pages (docs/territory-projects.md): list, export, forms, the
project's page with its carriers, votes, milestones' timeline and documents, per role."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pilote.core.models import AuditEvent
from pilote.territory_projects import services, views
from pilote.territory_projects.enums import CarrierRole, Phase, Status
from pilote.territory_projects.models import (
    Carrier,
    CouncilVote,
    Milestone,
    ProjectDocument,
    TerritoryProject,
)
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.html_forms import parse
from tests.territory_projects.factories import make_project
from tests.territory_projects.test_access import third_epci_agent

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def euros(text: str) -> str:
    """« 50 000,00 € » as the pages write it (non-breaking spaces)."""
    return text.replace(" ", NBSP)


def _form(client, url: str, action: str | None = None):
    """The POST form at `url` (the one posting to `action`, else to the page itself)."""
    page = parse(client.get(url).content.decode())
    forms = [f for f in page.forms if f.method.lower() == "post"]
    return next(f for f in forms if f.action in ({"", url} if action is None else {action}))


def _create_data(world, **overrides) -> dict:
    data = {
        "title": "Boucle de chaleur fatale",
        "summary": "Récupérer la chaleur des fours pour le réseau urbain.",
        "theme": "eit",
        "phase": Phase.STUDY,
        "status": Status.ONGOING,
        "starts_on": "01/02/2026",
        "ends_on": "31/12/2028",
        "budget": "120 000",
        "visibility": "chosen",
        "epci": world.epcis["e1"].pk,
        "partners": [world.epcis["e2"].pk],
        "shared_with": [],
        "split": "egal",
        "sirets": "",
    }
    data.update(overrides)
    return data


# --- Create, with explicit shares ------------------------------------------------------------


def test_the_manager_creates_a_project_with_two_partners_and_explicit_shares(world, login):
    e4, agent_e4 = third_epci_agent(world)
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    site = EstablishmentFactory(epci=e2, company=CompanyFactory(name="Fonderie du Val"))
    client = login(world.users["manager"])
    assert client.get(reverse("territory_projects:create")).status_code == 200
    data = _create_data(
        world,
        partners=[e2.pk, e4.pk],
        split="montants",
        **{f"part_{e1.pk}": "50 000", f"part_{e2.pk}": "40 000,50", f"part_{e4.pk}": "29 999,50"},
        sirets=f"{site.siret}\n",
    )
    response = client.post(reverse("territory_projects:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = TerritoryProject.objects.get()
    assert response["Location"] == project.get_absolute_url()
    assert project.budget == Decimal("120000.00")
    shares = {c.epci_id: (c.role, c.share) for c in project.carriers.all()}
    assert shares == {
        e1.pk: (CarrierRole.LEAD, Decimal("50000.00")),
        e2.pk: (CarrierRole.PARTNER, Decimal("40000.50")),
        e4.pk: (CarrierRole.PARTNER, Decimal("29999.50")),
    }
    assert set(project.shares.values_list("epci_id", flat=True)) == {e1.pk, e2.pk, e4.pk}
    assert list(project.establishments.all()) == [site]
    assert AuditEvent.objects.filter(action="territory_project.create").count() == 1

    page = client.get(project.get_absolute_url()).content.decode()
    for amount in ("50 000,00 €", "40 000,50 €", "29 999,50 €", "120 000,00 €"):
        assert euros(amount) in page
    assert "Fonderie du Val" in page or site.display_name in page
    assert site.get_absolute_url() in page
    # Shared with its carriers: the agent of the fourth EPCI reads it.
    assert login(agent_e4).get(project.get_absolute_url()).status_code == 200


def test_equal_parts_split_the_budget_to_the_cent(world, login):
    client = login(world.users["manager"])
    response = client.post(
        reverse("territory_projects:create"), _create_data(world, budget="100 000,01")
    )
    assert response.status_code == 302
    shares = sorted(Carrier.objects.values_list("share", flat=True))
    assert shares == [Decimal("50000.00"), Decimal("50000.01")]


def test_shares_not_summing_to_the_budget_are_refused_on_the_form(world, login):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    client = login(world.users["manager"])
    data = _create_data(
        world, split="montants", **{f"part_{e1.pk}": "60 000", f"part_{e2.pk}": "59 999,99"}
    )
    response = client.post(reverse("territory_projects:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    total, budget = euros("119 999,99 €"), euros("120 000,00 €")
    assert f"Les parts des EPCI totalisent {total} pour un budget de {budget}" in page
    assert "au centime près" in page
    assert not TerritoryProject.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="territory_project").exists()


def test_unknown_or_outside_sirets_are_refused(world, login):
    outside = EstablishmentFactory(epci=world.epcis["e3"])
    client = login(world.users["manager"])
    response = client.post(
        reverse("territory_projects:create"),
        _create_data(world, sirets=f"123\n{outside.siret}"),
    )
    assert response.status_code == 400
    assert "Un SIRET compte 14 chiffres : 123." in response.content.decode()
    response = client.post(
        reverse("territory_projects:create"), _create_data(world, sirets=outside.siret)
    )
    assert response.status_code == 400
    assert "Aucun établissement du territoire n" in response.content.decode()
    assert not TerritoryProject.objects.exists()


def test_an_agent_may_lead_only_from_their_own_epci(world, login):
    client = login(world.users["agent_e1"])
    form = parse(client.get(reverse("territory_projects:create")).content.decode()).forms[-1]
    leads = next(c for c in form.controls if c.name == "epci")
    assert [v for v, _ in leads.options] == [world.epcis["e1"].pk]
    response = client.post(
        reverse("territory_projects:create"), _create_data(world, epci=world.epcis["e2"].pk)
    )
    assert response.status_code == 400
    assert not TerritoryProject.objects.exists()


def test_a_partner_sees_no_new_project_button_and_may_not_create(world, login):
    client = login(world.users["partner"])
    page = client.get(reverse("territory_projects:list")).content.decode()
    assert "Nouveau projet" not in page
    assert "Aucun projet de territoire pour l" in page  # the empty state explains
    assert client.get(reverse("territory_projects:create")).status_code == 403


# --- Edit: optimistic locking; the reader of a chosen EPCI ----------------------------------


def test_a_stale_edit_is_refused_and_overwrites_nothing(world, login):
    project = make_project(world, epci="e1", title="Friche des Aulnes")
    client = login(world.users["manager"])
    url = reverse("territory_projects:edit", args=[project.pk])
    data = _form(client, url).data()
    services.project_update(
        acting_user=world.users["agent_e1"], project=project, title="Friche des Aulnes (v2)"
    )
    data = [(k, "Friche des Aulnes (mienne)" if k == "title" else v) for k, v in data]
    response = client.post(url, _as_dict(data))
    assert response.status_code == 400
    page = response.content.decode()
    assert "après que vous l&#x27;avez ouverte" in page
    assert "Valeur enregistrée : « Friche des Aulnes (v2) »" in page
    project.refresh_from_db()
    assert project.title == "Friche des Aulnes (v2)"
    # Submitting again, having seen it, is a deliberate choice: it saves.
    again = parse(page).forms
    data = next(f for f in again if f.method.lower() == "post" and f.action in ("", url)).data()
    assert client.post(url, _as_dict(data)).status_code == 302
    project.refresh_from_db()
    assert project.title == "Friche des Aulnes (mienne)"


def _as_dict(pairs) -> dict:
    data: dict = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def test_an_edit_keeps_the_explicit_shares_and_changes_them(world, login):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    project = make_project(world, epci="e1", partners=["e2"], budget="1000.00")
    services.project_update(
        acting_user=world.users["manager"], project=project,
        shares={e1: Decimal("700"), e2: Decimal("300")},
    )  # fmt: skip
    client = login(world.users["manager"])
    url = reverse("territory_projects:edit", args=[project.pk])
    data = _as_dict(_form(client, url).data())
    assert data["split"] == ["montants"]
    data[f"part_{e1.pk}"] = ["600"]
    data[f"part_{e2.pk}"] = ["400"]
    assert client.post(url, data).status_code == 302
    assert dict(project.carriers.values_list("epci_id", "share")) == {
        e1.pk: Decimal("600.00"),
        e2.pk: Decimal("400.00"),
    }


def test_the_agent_of_a_chosen_partner_epci_reads_cannot_edit_but_records_its_vote(world, login):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    project = make_project(world, epci="e1", partners=["e2"], shared_with=["e2"])
    client = login(world.users["agent_e2"])
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert "Modifier</a>" not in page.content.decode()
    for name in ("edit", "delete"):
        assert (
            client.get(reverse(f"territory_projects:{name}", args=[project.pk])).status_code == 403
        )
    before = project.milestones.count()
    response = client.post(
        reverse("territory_projects:milestone_add", args=[project.pk]),
        {"jalon-title": "Lancement", "jalon-due_on": "01/03/2027"},
    )
    assert response.status_code == 403
    assert project.milestones.count() == before
    # Its own council's vote: yes; the lead's: no (not among the choices).
    vote_url = reverse("territory_projects:vote_add", args=[project.pk])
    vote = {"voted_on": "10/11/2026", "outcome": "adopte"}
    refused = client.post(vote_url, {**vote, "epci": e1.pk, "deliberation_number": "D-1"})
    assert refused.status_code == 400
    response = client.post(vote_url, {**vote, "epci": e2.pk, "deliberation_number": "2026-118"})
    assert response.status_code == 302
    vote = CouncilVote.objects.get()
    assert (vote.epci_id, vote.deliberation_number, vote.voted_on) == (
        e2.pk, "2026-118", dt.date(2026, 11, 10),
    )  # fmt: skip
    page = client.get(project.get_absolute_url()).content.decode()
    assert "2026-118" in page
    assert "10/11/2026" in page
    assert "Adoptée" in page
    # It deletes its own vote, not the lead's.
    lead_vote = services.vote_record(acting_user=world.users["agent_e1"], project=project,
                                     epci=e1, voted_on=dt.date(2026, 11, 12),
                                     deliberation_number="C-7", outcome="adopte")  # fmt: skip
    delete = "territory_projects:vote_delete"
    assert client.post(reverse(delete, args=[project.pk, lead_vote.pk])).status_code == 403
    assert client.post(reverse(delete, args=[project.pk, vote.pk])).status_code == 302
    assert list(CouncilVote.objects.all()) == [lead_vote]


def test_a_third_epcis_agent_gets_404_everywhere(world, login):
    _, agent_e4 = third_epci_agent(world)
    project = make_project(world, epci="e1", shared_with=["e2"])
    client = login(agent_e4)
    for name in ("detail", "edit", "delete"):
        url = reverse(f"territory_projects:{name}", args=[project.pk])
        assert client.get(url).status_code == 404
    page = client.get(reverse("territory_projects:list")).content.decode()
    assert project.title not in page


# --- Documents -------------------------------------------------------------------------------


def test_a_document_is_uploaded_downloaded_by_readers_only_and_deleted(world, login):
    project = make_project(world, epci="e1", shared_with=["e2"])
    client = login(world.users["manager"])
    upload = SimpleUploadedFile("compte-rendu.txt", b"Comite de pilotage du 3 mars")
    response = client.post(
        reverse("territory_projects:document_add", args=[project.pk]), {"upload": upload}
    )
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    url = reverse("territory_projects:document_download", args=[project.pk, document.pk])
    assert url in client.get(project.get_absolute_url()).content.decode()
    for actor in ("manager", "agent_e2"):
        response = login(world.users[actor]).get(url)
        assert response.status_code == 200
        assert response.content == b"Comite de pilotage du 3 mars"
        assert "attachment" in response["Content-Disposition"]
    for actor in ("agent_e3", "partner"):
        assert login(world.users[actor]).get(url).status_code == 404
    # Another project's address does not reach it.
    other = make_project(world, epci="e1", title="Autre")
    wrong = reverse("territory_projects:document_download", args=[other.pk, document.pk])
    assert login(world.users["manager"]).get(wrong).status_code == 404
    client = login(world.users["manager"])
    delete = reverse("territory_projects:document_delete", args=[project.pk, document.pk])
    assert client.post(delete).status_code == 302
    assert not ProjectDocument.objects.exists()


@override_settings(PILOTE_DOCUMENT_MAX_BYTES=1024)
def test_a_document_over_the_size_limit_is_refused(world, login):
    project = make_project(world, epci="e1")
    client = login(world.users["manager"])
    upload = SimpleUploadedFile("gros.txt", b"x" * 2048)
    response = client.post(
        reverse("territory_projects:document_add", args=[project.pk]), {"upload": upload}
    )
    assert response.status_code == 400
    assert "la limite est de 1,0" in response.content.decode()
    assert not ProjectDocument.objects.exists()


# --- Milestones' timeline --------------------------------------------------------------------


def test_the_timeline_orders_milestones_by_date_with_states_and_today(world, login):
    project = make_project(world, epci="e1")
    today = timezone.localdate()
    manager = world.users["manager"]

    def add(title, days, done_days=None):
        return services.milestone_add(
            acting_user=manager, project=project, title=title,
            due_on=today + dt.timedelta(days=days),
            done_on=None if done_days is None else today + dt.timedelta(days=done_days),
        )  # fmt: skip

    add("Jalon futur", 40)
    add("Jalon en retard", -10)
    add("Jalon atteint", -30, done_days=-31)
    add("Jalon proche", 5)
    page = login(manager).get(project.get_absolute_url()).content.decode()
    positions = [
        page.index(text)
        for text in (
            "pilote-milestones__item--done",
            "Jalon atteint",
            "pilote-milestones__item--late",
            "Jalon en retard",
            "pilote-milestones__today",
            "pilote-milestones__item--upcoming",
            "Jalon proche",
            "Jalon futur",
        )
    ]
    assert positions == sorted(positions)
    assert page.count("pilote-milestones__item--upcoming") == 2
    assert f"Aujourd'hui, {today:%d/%m/%Y}" in page
    assert 'style="' not in page[page.index("pilote-milestones") :]  # classes only (CSP)


def test_timeline_states_unit(world):
    today = dt.date(2026, 6, 15)
    items = [
        Milestone(pk=1, title="a", due_on=dt.date(2026, 6, 15)),
        Milestone(pk=2, title="b", due_on=dt.date(2026, 6, 1), done_on=dt.date(2026, 6, 2)),
        Milestone(pk=3, title="c", due_on=dt.date(2026, 7, 1)),
    ]
    entries = views.timeline(items, today)
    shape = [e.get("state") or "today" for e in entries]
    assert shape == ["done", "upcoming", "today", "upcoming"]
    assert views.timeline([], today) == []


def test_milestones_are_added_edited_marked_done_and_deleted(world, login):
    project = make_project(world, epci="e1")
    client = login(world.users["agent_e1"])
    response = client.post(
        reverse("territory_projects:milestone_add", args=[project.pk]),
        {"jalon-title": "Délibérations des trois EPCI", "jalon-due_on": "15/01/2027"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    url = reverse("territory_projects:milestone_edit", args=[project.pk, milestone.pk])
    data = _as_dict(_form(client, url).data())
    data["title"] = ["Délibérations des EPCI porteurs"]
    assert client.post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.title == "Délibérations des EPCI porteurs"
    assert milestone.due_on == dt.date(2027, 1, 15)
    assert client.post(url, {"atteint": "1"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    delete = reverse("territory_projects:milestone_delete", args=[project.pk, milestone.pk])
    assert client.post(delete).status_code == 302
    assert not Milestone.objects.exists()


# --- The list and its export -----------------------------------------------------------------


def test_the_list_filters_sorts_and_paginates(world, login, monkeypatch):
    make_project(world, epci="e1", title="Hydrogène vallée", budget="300000", phase=Phase.STUDY)
    make_project(world, epci="e2", author="agent_e2", title="Friche Sud", budget="50000",
                 visibility="territory")  # fmt: skip
    make_project(world, epci="e1", title="Rev3 industrie", budget="900000",
                 status=Status.DONE)  # fmt: skip
    client = login(world.users["manager"])
    url = reverse("territory_projects:list")
    page = client.get(url, {"tri": "-budget"}).content.decode()
    assert page.index("Rev3 industrie") < page.index("Hydrogène vallée") < page.index("Friche Sud")
    assert 'aria-sort="descending"' in page
    page = client.get(url, {"phase": Phase.STUDY}).content.decode()
    assert "Hydrogène vallée" in page
    assert "Friche Sud" not in page
    page = client.get(url, {"status": "ouverts"}).content.decode()
    assert "Rev3 industrie" not in page
    page = client.get(url, {"epci": world.epcis["e2"].pk}).content.decode()
    assert "Friche Sud" in page
    assert "Hydrogène vallée" not in page
    page = client.get(url, {"q": "friche"}).content.decode()
    assert "Friche Sud" in page
    assert "Rev3 industrie" not in page
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    page = client.get(url).content.decode()
    assert 'aria-label="Pagination"' in page
    assert "?page=2" in page
    assert "Rev3 industrie" not in page  # the third by title is on page 2
    assert "Rev3 industrie" in client.get(url, {"page": 2}).content.decode()


def test_the_export_holds_the_lists_rows(world, login):
    e1, e2 = world.epcis["e1"], world.epcis["e2"]
    site = EstablishmentFactory(epci=e1, own_name="Aciérie du Nord")
    project = make_project(world, epci="e1", title="Boucle vapeur", partners=["e2"],
                           budget="1000.01", establishments=[site])  # fmt: skip
    services.milestone_add(acting_user=world.users["manager"], project=project,
                           title="Étude de faisabilité", due_on=dt.date(2027, 3, 1))  # fmt: skip
    make_project(world, epci="e1", title="Autre chose", phase=Phase.OPERATION)
    client = login(world.users["agent_e2"])
    response = client.get(reverse("territory_projects:export"), {"phase": Phase.IDEA})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("N°", "Intitulé", "Description")
    assert len(rows) == 2  # the filter holds: only the idea
    row = dict(zip(header, rows[1], strict=True))
    assert row["Intitulé"] == "Boucle vapeur"
    assert row["EPCI chef de file"] == e1.name
    assert row["Budget (€)"] == pytest.approx(1000.01)
    assert row["EPCI porteurs et parts"] == (
        f"{e1.name} : {euros('500,01 €')}\n{e2.name} : {euros('500,00 €')}"
    ) or row["EPCI porteurs et parts"] == (
        f"{e2.name} : {euros('500,00 €')}\n{e1.name} : {euros('500,01 €')}"
    )
    assert set(row["Partagé avec"].split(", ")) == {e1.name, e2.name}
    assert row["Prochain jalon"] == "Étude de faisabilité"
    assert row["Échéance du prochain jalon"].date() == dt.date(2027, 3, 1)
    assert row["Établissements concernés"] == site.display_name
    assert row["Phase"] == "Idée"


# --- Reading never writes; the menu ----------------------------------------------------------


def _counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (AuditEvent, TerritoryProject, Carrier, CouncilVote, Milestone,
                      ProjectDocument)
    )  # fmt: skip


def test_get_never_writes(world, login):
    project = make_project(world, epci="e1", partners=["e2"])
    manager = world.users["manager"]
    milestone = services.milestone_add(acting_user=manager, project=project, title="Lancement",
                                       due_on=dt.date(2027, 1, 1))  # fmt: skip
    vote = services.vote_record(acting_user=manager, project=project, epci=world.epcis["e1"],
                                voted_on=dt.date(2026, 10, 1))  # fmt: skip
    document = services.document_add(acting_user=manager, project=project,
                                     upload=SimpleUploadedFile("a.txt", b"texte"))  # fmt: skip
    stamp = TerritoryProject.objects.get(pk=project.pk).updated_at
    before = _counts()
    client = login(manager)
    urls = [
        reverse("territory_projects:list"),
        reverse("territory_projects:export"),
        reverse("territory_projects:create"),
        reverse("territory_projects:detail", args=[project.pk]),
        reverse("territory_projects:edit", args=[project.pk]),
        reverse("territory_projects:delete", args=[project.pk]),
        reverse("territory_projects:milestone_edit", args=[project.pk, milestone.pk]),
        reverse("territory_projects:document_download", args=[project.pk, document.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    for url in (
        reverse("territory_projects:vote_add", args=[project.pk]),
        reverse("territory_projects:vote_delete", args=[project.pk, vote.pk]),
        reverse("territory_projects:milestone_add", args=[project.pk]),
        reverse("territory_projects:milestone_delete", args=[project.pk, milestone.pk]),
        reverse("territory_projects:document_add", args=[project.pk]),
        reverse("territory_projects:document_delete", args=[project.pk, document.pk]),
    ):
        assert client.get(url).status_code == 405, url
    assert _counts() == before
    assert TerritoryProject.objects.get(pk=project.pk).updated_at == stamp


def test_the_programme_menu_links_the_territory_projects(world, login):
    page = login(world.users["agent_e1"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("territory_projects:list")}"' in page
    assert "Projets de territoire" in page
