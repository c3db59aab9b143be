"""Bodies and their members (create, edit, remove: the TI managers; anyone else 404), and the
decisions and actions search (every reader of the territory's governance, limited to the
meetings they read)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit
from pilote.governance import bodies, perms
from pilote.governance.forms_bodies import BodyForm, DecisionFilterForm, MemberForm
from pilote.governance.models import Body, Meeting, Member, Outcome

PAGE_SIZE = 25
# The sortable columns of the decisions search (`?tri=`), by their public name.
SORTS = {
    "date": ("item__meeting__starts_at",),
    "instance": ("item__meeting__body__name",),
    "nature": ("kind",),
    "echeance": ("due_on",),
}


def _managed_territory(request: HttpRequest):
    territory = request.territory
    if not perms.can_manage(request.user, territory):
        raise Http404(NOT_FOUND)
    return territory


def _managed_body(request: HttpRequest, pk: int) -> Body:
    territory = _managed_territory(request)
    try:
        return Body.objects.select_related("territory").get(pk=pk, territory=territory)
    except Body.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _managed_member(request: HttpRequest, pk: int) -> Member:
    territory = _managed_territory(request)
    try:
        return Member.objects.select_related("body__territory").get(
            pk=pk, body__territory=territory
        )
    except Member.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def body_create(request: HttpRequest) -> HttpResponse:
    territory = _managed_territory(request)
    form = BodyForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        organisations = list(data.pop("organisations"))
        try:
            body = bodies.body_create(
                acting_user=request.user,
                territory=territory,
                organisations=organisations,
                **data,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"L'instance « {body.name} » est créée.")
            return redirect(body)
    return render(request, "governance/body_form.html", {"form": form, "body": None})


@login_required
def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    body = _managed_body(request, pk)
    form = BodyForm(request.POST or None, instance=body, territory=body.territory)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        organisations = changes.pop("organisations", None)
        try:
            body = bodies.body_update(
                acting_user=request.user,
                body=Body.objects.get(pk=pk),  # the form changed `body` in place
                version=form.version,
                organisations=list(organisations) if organisations is not None else None,
                **changes,
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "L'instance est modifiée.")
            return redirect(body)
        body = Body.objects.get(pk=pk)
    return render(request, "governance/body_form.html", {"form": form, "body": body})


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    body = _managed_body(request, pk)
    form = MemberForm(request.POST or None, territory=body.territory)
    if request.method == "POST" and form.is_valid():
        try:
            bodies.member_add(acting_user=request.user, body=body, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Le membre est ajouté.")
            return redirect(body)
    return render(
        request, "governance/member_form.html", {"form": form, "body": body, "member": None}
    )


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed_member(request, pk)
    body = member.body
    form = MemberForm(request.POST or None, instance=member, territory=body.territory)
    if request.method == "POST" and form.is_valid():
        try:
            bodies.member_update(
                acting_user=request.user,
                member=Member.objects.get(pk=pk),  # the form changed `member` in place
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Le membre est modifié.")
            return redirect(body)
        member = Member.objects.get(pk=pk)
    return render(
        request, "governance/member_form.html", {"form": form, "body": body, "member": member}
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed_member(request, pk)
    body = member.body
    name = member.display_name
    bodies.member_remove(acting_user=request.user, member=member)
    messages.success(request, f"« {name} » ne siège plus dans l'instance.")
    return redirect(body)


def readable_outcomes(user, territory):
    """The outcomes of the meetings of `territory` that `user` reads."""
    return Outcome.objects.filter(
        perms.meetings_q(user, prefix="item__meeting__"), item__meeting__body__territory=territory
    )


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    """Open to every signed-in user like the other searches: who reads no governance here (an
    administrator without another role, another territory's member) finds nothing."""
    territory = request.territory
    if not perms.can_read(request.user, territory):
        territory = None
    today = timezone.localdate()
    years = sorted(
        set(
            Meeting.objects.filter(body__territory=territory)
            .annotate(y=ExtractYear("starts_at"))
            .values_list("y", flat=True)
        ),
        reverse=True,
    )
    form = DecisionFilterForm(request.GET or None, territory=territory, years=years)
    readable = readable_outcomes(request.user, territory) if territory else Outcome.objects.none()
    outcomes = form.filter(
        readable.select_related("item__meeting__body", "item__meeting__epci", "owner"),
        today=today,
    ).order_by("-item__meeting__starts_at", "item__position", "pk")
    return render_list(
        request,
        outcomes,
        template="governance/decisions.html",
        results="governance/_decisions_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="-date",
        form=form,
        today=today,
    )
