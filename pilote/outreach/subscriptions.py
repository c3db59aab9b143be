"""What stops a subscriber receiving the list, written once and used by the team's pages,
the public one-click unsubscription and the sending engine: unsubscribing, bounces, the
do-not-contact list, and the signed tokens of the links in every message.

Every write is atomic and audited (`pilote.core.audit`).
"""

from __future__ import annotations

import hashlib

from django.core import signing
from django.db import transaction
from django.utils import timezone

from pilote.core import audit
from pilote.outreach.enums import BlockReason, SubscriberStatus
from pilote.outreach.models import SOFT_BOUNCES_TO_SUSPEND, DoNotContact, Subscriber

UNSUBSCRIBE_SALT = "pilote.outreach.unsubscribe"
CONFIRM_SALT = "pilote.outreach.confirm"


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The token of the subscriber's unsubscription link: signed (SECRET_KEY), never stored,
    valid for as long as the subscription exists."""
    return signing.dumps(
        {"s": subscriber.pk, "h": email_hash(subscriber.email)[:16]},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def subscriber_from_token(token: str) -> Subscriber | None:
    """The subscriber a link's token names, or None (forged, altered, or the address
    changed since the message was sent)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    subscriber = Subscriber.objects.filter(pk=data.get("s")).first()
    if subscriber is None or email_hash(subscriber.email)[:16] != data.get("h"):
        return None
    return subscriber


def is_blocked(mailing_list, email: str) -> DoNotContact | None:
    return DoNotContact.objects.filter(
        mailing_list=mailing_list, email_hash=email_hash(email)
    ).first()


@transaction.atomic
def block(mailing_list, email: str, reason: str, *, acting_user=None, note: str = ""):
    """Put `email` on the list's do-not-contact list (idempotent: the first reason stays)."""
    entry, created = DoNotContact.objects.get_or_create(
        mailing_list=mailing_list,
        email_hash=email_hash(email),
        defaults={"email": email.strip().lower(), "reason": reason, "note": note[:300]},
    )
    if created:
        audit.record(
            actor=acting_user, action="outreach.block", obj=entry, after={"reason": reason}
        )
    return entry


@transaction.atomic
def unsubscribe(subscriber: Subscriber, *, acting_user=None, how: str) -> bool:
    """Stop sending to `subscriber` at once and block the address. `how` says where the
    request came from (« lien en un clic », « à la demande de la personne »…). False when
    they were already unsubscribed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    before = subscriber.status
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    block(
        subscriber.mailing_list,
        subscriber.email,
        BlockReason.UNSUBSCRIBED,
        acting_user=acting_user,
        note=how,
    )
    audit.record(
        actor=acting_user,
        action="outreach.unsubscribe",
        obj=subscriber,
        before={"status": before},
        after={"status": subscriber.status, "how": how},
    )
    return True


@transaction.atomic
def record_bounce(subscriber: Subscriber, *, permanent: bool, reason: str) -> bool:
    """A failure of the SMTP server for this address: a permanent one (5xx) suspends it at
    once, temporary ones (4xx) after `SOFT_BOUNCES_TO_SUSPEND` in a row. Returns whether
    the address is now suspended; the reason is kept on the subscriber and the
    do-not-contact list."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if permanent:
        subscriber.soft_bounces = 0
    else:
        subscriber.soft_bounces += 1
    suspend = permanent or subscriber.soft_bounces >= SOFT_BOUNCES_TO_SUSPEND
    fields = ["soft_bounces", "updated_at"]
    if suspend and subscriber.status == SubscriberStatus.ACTIVE:
        subscriber.status = SubscriberStatus.SUSPENDED
        kind = "définitif" if permanent else f"{subscriber.soft_bounces} temporaires de suite"
        subscriber.suspended_reason = f"Échec {kind} : {reason}"[:300]
        fields += ["status", "suspended_reason"]
        block(
            subscriber.mailing_list,
            subscriber.email,
            BlockReason.BOUNCED,
            note=subscriber.suspended_reason,
        )
        audit.record(
            actor=None,
            action="outreach.suspend",
            obj=subscriber,
            after={"status": subscriber.status},
        )
    subscriber.save(update_fields=fields)
    return suspend


def record_delivered(subscriber: Subscriber) -> None:
    """A message accepted by the server: the count of temporary failures starts again."""
    if subscriber.soft_bounces:
        Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounces=0)
