"""Emails of the aids app (`core.emails`), from `templates/aids/emails/`: queued with ids,
built when sent."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

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


@dataclass
class SentLine:
    establishment: object
    reasons: str
    to_check: bool


@emails.register("aids.detection", template="aids/emails/detection")
def detection(*, dispatch_id: int, to_check: list[int]) -> emails.Envelope:
    """« Informer les EPCI »: one EPCI's list as it was filed (`Dispatch`), to the recipients
    it records; `to_check`: the ids of its establishments marked « à vérifier »."""
    dispatch = (
        Dispatch.objects.select_related("scheme", "epci", "author").filter(pk=dispatch_id).first()
    )
    if dispatch is None:
        raise emails.NotSent(f"dispatch {dispatch_id} no longer exists")
    lines = dispatch.lines.select_related("establishment__company", "establishment__commune")
    lines = [SentLine(x.establishment, x.reasons, x.establishment_id in to_check) for x in lines]
    return emails.Envelope(
        to=list(dispatch.recipients),
        context={
            "scheme": dispatch.scheme,
            "next_closing": dispatch.scheme.next_closing(),
            "epci": dispatch.epci,
            "lines": lines,
            "message": dispatch.message,
            "sender": dispatch.author or "",
            "dispatch": dispatch,
        },
    )
