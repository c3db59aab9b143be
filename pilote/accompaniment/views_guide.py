"""The interview guide of the current territory: read by every member, edited by the TI
manager through a draft that becomes the next version when published."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilote.accompaniment import forms, perms, services
from pilote.accompaniment.enums import GUIDE_THEMES
from pilote.accompaniment.models import GuideVersion, InterviewGuide, Question
from pilote.core.locking import StaleEdit

THEME_ORDER = [t.value for t in GUIDE_THEMES]


def _territory(request: HttpRequest):
    territory = request.territory
    if not perms.can_read_guide(request.user, territory):
        raise Http404
    return territory


def _editable_guide(request: HttpRequest) -> InterviewGuide:
    territory = _territory(request)
    if not perms.can_edit_guide(request.user, territory):
        raise Http404
    guide = InterviewGuide.objects.filter(territory=territory).first()
    if guide is None:
        raise Http404
    return guide


def by_theme(questions) -> list[tuple[str, list[Question]]]:
    ordered = sorted(questions, key=lambda q: (THEME_ORDER.index(q.theme), q.position, q.pk))
    return [
        (forms.THEME_LABELS[theme], list(items))
        for theme, items in groupby(ordered, key=lambda q: q.theme)
    ]


@login_required
def guide(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    guide = InterviewGuide.objects.filter(territory=territory).first()
    versions = (
        guide.versions.published().annotate(n_meetings=Count("interactions")) if guide else []
    )
    current = guide.current_version if guide else None
    return render(
        request,
        "accompaniment/guide.html",
        {
            "guide": guide,
            "current": current,
            "themes": by_theme(current.questions.all()) if current else [],
            "versions": versions,
            "draft": guide.draft if guide else None,
            "can_edit": perms.can_edit_guide(request.user, territory),
        },
    )


@login_required
def guide_version(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _territory(request)
    version = get_object_or_404(
        GuideVersion.objects.published().select_related("guide"), pk=pk, guide__territory=territory
    )
    return render(
        request,
        "accompaniment/guide_version.html",
        {"version": version, "themes": by_theme(version.questions.all())},
    )


@login_required
@require_POST
def guide_install(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    if not perms.can_edit_guide(request.user, territory):
        raise Http404
    services.guide_install_default(acting_user=request.user, territory=territory)
    messages.success(request, "La trame d'entretien par défaut est installée.")
    return redirect("accompaniment:guide")


@login_required
def guide_draft(request: HttpRequest) -> HttpResponse:
    """The draft being prepared. POST starts it (a copy of the current version)."""
    guide = _editable_guide(request)
    if request.method == "POST":
        services.guide_start_draft(acting_user=request.user, guide=guide)
        return redirect("accompaniment:guide_draft")
    draft = guide.draft
    if draft is None:
        return redirect("accompaniment:guide")
    return render(
        request,
        "accompaniment/guide_draft.html",
        {
            "guide": guide,
            "draft": draft,
            "themes": by_theme(draft.questions.all()),
            "form": forms.QuestionForm(),
            "publish_form": forms.PublishForm(),
        },
    )


def _draft_question(request: HttpRequest, pk: int) -> Question:
    guide = _editable_guide(request)
    return get_object_or_404(
        Question.objects.select_related("version__guide"),
        pk=pk,
        version__guide=guide,
        version__published_at__isnull=True,
    )


@login_required
def question_add(request: HttpRequest) -> HttpResponse:
    guide = _editable_guide(request)
    draft = guide.draft
    if draft is None:
        return redirect("accompaniment:guide")
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(acting_user=request.user, version=draft, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "La question est ajoutée au brouillon.")
            return redirect("accompaniment:guide_draft")
    return render(
        request,
        "accompaniment/question_form.html",
        {"form": form, "draft": draft},
        status=400 if form.errors else 200,
    )


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _draft_question(request, pk)
    form = forms.QuestionForm(
        request.POST or None, initial=forms.QuestionForm.initial_for(question), record=question
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                acting_user=request.user, question=question, **form.cleaned_data
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "La question est modifiée dans le brouillon.")
            return redirect("accompaniment:guide_draft")
    return render(
        request,
        "accompaniment/question_form.html",
        {"form": form, "draft": question.version, "question": question},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _draft_question(request, pk)
    services.question_delete(acting_user=request.user, question=question)
    messages.success(request, "La question est retirée du brouillon.")
    return redirect("accompaniment:guide_draft")


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _draft_question(request, pk)
    services.question_move(
        acting_user=request.user, question=question, up=request.POST.get("sens") == "haut"
    )
    return redirect("accompaniment:guide_draft")


@login_required
@require_POST
def guide_publish(request: HttpRequest) -> HttpResponse:
    guide = _editable_guide(request)
    draft = guide.draft
    if draft is None:
        raise Http404
    form = forms.PublishForm(request.POST)
    form.is_valid()
    try:
        services.guide_publish(
            acting_user=request.user,
            version=draft,
            change_note=form.cleaned_data.get("change_note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accompaniment:guide_draft")
    messages.success(
        request,
        f"La version {draft.number} est publiée : les prochains entretiens l'utiliseront.",
    )
    return redirect("accompaniment:guide")


@login_required
@require_POST
def guide_discard(request: HttpRequest) -> HttpResponse:
    guide = _editable_guide(request)
    if guide.draft is not None:
        services.guide_discard_draft(acting_user=request.user, version=guide.draft)
        messages.success(request, "Le brouillon est abandonné.")
    return redirect("accompaniment:guide")
