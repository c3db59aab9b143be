"""Interactions and meetings run on the interview guide. The records they produce are in
`views_records.py`, the guide's own pages in `views_guide.py`."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pilote.accompaniment import forms, services
from pilote.accompaniment.enums import GUIDE_THEMES
from pilote.accompaniment.kinds import RECORD_KINDS
from pilote.accompaniment.models import (
    Action,
    Diagnostic,
    Interaction,
    InterviewGuide,
    Need,
    Project,
    Referral,
)
from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.companies.models import Establishment
from pilote.core.csv import csv_response
from pilote.core.htmx import is_htmx, render_list
from pilote.core.locking import StaleEdit

PAGE_SIZE = 25
# The sortable columns of the exchanges list (`?tri=`), by their public name.
INTERACTION_SORTS = {
    "date": ("occurred_on",),
    "echange": ("kind",),
    "etablissement": ("establishment__search_text",),
    "epci": ("epci__name",),
    "temps": ("time_spent_minutes",),
    "visibilite": ("visibility",),
}
YES_NO_CHOICES = [(forms.YES, "Oui"), (forms.NO, "Non"), ("", "Sans réponse")]


def _territory(request: HttpRequest):
    return request.territory


def _in_current_territory(request: HttpRequest, queryset):
    territory = _territory(request)
    return queryset.in_territory(territory) if territory is not None else queryset.none()


def _establishment_in_territory(request: HttpRequest, siret: str) -> Establishment:
    territory = _territory(request)
    return get_object_or_404(
        Establishment.objects.select_related("epci", "company"),
        siret=siret,
        epci__territories=territory,
    )


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields when they exist."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _guide_for(request: HttpRequest, establishment) -> InterviewGuide:
    """The guide of the current territory, installed from the default one the first time."""
    territory = _territory(request)
    if territory is None or not territory.epcis.filter(pk=establishment.epci_id).exists():
        raise Http404
    return services.guide_install_default(acting_user=request.user, territory=territory)


def _interaction(request: HttpRequest, pk: int, *, editable: bool = False) -> Interaction:
    fetch = access.get_editable_or_404 if editable else get_visible_or_404
    return fetch(
        Interaction.objects.select_related(
            "establishment__company", "establishment__commune", "epci", "author",
            "author_organisation", "guide_version__guide",
        ),
        request.user,
        pk=pk,
    )  # fmt: skip


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- Interactions ------------------------------------------------------------------------------


def _filtered_interactions(request: HttpRequest):
    territory = _territory(request)
    form = forms.InteractionFilterForm(request.GET or None, territory=territory)
    interactions = form.filter(
        _in_current_territory(request, Interaction.objects.visible_to(request.user))
        .select_related("establishment__company", "epci", "author")
        .distinct()
    )
    return form, interactions


@login_required
def interaction_list(request: HttpRequest) -> HttpResponse:
    form, interactions = _filtered_interactions(request)
    return render_list(
        request, interactions, template="accompaniment/interaction_list.html",
        results="accompaniment/_interaction_results.html", page_size=PAGE_SIZE,
        sorts=INTERACTION_SORTS, default_sort="-date", form=form,
        can_record=access.can_write_on(request.user),
    )  # fmt: skip


@login_required
def interaction_export(request: HttpRequest) -> HttpResponse:
    _, interactions = _filtered_interactions(request)
    rows = (
        (
            i.pk,
            i.occurred_on.strftime("%d/%m/%Y"),
            i.get_kind_display(),
            i.establishment.siret,
            i.establishment.display_name,
            i.epci.name,
            "oui" if i.with_epci else "non",
            i.time_spent_minutes,
            "oui" if i.is_meeting else "non",
            i.get_visibility_display(),
            i.summary,
            str(i.author or ""),
        )
        for i in interactions.iterator(chunk_size=500)
    )
    header = [
        "N°", "Date", "Type", "SIRET", "Établissement", "EPCI", "Avec l'EPCI",
        "Temps passé (min)", "Entretien sur la trame", "Visibilité", "Compte rendu", "Auteur",
    ]  # fmt: skip
    return csv_response("echanges", header, rows)


@login_required
def interaction_create(request: HttpRequest) -> HttpResponse:
    siret = request.GET.get("etablissement") or request.POST.get("etablissement")
    if not siret:
        raise Http404
    establishment = _establishment_in_territory(request, siret)
    if establishment.epci is None or not access.can_write_on(request.user, establishment.epci):
        raise Http404
    initial = {"use_guide": request.GET.get("trame") == "1"}
    form = forms.InteractionForm(
        request.POST or None, user=request.user, establishment=establishment, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        use_guide = data.pop("use_guide")
        try:
            interaction = services.interaction_create(
                acting_user=request.user,
                establishment=establishment,
                guide=_guide_for(request, establishment) if use_guide else None,
                **data,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if interaction.is_meeting:
                messages.success(request, "L'échange est enregistré. Menez l'entretien.")
                return redirect("accompaniment:meeting", pk=interaction.pk)
            messages.success(request, "L'échange est enregistré.")
            return redirect(interaction)
    return render(
        request,
        "accompaniment/interaction_form.html",
        {"form": form, "establishment": establishment},
    )


@login_required
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what will be deleted, and a confirmation button; POST: delete."""
    interaction = _interaction(request, pk, editable=True)
    if request.method == "POST":
        establishment = interaction.establishment
        try:
            services.interaction_delete(acting_user=request.user, interaction=interaction)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, "L'échange est supprimé.")
        return redirect(establishment)
    produced = sum(  # what the reader may see: a private record of others is not counted
        model.objects.visible_to(request.user).filter(interaction=interaction).count()
        for model in (Need, Project, Diagnostic, Referral, Action)
    )
    answers = interaction.answers.count()
    consequences = []
    if answers:
        consequences.append(f"ses réponses à la trame d'entretien ({answers}) sont supprimées ;")
    if produced:
        consequences.append(
            f"les besoins, projets, diagnostics, mises en relation et actions saisis lors de "
            f"cet échange ({produced}) sont conservés, sans lien avec lui ;"
        )
    consequences.append(
        "les cibles de prospection qu'il a fait passer à « rencontré » gardent leur statut."
    )
    return render(
        request,
        "accompaniment/confirm_delete.html",
        {
            "object": interaction,
            "label": f"l'échange « {interaction} »",
            "establishment": interaction.establishment,
            "consequences": consequences,
            "cancel_url": interaction.get_absolute_url(),
        },
    )


@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = _interaction(request, pk, editable=True)
    establishment = interaction.establishment
    initial = {
        "kind": interaction.kind,
        "occurred_on": interaction.occurred_on,
        "start_time": interaction.start_time,
        "participants": list(interaction.participants.values_list("pk", flat=True)),
        "contacts": list(
            interaction.contacts.visible_to(request.user).values_list("pk", flat=True)
        ),
        "summary": interaction.summary,
        "company_summary": interaction.company_summary,
        "time_spent_minutes": interaction.time_spent_minutes,
        "visibility": interaction.visibility,
    }
    form = forms.InteractionForm(
        request.POST or None,
        user=request.user,
        establishment=establishment,
        initial=initial,
        with_guide_choice=False,
        record=interaction,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(
                acting_user=request.user,
                interaction=interaction,
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "L'échange est modifié.")
            return redirect(interaction)
    return render(
        request,
        "accompaniment/interaction_form.html",
        {"form": form, "establishment": establishment, "interaction": interaction},
    )


@dataclass
class QuestionRow:
    question: object
    answer: object
    field_name: str
    initial: object
    error: str = ""


def _question_rows(interaction: Interaction, errors: dict | None = None, posted=None):
    """The meeting's questions grouped by theme, each with its answer (or what was posted)."""
    if interaction.guide_version_id is None:
        return []
    answers = {
        a.question_id: a
        for a in interaction.answers.all()  # the meeting's answers share its visibility
    }
    questions = sorted(
        interaction.guide_version.questions.all(),
        key=lambda q: ([t.value for t in GUIDE_THEMES].index(q.theme), q.position, q.pk),
    )
    rows = []
    for q in questions:
        answer = answers.get(q.pk)
        initial = forms.answer_initial(q, answer)
        name = forms.answer_field_name(q)
        if posted is not None and name in (errors or {}):
            initial = posted.getlist(name) if q.type == "multiple_choice" else posted.get(name)
        rows.append(QuestionRow(q, answer, name, initial, (errors or {}).get(name, "")))
    return [
        (forms.THEME_LABELS[theme], list(items))
        for theme, items in groupby(rows, key=lambda r: r.question.theme)
    ]


def _records_of(request: HttpRequest, interaction: Interaction) -> dict:
    user = request.user
    return {
        "needs": Need.objects.visible_to(user).filter(interaction=interaction),
        "projects": Project.objects.visible_to(user).filter(interaction=interaction),
        "diagnostics": Diagnostic.objects.visible_to(user).filter(interaction=interaction),
        "referrals": Referral.objects.visible_to(user).filter(interaction=interaction),
        "actions": Action.objects.visible_to(user)
        .filter(interaction=interaction)
        .select_related("owner"),
    }


@login_required
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = _interaction(request, pk)
    return render(
        request,
        "accompaniment/interaction_detail.html",
        {
            "interaction": interaction,
            "establishment": interaction.establishment,
            "participants": interaction.participants.all(),
            "contacts": interaction.contacts.visible_to(request.user),
            "themes": _question_rows(interaction),
            "records": _records_of(request, interaction),
            "record_kinds": RECORD_KINDS,
            "can_edit": access.can_edit(request.user, interaction),
        },
    )


def _compact_forms(interaction: Interaction) -> dict:
    establishment = interaction.establishment
    return {
        kind.slug: kind.form(compact=True, establishment=establishment, prefix=kind.slug)
        for kind in RECORD_KINDS.values()
    }


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a meeting on its guide version. Each answer autosaves (htmx); without script, the
    « Enregistrer les réponses » button saves them all."""
    interaction = _interaction(request, pk)
    if interaction.guide_version_id is None:
        if not access.can_edit(request.user, interaction):
            raise Http404
        return render(request, "accompaniment/meeting_start.html", {"interaction": interaction})
    can_edit = access.can_edit(request.user, interaction)
    errors = {}
    if request.method == "POST":
        if not can_edit:
            raise Http404
        for _, rows in _question_rows(interaction):
            for row in rows:
                value = forms.answer_value(row.question, request.POST)
                try:
                    services.answer_save(
                        acting_user=request.user, interaction=interaction,
                        question=row.question, value=value,
                    )  # fmt: skip
                except ValidationError as exc:
                    errors[row.field_name] = " ".join(exc.messages)
        if not errors:
            messages.success(request, "Les réponses sont enregistrées.")
            return redirect("accompaniment:meeting", pk=pk)
    return render(
        request,
        "accompaniment/meeting.html",
        {
            "interaction": interaction,
            "establishment": interaction.establishment,
            "themes": _question_rows(
                interaction, errors, request.POST if request.method == "POST" else None
            ),
            "records": _records_of(request, interaction),
            "record_forms": _compact_forms(interaction) if can_edit else {},
            "record_kinds": RECORD_KINDS,
            "yes_no_choices": YES_NO_CHOICES,
            "can_edit": can_edit,
            "has_errors": bool(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def meeting_start(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = _interaction(request, pk, editable=True)
    services.interaction_start_meeting(
        acting_user=request.user,
        interaction=interaction,
        guide=_guide_for(request, interaction.establishment),
    )
    return redirect("accompaniment:meeting", pk=pk)


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Autosave of one answer (htmx): answers with its status line only, so that the field
    being typed in is never replaced."""
    interaction = _interaction(request, pk, editable=True)
    if interaction.guide_version_id is None:
        raise Http404
    question = get_object_or_404(interaction.guide_version.questions, pk=question_pk)
    error, answer = "", None
    try:
        answer = services.answer_save(
            acting_user=request.user, interaction=interaction, question=question,
            value=forms.answer_value(question, request.POST),
        )  # fmt: skip
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not is_htmx(request):
        if error:
            messages.error(request, f"« {question.text} » : {error}")
        return redirect(reverse("accompaniment:meeting", args=[pk]) + f"#question-{question.pk}")
    return render(
        request,
        "accompaniment/_answer_status.html",
        {"question": question, "answer": answer, "error": error, "saved_at": timezone.now()},
        status=200,
    )
