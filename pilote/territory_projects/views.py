"""Territory projects' pages (docs/territory-projects.md): the list (filters, sort, XLSX),
the project's page (carriers and shares, sharing, council votes, the milestones' timeline,
establishments, calls and applications, documents), its forms.

Every page reads through the access layer: 404 for a project one may not see, 403 for one
seen but not editable; every write goes through `services`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.applications.models import Application
from pilote.core.enums import CHOSEN
from pilote.core.htmx import apply_sort, render_list, requested_sort
from pilote.core.locking import StaleEdit
from pilote.core.spreadsheet import AMOUNT, DATE, INTEGER, Column, xlsx_response
from pilote.core.templatetags.pilote import euros
from pilote.territories.models import Epci
from pilote.territory_projects import forms, services
from pilote.territory_projects.enums import Phase, Status
from pilote.territory_projects.models import (
    CouncilVote,
    Milestone,
    ProjectDocument,
    TerritoryProject,
)

PAGE_SIZE = 25

# Service errors by the name of the form field that shows them.
ERROR_FIELDS = {"establishments": "sirets", "shares": "split"}


def _form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form's fields (`ERROR_FIELDS`), else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = ERROR_FIELDS.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _project(request: HttpRequest, pk: int, *, editable: bool = False) -> TerritoryProject:
    fetch = access.get_editable_or_404 if editable else get_visible_or_404
    return fetch(
        TerritoryProject.objects.select_related(
            "epci", "territory", "author", "author_organisation"
        ),
        request.user,
        pk=pk,
    )


# --- The list and its export -----------------------------------------------------------------


def _rank(field: str, choices) -> Case:
    """The schema's order of a choice (Idée, Étude, Opération), not the alphabet's."""
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, (value, _) in enumerate(choices)),
        output_field=IntegerField(),
    )


def _filtered(request: HttpRequest):
    form = forms.ProjectFilterForm(request.GET or None, territory=request.territory)
    rows = TerritoryProject.objects.visible_to(request.user)
    rows = rows.filter(territory=request.territory) if request.territory else rows.none()
    upcoming = Milestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True).order_by(
        "due_on", "pk"
    )
    rows = (
        form.filter(rows)
        .select_related("epci")
        .annotate(
            next_due=Subquery(upcoming.values("due_on")[:1]),
            next_title=Subquery(upcoming.values("title")[:1]),
            phase_rank=_rank("phase", Phase.choices),
            status_rank=_rank("status", Status.choices),
        )
    )
    return form, rows


SORTS = {
    "titre": ("title",),
    "chef": ("epci__name",),
    "phase": ("phase_rank",),
    "statut": ("status_rank",),
    "budget": ("budget",),
    "jalon": ("next_due",),
}


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    total = rows.order_by().aggregate(total=Sum("budget"))["total"]
    return render_list(
        request,
        rows,
        template="territory_projects/list.html",
        results="territory_projects/_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="titre",
        form=form,
        total=total,
        can_create=request.territory is not None and access.can_write_on(request.user),
        today=timezone.localdate(),
    )


EXPORT_COLUMNS = [
    Column("N°", INTEGER),
    Column("Intitulé"),
    Column("Description"),
    Column("Thématique"),
    Column("Phase"),
    Column("Statut"),
    Column("EPCI chef de file"),
    Column("EPCI porteurs et parts"),
    Column("Partagé avec"),
    Column("Budget (€)", AMOUNT),
    Column("Début", DATE),
    Column("Fin prévue", DATE),
    Column("Prochain jalon"),
    Column("Échéance du prochain jalon", DATE),
    Column("Établissements concernés"),
    Column("Visibilité"),
]


@login_required
def project_export(request: HttpRequest) -> HttpResponse:
    """The list's rows, every page of them, in the list's order."""
    _, rows = _filtered(request)
    current, descending = requested_sort(request, SORTS)
    if current:
        rows = apply_sort(rows, SORTS[current], descending)
    rows = rows.prefetch_related("carriers__epci", "shares__epci", "establishments__company")

    def line(p: TerritoryProject) -> list:
        carriers = "\n".join(f"{c.epci.name} : {euros(c.share)}" for c in p.carriers.all())
        shared = (
            ", ".join(sorted(s.epci.name for s in p.shares.all())) if p.visibility == CHOSEN else ""
        )
        return [
            p.pk, p.title, p.summary, p.get_theme_display(), p.get_phase_display(),
            p.get_status_display(), p.epci.name, carriers, shared, p.budget, p.starts_on,
            p.ends_on, p.next_title or "", p.next_due,
            "\n".join(e.display_name for e in p.establishments.all()),
            p.get_visibility_display(),
        ]  # fmt: skip

    return xlsx_response(
        "projets-territoire", EXPORT_COLUMNS, (line(p) for p in rows), title="Projets"
    )


# --- The project's page ----------------------------------------------------------------------


def timeline(milestones, today) -> list[dict]:
    """The milestones by due date, each with its state (« done », « late », « upcoming »),
    and today's marker among them (after what falls due today)."""
    entries: list[dict] = []
    placed = False
    for milestone in sorted(milestones, key=lambda m: (m.due_on, m.pk)):
        if not placed and milestone.due_on > today:
            entries.append({"today": True})
            placed = True
        if milestone.done_on:
            state = "done"
        elif milestone.due_on < today:
            state = "late"
        else:
            state = "upcoming"
        entries.append({"milestone": milestone, "state": state})
    if entries and not placed:
        entries.append({"today": True})
    return entries


def _vote_epcis(user, project: TerritoryProject):
    """The carrying EPCIs whose council vote `user` may record on `project`."""
    carriers = Epci.objects.filter(pk__in=project.carriers.values("epci_id")).order_by("name")
    return carriers.filter(
        pk__in=[e.pk for e in carriers if services.can_record_vote(user, project, e)]
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    user = request.user
    can_edit = access.can_edit(user, project)
    today = timezone.localdate()
    carriers = list(project.carriers.select_related("epci"))
    vote_epcis = _vote_epcis(user, project)
    votable = set(vote_epcis.values_list("pk", flat=True))
    votes = [
        {"vote": vote, "can_delete": vote.epci_id in votable}
        for vote in project.votes.select_related("epci").order_by("voted_on", "pk")
    ]
    return render(
        request,
        "territory_projects/detail.html",
        {
            "project": project,
            "can_edit": can_edit,
            "carriers": carriers,
            "shares_total": sum((c.share for c in carriers), Decimal("0.00")),
            "shared_with": [
                s.epci for s in project.shares.select_related("epci").order_by("epci__name")
            ],
            "votes": votes,
            "vote_form": forms.VoteForm(epcis=vote_epcis) if votable else None,
            "timeline": timeline(project.milestones.all(), today),
            "today": today,
            "milestone_form": forms.MilestoneForm(prefix="jalon") if can_edit else None,
            "establishments": project.establishments.select_related("company", "epci"),
            "calls": project.calls.select_related("scheme").order_by("closes_on", "pk"),
            "applications": Application.objects.visible_to(user)
            .filter(territory_projects=project)
            .select_related("establishment", "scheme")
            .order_by("title", "pk"),
            "documents": project.documents.select_related("author"),
            "document_form": forms.DocumentForm() if can_edit else None,
        },
    )


# --- Create, edit, delete --------------------------------------------------------------------


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    territory = request.territory
    if territory is None:
        raise Http404
    user = request.user
    if not access.writable_epcis(user, territory=territory).exists():
        raise PermissionDenied(services.CANNOT_CREATE)
    form = forms.ProjectForm(request.POST or None, user=user, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                acting_user=user, territory=territory, **form.service_kwargs()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le projet est enregistré.")
            return redirect(project)
    return render(
        request,
        "territory_projects/form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    form = forms.ProjectForm(
        request.POST or None, user=request.user, territory=project.territory, project=project
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                acting_user=request.user,
                project=TerritoryProject.objects.get(pk=pk),
                version=form.version,
                **form.service_kwargs(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Les modifications sont enregistrées.")
            return redirect(project)
    return render(
        request,
        "territory_projects/form.html",
        {"form": form, "project": project},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    if request.method == "POST":
        services.project_delete(acting_user=request.user, project=project)
        messages.success(request, "Le projet est supprimé.")
        return redirect("territory_projects:list")
    consequences = [
        f"{count} {label}"
        for count, label in (
            (project.votes.count(), "délibération(s)"),
            (project.milestones.count(), "jalon(s)"),
            (project.documents.count(), "document(s)"),
        )
        if count
    ]
    return render(
        request,
        "territory_projects/confirm_delete.html",
        {
            "project": project,
            "label": f"le projet « {project} »",
            "consequences": consequences,
            "cancel_url": project.get_absolute_url(),
        },
    )


# --- Council votes, milestones, documents ----------------------------------------------------


def _child_form(request, project, form, *, title: str, multipart: bool = False, status=400):
    return render(
        request,
        "territory_projects/child_form.html",
        {"form": form, "project": project, "title": title, "multipart": multipart},
        status=status,
    )


@login_required
@require_POST
def vote_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    epcis = _vote_epcis(request.user, project)
    if not epcis.exists():
        raise PermissionDenied("Vous ne pouvez pas enregistrer de délibération sur ce projet.")
    form = forms.VoteForm(request.POST, epcis=epcis)
    if form.is_valid():
        try:
            services.vote_record(acting_user=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "La délibération est enregistrée.")
            return redirect(project)
    return _child_form(request, project, form, title="Enregistrer une délibération")


@login_required
@require_POST
def vote_delete(request: HttpRequest, pk: int, vote_pk: int) -> HttpResponse:
    project = _project(request, pk)
    vote = get_object_or_404(CouncilVote, pk=vote_pk, project=project)
    services.vote_delete(acting_user=request.user, vote=vote)
    messages.success(request, "La délibération est supprimée.")
    return redirect(project)


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    form = forms.MilestoneForm(request.POST, prefix="jalon")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_add(
                acting_user=request.user, project=project, title=data["title"],
                due_on=data["due_on"], done_on=data["done_on"], note=data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le jalon est ajouté.")
            return redirect(project.get_absolute_url() + "#jalons")
    return _child_form(request, project, form, title="Ajouter un jalon")


@login_required
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    """The milestone's form; a POST with `atteint` marks it reached today."""
    project = _project(request, pk, editable=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    if request.method == "POST" and "atteint" in request.POST:
        services.milestone_done(acting_user=request.user, milestone=milestone)
        messages.success(request, f"Le jalon « {milestone} » est marqué atteint.")
        return redirect(project.get_absolute_url() + "#jalons")
    form = forms.MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(
                acting_user=request.user,
                milestone=Milestone.objects.get(pk=milestone_pk),
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le jalon est modifié.")
            return redirect(project.get_absolute_url() + "#jalons")
    return _child_form(
        request, project, form, title="Modifier le jalon",
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def milestone_delete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    services.milestone_delete(acting_user=request.user, milestone=milestone)
    messages.success(request, "Le jalon est supprimé.")
    return redirect(project.get_absolute_url() + "#jalons")


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                acting_user=request.user, project=project, upload=form.cleaned_data["upload"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le document est ajouté.")
            return redirect(project.get_absolute_url() + "#documents")
    return _child_form(request, project, form, title="Ajouter un document", multipart=True)


@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """The file, as an attachment of its checked type, only if its project is visible (404
    otherwise). Read whole: documents are small (the applications' limit)."""
    project = _project(request, pk)
    document = get_object_or_404(ProjectDocument, pk=doc_pk, project=project)
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    project = _project(request, pk, editable=True)
    document = get_object_or_404(ProjectDocument, pk=doc_pk, project=project)
    services.document_delete(acting_user=request.user, document=document)
    messages.success(request, "Le document est supprimé.")
    return redirect(project.get_absolute_url() + "#documents")
