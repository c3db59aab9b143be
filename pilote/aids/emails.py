"""Emails of the aids app (`core.emails`), from `templates/aids/emails/`: queued with ids,
built when sent."""

import datetime as dt
import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from pilote.aids.models import Dispatch, Subscription
from pilote.core import emails


@emails.register("aids.confirm", template="aids/emails/confirm")
def confirm(*, subscription_id: int) -> emails.Envelope:
    """The double opt-in link of an outside address, issued now
    (`services.subscription_confirmation_issue`): it exists only in this email."""
    from pilote.aids import services

    issued = services.subscription_confirmation_issue(subscription_id=subscription_id)
    if issued is None:
        raise emails.NotSent(f"subscription {subscription_id} no longer awaits confirmation")
    subscription, token = issued
    return emails.Envelope(
        to=[subscription.email],
        context={"search": subscription.search, "owner": subscription.search.owner, "token": token},
    )


@emails.register("aids.alert", template="aids/emails/alert")
def alert(*, subscription_id: int, since: str, now: str) -> emails.Envelope:
    """The weekly email of a saved search: what is new between `since` and `now` (ISO
    datetimes, fixed when `send_aid_alerts` queued it), calls closing soon."""
    from pilote.aids.alerts import digest_for

    subscription = (
        Subscription.objects.confirmed()
        .select_related("search", "search__owner")
        .filter(pk=subscription_id, search__owner__is_active=True)
        .first()
    )
    if subscription is None:
        raise emails.NotSent(f"subscription {subscription_id} is no longer active")
    digest = digest_for(
        subscription, dt.datetime.fromisoformat(now), since=dt.datetime.fromisoformat(since)
    )
    if digest.is_empty:
        raise emails.NotSent(f"nothing new any more for subscription {subscription_id}")
    return emails.Envelope(
        to=[subscription.email],
        context={
            "search": subscription.search,
            "digest": digest,
            "unsubscribe_path": reverse("aids:unsubscribe", kwargs={"key": subscription.key}),
        },
    )


# A message that already opens with a greeting gets no second « Bonjour, ».
GREETING = re.compile(r"^\s*(bonjour|bonsoir|madame|monsieur|mesdames|messieurs|cher|chère|"
                      r"chers|chères|hello|salut)\b", re.IGNORECASE)  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SentLine:
    establishment: object
    reasons: str
    to_check: bool


def dispatch_workbook(dispatch: Dispatch, lines: list[SentLine]) -> bytes:
    """The XLSX of a dispatch: exactly its establishments, written by the detection export
    (`detection.xlsx_response`, used as is)."""
    from pilote.aids import detection

    group = detection.Group(dispatch.epci, lines)
    found = detection.Detection(dispatch.scheme, None, [group], 0)
    return detection.xlsx_response(found).content


@emails.register("aids.detection", template="aids/emails/detection")
def detection(*, dispatch_id: int, to_check: list[int], follows: int | None = None):
    """« Informer les EPCI »: one EPCI's list as it was filed (`Dispatch`), to the recipients
    it records, as a short summary and an XLSX attachment; `to_check`: the ids of its
    establishments marked « à vérifier »; `follows`: the earlier dispatch of the same call
    window this one completes (then it holds only the establishments detected since)."""
    dispatch = (
        Dispatch.objects.select_related("scheme", "epci", "author").filter(pk=dispatch_id).first()
    )
    if dispatch is None:
        raise emails.NotSent(f"dispatch {dispatch_id} no longer exists")
    previous = Dispatch.objects.filter(pk=follows).first() if follows else None
    lines = dispatch.lines.select_related(
        "establishment__company", "establishment__commune", "establishment__epci"
    )
    lines = [SentLine(x.establishment, x.reasons, x.establishment_id in to_check) for x in lines]
    context = detection_context(
        scheme=dispatch.scheme,
        epci=dispatch.epci,
        lines=lines,
        message=dispatch.message,
        previous_on=timezone.localdate(previous.created_at) if previous else None,
        sender=dispatch.author,
        dispatch=dispatch,
    )
    return emails.Envelope(
        to=list(dispatch.recipients),
        context=context,
        attachments=[(context["attachment"], dispatch_workbook(dispatch, lines), XLSX)],
    )


def detection_context(*, scheme, epci, lines, message, previous_on, sender, dispatch=None):
    """The context of the « informer » email: the same for the preview and the send."""
    key = dispatch.pk if dispatch else "apercu"
    return {
        "scheme": scheme,
        "next_closing": scheme.next_closing(),
        "epci": epci,
        "count": len(lines),
        "to_check": sum(1 for line in lines if line.to_check),
        "known_needs": sum(1 for line in lines if " connu : " in line.reasons),
        "message": (message or "").strip(),
        "greets": bool(GREETING.match(message or "")),
        "previous_on": previous_on,
        "attachment": f"etablissements-{slugify(epci.name)}-{key}.xlsx",
        "sender": sender or "",
        "dispatch": dispatch,
    }


def preview(*, scheme, epci, lines, message, previous_on, sender) -> dict[str, str]:
    """The subject and text of the email an EPCI would receive (`emails.render_email`)."""
    context = detection_context(
        scheme=scheme, epci=epci, lines=lines, message=message, previous_on=previous_on,
        sender=sender,
    )  # fmt: skip
    return {**emails.render_email("aids/emails/detection", context), **context}
