"""The newsletter's background tasks: sending an issue from its page, and the test message.

A task carries ids only (like `core.emails`). The sending task publishes its state in the
"progress" cache (shared by the web and worker processes of a host, as SIRENE imports do);
the page reads the counts themselves from the delivery rows, which every message commits.
"""

from __future__ import annotations

import logging
import time

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilote.core import audit
from pilote.outreach import message, sending
from pilote.outreach.models import Issue

logger = logging.getLogger(__name__)

STATE_TTL = 7 * 86400
# A "queued" or "running" state older than this is not believed any more (worker stopped):
# the page offers the button again. Two runs at once are harmless (rows are claimed).
STALE_AFTER = 15 * 60


def state_key(issue_id: int) -> str:
    return f"newsletter-send-{issue_id}"


def state_of(issue: Issue) -> dict:
    return caches["progress"].get(state_key(issue.pk)) or {}


def _publish(issue_id: int, **state) -> None:
    caches["progress"].set(state_key(issue_id), {**state, "at": time.time()}, STATE_TTL)


def is_running(state: dict) -> bool:
    return state.get("state") in {"queued", "running"} and (
        time.time() - state.get("at", 0) < STALE_AFTER
    )


def start_sending(issue: Issue, *, acting_user) -> None:
    """Queue the sending of `issue` (once the current transaction commits)."""
    sending.check_sendable(issue)
    audit.record(actor=acting_user, action="outreach.issue_send", obj=issue)
    _publish(issue.pk, state="queued")
    issue_id = issue.pk
    transaction.on_commit(lambda: send_issue.enqueue(issue_id=issue_id))


@task()
def send_issue(*, issue_id: int) -> dict:
    issue = Issue.objects.get(pk=issue_id)
    _publish(issue_id, state="running")
    last = [0.0]

    def progress(summary: sending.Summary) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            _publish(issue_id, state="running", **summary.counts())

    try:
        summary = sending.send(issue, progress=progress)
    except Exception as error:  # the page must stop polling and say it
        _publish(issue_id, state="error", error=str(error)[:500])
        raise
    _publish(issue_id, state="done", stopped=summary.stopped, **summary.counts())
    return summary.counts()


def start_test(issue: Issue, *, user) -> None:
    issue_id, user_id = issue.pk, user.pk
    transaction.on_commit(lambda: send_test.enqueue(issue_id=issue_id, user_id=user_id))


@task()
def send_test(*, issue_id: int, user_id: int) -> str:
    """The issue as it will go out, to one team member's own address: « [TEST] » subject,
    no delivery row, links that unsubscribe nobody."""
    issue = Issue.objects.select_related("mailing_list__territory").get(pk=issue_id)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "not sent: no such user"
    email = message.build_test(issue, user.email)
    email.connection = get_connection(fail_silently=False)
    email.send()
    logger.info("Newsletter issue %s: test message sent to user %s", issue_id, user_id)
    return f"sent at {timezone.now().isoformat()}"
