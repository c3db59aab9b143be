"""Emails of the agreement app (`core.emails`): the reminder of an overdue call for funds,
queued with the call's id only, built when sent (templates/agreement/email_call_reminder-*)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from pilote.agreement import ledger
from pilote.agreement.models import FundsCall
from pilote.core import emails


@emails.register("agreement.call_reminder", template="agreement/email_call_reminder")
def call_reminder(*, call_id: int) -> emails.Envelope:
    """To the active agents of the called EPCI: the call, its balance, its due date."""
    from pilote.agreement.services import reminder_recipients

    call = (
        FundsCall.objects.select_related("year__agreement__territory", "party__epci")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise emails.NotSent(f"call {call_id} no longer exists")
    ledger.decorate(call)
    if call.balance <= 0:
        raise emails.NotSent(f"call {call_id} is paid")
    to = sorted(set(reminder_recipients(call).values_list("user__email", flat=True)) - {""})
    if not to:
        raise emails.NotSent(f"call {call_id} has no active EPCI agent to remind")
    return emails.Envelope(
        to=to,
        context={
            "call": call,
            "agreement": call.year.agreement,
            "call_url": settings.SITE_URL + reverse("agreement:call", args=[call.pk]),
        },
    )
