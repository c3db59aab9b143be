"""The e-mail kinds of the newsletter's subscriptions (`core.emails`), from
`templates/emails/outreach_*`: queued with ids, built when sent. (The issues themselves are
sent by the sending engine, `sending.py`, not through this registry.)"""

from pilote.core import emails


@emails.register("outreach.confirm", template="emails/outreach_confirm")
def confirm(*, subscriber_id: int) -> emails.Envelope:
    """The double opt-in link of an address entered on the public form, issued now
    (`services.confirmation_issue`): it exists only in this e-mail."""
    from pilote.outreach import services

    issued = services.confirmation_issue(subscriber_id=subscriber_id)
    if issued is None:
        raise emails.NotSent(f"subscriber {subscriber_id} no longer awaits confirmation")
    subscriber, token = issued
    return emails.Envelope(
        to=[subscriber.email],
        context={
            "subscriber": subscriber,
            "mailing_list": subscriber.mailing_list,
            "territory": subscriber.mailing_list.territory,
            "token": token,
            "days": services.CONFIRMATION_DAYS,
        },
    )
