"""Sending an issue from its page (TI managers of the list's territory): the panel of counts
and progress, the confirmation step, the background task, the test message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pilote.accounts.perms import is_ti_manager
from pilote.outreach import sending, tasks
from pilote.outreach.enums import DeliveryStatus, IssueStatus
from pilote.outreach.models import Issue


def french_number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _issue(request: HttpRequest, pk: int) -> Issue:
    issue = get_object_or_404(Issue.objects.select_related("mailing_list__territory"), pk=pk)
    if not is_ti_manager(request.user, issue.mailing_list.territory):
        raise Http404
    return issue


def send_panel_context(issue: Issue) -> dict:
    """What `outreach/_send_panel.html` shows: pass it as `send_panel` (else the panel
    loads it with htmx)."""
    counts = sending.plan(issue)
    rows = sending.delivery_counts(issue)
    state = tasks.state_of(issue)
    running = tasks.is_running(state)
    sent = rows[DeliveryStatus.SENT]
    total = sent + counts["to_send"]
    return {
        "issue": issue,
        "plan": counts,
        "rows": rows,
        "state": state,
        "running": running,
        "started": any(rows.values()),
        "sent": sent,
        "total": total,
        "progress_label": f"{french_number(sent)} / {french_number(total)} envoyés",
        "to_send_label": french_number(counts["to_send"]),
        "can_send": (
            issue.status in (IssueStatus.READY, IssueStatus.SENDING)
            and counts["to_send"] > 0
            and not running
        ),
        "is_draft": issue.status == IssueStatus.DRAFT,
    }


@login_required
@require_http_methods(["GET", "POST"])
def issue_send(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step, naming the number of recipients. POST: queue the
    sending (a background task) and go back to the issue."""
    issue = _issue(request, pk)
    panel = send_panel_context(issue)
    if request.method == "GET":
        return render(request, "outreach/send_confirm.html", {"panel": panel, "issue": issue})
    if panel["is_draft"]:
        messages.error(
            request, "Ce numéro est un brouillon : passez-le « prête à envoyer » avant l'envoi."
        )
    elif panel["running"]:
        messages.info(request, "L'envoi de ce numéro est déjà en cours.")
    elif not panel["can_send"]:
        messages.info(request, "Plus aucun abonné n'attend ce numéro : rien à envoyer.")
    else:
        tasks.start_sending(issue, acting_user=request.user)
        messages.success(
            request,
            f"Envoi du n° {issue.number} lancé vers {panel['to_send_label']} abonné(s) : "
            "suivez sa progression ci-dessous.",
        )
    return redirect("outreach:issue", pk=issue.pk)


@login_required
@require_GET
def issue_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's fragment, polled by htmx while the sending runs."""
    issue = _issue(request, pk)
    return render(request, "outreach/_send_progress.html", {"panel": send_panel_context(issue)})


@login_required
@require_POST
def issue_test_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue to the current user's own address only, « [TEST] » in the subject."""
    issue = _issue(request, pk)
    tasks.start_test(issue, user=request.user)
    messages.success(
        request, f"Un message d'essai de ce numéro part vers votre adresse {request.user.email}."
    )
    return redirect("outreach:issue", pk=issue.pk)
