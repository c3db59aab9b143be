"""Every write on the newsletter's subscribers and issues, audited; plus the RGPD right of
access (an export, no write). Sending belongs to `sending.py`; what stops a subscriber
receiving the list (unsubscribe, bounces, the do-not-contact list) to `subscriptions.py`.

Every team write checks `perms.can_manage` (TI manager of the list's territory) again and
raises `PermissionDenied`; the public ones (`public_subscribe`, `confirm`) need no account:
the confirmation token proves the mailbox (double opt-in).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from pilote.accounts.perms import is_ti_manager
from pilote.core import audit, locking
from pilote.core.emails import queue_email
from pilote.core.models import AuditEvent
from pilote.core.tokens import hash_token
from pilote.outreach import perms, subscriptions
from pilote.outreach.enums import (
    BlockReason,
    IssueStatus,
    LegalBasis,
    SectionKind,
    Source,
    SubscriberKind,
    SubscriberStatus,
)
from pilote.outreach.models import DoNotContact, Issue, MailingList, Section, Subscriber

ERASED = "[effacé]"
CONFIRMATION_DAYS = 7
# A pending address asked again within this delay gets no second confirmation e-mail.
RESEND_AFTER = dt.timedelta(minutes=15)
EDITABLE_FIELDS = [
    "email", "first_name", "last_name", "organisation", "kind", "legal_basis", "consent_proof",
]  # fmt: skip
AUDITED_FIELDS = [
    *EDITABLE_FIELDS, "source", "status", "contact", "establishment", "confirmed_at",
    "unsubscribed_at", "suspended_reason",
]  # fmt: skip
ISSUE_EDITABLE_STATUSES = (IssueStatus.DRAFT, IssueStatus.READY)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check(user, mailing_list: MailingList, what: str) -> None:
    if not perms.can_manage(user, mailing_list):
        raise PermissionDenied(f"Vous ne pouvez pas {what} sur cette lettre d'information.")


def french_moment(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"le {local:%d/%m/%Y} à {local:%H:%M}"


# --- The list ---------------------------------------------------------------------------------


def mailing_list_defaults(sender_name: str = "") -> dict[str, str]:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return {
        "sender_name": (sender_name or name or settings.SITE_NAME)[:200],
        "sender_email": address or settings.DEFAULT_FROM_EMAIL,
    }


@transaction.atomic
def mailing_list_create(*, acting_user, territory, sender_name: str = "") -> MailingList:
    """The territory's list (one per territory today), created on first use."""
    if acting_user is not None and not is_ti_manager(acting_user, territory):
        raise PermissionDenied("Vous ne pouvez pas créer la lettre d'information.")
    mailing_list, created = MailingList.objects.get_or_create(
        territory=territory,
        name="Lettre d'information",
        defaults=mailing_list_defaults(sender_name),
    )
    if created:
        audit.record(
            actor=acting_user,
            action="outreach.list.create",
            obj=mailing_list,
            after=audit.snapshot(mailing_list),
        )
    return mailing_list


@transaction.atomic
def mailing_list_set_tracking(*, acting_user, mailing_list: MailingList, tracking: bool) -> bool:
    """Turn the measure of opens and clicks on or off (TI manager of the list's territory;
    audited). Returns whether it changed. Messages already sent keep their links: with
    tracking off their pixel and links record nothing (docs/outreach.md#statistiques)."""
    _check(acting_user, mailing_list, "régler la lettre d'information")
    mailing_list = MailingList.objects.select_for_update().get(pk=mailing_list.pk)
    if mailing_list.tracking == tracking:
        return False
    before = mailing_list.tracking
    mailing_list.tracking = tracking
    mailing_list.save(update_fields=["tracking", "updated_at"])
    audit.record(
        actor=acting_user,
        action="outreach.list.tracking",
        obj=mailing_list,
        before={"tracking": before},
        after={"tracking": tracking},
    )
    return True


# --- Subscribers ------------------------------------------------------------------------------


def _snapshot(subscriber: Subscriber) -> dict[str, Any]:
    return audit.snapshot(subscriber, AUDITED_FIELDS)


def blocked_message(entry: DoNotContact, email: str) -> str:
    reason = entry.get_reason_display().lower()
    note = f" — {entry.note}" if entry.note and entry.email else ""
    since = timezone.localtime(entry.created_at).strftime("%d/%m/%Y")
    return (
        f"{email} est sur la liste des adresses à ne plus contacter depuis le {since} "
        f"(motif : {reason}{note}) : elle ne peut pas être abonnée."
    )


def _check_address(mailing_list: MailingList, email: str, *, exclude_pk: int | None = None):
    entry = subscriptions.is_blocked(mailing_list, email)
    if entry is not None:
        raise ValidationError({"email": blocked_message(entry, email)})
    existing = Subscriber.objects.filter(mailing_list=mailing_list, email__iexact=email)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    found = existing.first()
    if found is not None:
        raise ValidationError(
            {"email": f"{email} est déjà dans la liste ({found.get_status_display().lower()})."}
        )


def _check_consent(legal_basis: str, consent_proof: str) -> None:
    if legal_basis not in LegalBasis.values:
        raise ValidationError({"legal_basis": "Base légale inconnue."})
    if not (consent_proof or "").strip():
        raise ValidationError(
            {
                "consent_proof": "Dites comment et quand la personne a accepté de recevoir la "
                "lettre (ou sur quelle autre base légale elle la reçoit)."
            }
        )


@transaction.atomic
def subscriber_create(
    *,
    acting_user,
    mailing_list: MailingList,
    email: str,
    legal_basis: str,
    consent_proof: str,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    kind: str = SubscriberKind.OTHER,
    contact=None,
    establishment=None,
    source: str = Source.TEAM,
) -> Subscriber:
    """An address the team enters (it answers for the consent): active at once, with its
    legal basis and the proof of consent. Refused, saying why, for an address on the
    do-not-contact list or already in the list."""
    _check(acting_user, mailing_list, "ajouter d'abonné")
    email = normalise_email(email)
    if not email:
        raise ValidationError({"email": "L'adresse électronique est obligatoire."})
    _check_consent(legal_basis, consent_proof)
    _check_address(mailing_list, email)
    subscriber = Subscriber.objects.create(
        mailing_list=mailing_list,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation.strip(),
        kind=kind,
        contact=contact,
        establishment=establishment,
        legal_basis=legal_basis,
        consent_proof=consent_proof.strip(),
        source=source,
        status=SubscriberStatus.ACTIVE,
        added_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="outreach.subscriber.create",
        obj=subscriber,
        after=_snapshot(subscriber),
    )
    return subscriber


@transaction.atomic
def subscriber_update(
    *, acting_user, subscriber: Subscriber, version: str | None = None, **changes
) -> Subscriber:
    """`version`: the one the edit form was read at (`core.locking`). A new address is
    checked against the do-not-contact list and the list like a new subscriber."""
    subscriber = locking.lock(subscriber, version)
    _check(acting_user, subscriber.mailing_list, "modifier cet abonné")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champ non modifiable : {', '.join(sorted(unknown))}")
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
        if not changes["email"]:
            raise ValidationError({"email": "L'adresse électronique est obligatoire."})
        if changes["email"] != subscriber.email:
            _check_address(subscriber.mailing_list, changes["email"], exclude_pk=subscriber.pk)
    _check_consent(
        changes.get("legal_basis", subscriber.legal_basis),
        changes.get("consent_proof", subscriber.consent_proof),
    )
    before = _snapshot(subscriber)
    for name, value in changes.items():
        setattr(subscriber, name, value.strip() if isinstance(value, str) else value)
    subscriber.save()
    audit.record(
        actor=acting_user,
        action="outreach.subscriber.update",
        obj=subscriber,
        before=before,
        after=_snapshot(subscriber),
    )
    return subscriber


@dataclass
class BatchResult:
    """What `subscribers_from_contacts` did: the subscribers added, and the addresses it
    skipped with why (on the do-not-contact list, already in the list)."""

    added: list[Subscriber] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def contacts_for(user, mailing_list: MailingList):
    """The contacts `user` may add to the list: those they see, with an e-mail, in the
    list's territory."""
    from pilote.contacts.models import Contact

    return (
        Contact.objects.visible_to(user)
        .filter(epci__in=mailing_list.territory.epcis.all())
        .exclude(email="")
    )


@transaction.atomic
def subscribers_from_contacts(
    *,
    acting_user,
    mailing_list: MailingList,
    contacts: Iterable,
    legal_basis: str,
    consent_proof: str,
    kind: str = SubscriberKind.INDUSTRIAL,
) -> BatchResult:
    """Add the chosen contacts (ids or contacts) with an e-mail that `acting_user` may see;
    the legal basis and the proof are given once for the batch. Addresses on the
    do-not-contact list or already in the list are skipped and reported; contacts the user
    may not see are ignored (as if they did not exist)."""
    _check(acting_user, mailing_list, "ajouter d'abonné")
    _check_consent(legal_basis, consent_proof)
    ids = [getattr(c, "pk", c) for c in contacts]
    chosen = (
        contacts_for(acting_user, mailing_list)
        .filter(pk__in=ids)
        .select_related("company", "main_establishment")
        .order_by("last_name", "first_name", "pk")
    )
    result = BatchResult()
    seen: set[str] = set()
    for contact in chosen:
        email = normalise_email(contact.email)
        if email in seen:
            continue
        seen.add(email)
        if subscriptions.is_blocked(mailing_list, email) is not None:
            result.blocked.append(email)
            continue
        if Subscriber.objects.filter(mailing_list=mailing_list, email__iexact=email).exists():
            result.existing.append(email)
            continue
        subscriber = Subscriber.objects.create(
            mailing_list=mailing_list,
            email=email,
            first_name=contact.first_name,
            last_name=contact.last_name,
            organisation=contact.company.display_name[:200],
            kind=kind,
            contact=contact,
            establishment=contact.main_establishment,
            legal_basis=legal_basis,
            consent_proof=consent_proof.strip(),
            source=Source.CONTACT,
            status=SubscriberStatus.ACTIVE,
            added_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action="outreach.subscriber.create",
            obj=subscriber,
            after=_snapshot(subscriber),
        )
        result.added.append(subscriber)
    return result


@transaction.atomic
def subscriber_unsubscribe(*, acting_user, subscriber: Subscriber) -> bool:
    """The team unsubscribes someone who asked it to (the address goes on the
    do-not-contact list). False when they were already unsubscribed."""
    _check(acting_user, subscriber.mailing_list, "désabonner cette personne")
    return subscriptions.unsubscribe(
        subscriber, acting_user=acting_user, how="à la demande de la personne"
    )


@transaction.atomic
def subscriber_block(
    *, acting_user, mailing_list: MailingList, email: str, note: str = ""
) -> tuple[DoNotContact, bool]:
    """Put an address on the do-not-contact list by decision of the team (reason
    « manual »); a subscriber with that address stops receiving the list at once. Returns
    the entry and whether it is new (an address already there keeps its first reason)."""
    _check(acting_user, mailing_list, "bloquer d'adresse")
    email = normalise_email(email)
    if not email:
        raise ValidationError({"email": "L'adresse électronique est obligatoire."})
    existing = subscriptions.is_blocked(mailing_list, email)
    entry = subscriptions.block(
        mailing_list, email, BlockReason.MANUAL, acting_user=acting_user, note=note.strip()
    )
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=email)
        .exclude(status=SubscriberStatus.UNSUBSCRIBED)
        .first()
    )
    if subscriber is not None:
        before = subscriber.status
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        audit.record(
            actor=acting_user,
            action="outreach.unsubscribe",
            obj=subscriber,
            before={"status": before},
            after={"status": subscriber.status, "how": "adresse bloquée par l'équipe"},
        )
    return entry, existing is None


def subscriber_export_personal_data(*, acting_user, subscriber: Subscriber) -> dict[str, Any]:
    """Everything Pilote holds about the subscriber (RGPD right of access): their record,
    the do-not-contact entry of their address, the issues sent to them and the audit
    events about them."""
    if acting_user is not None:
        _check(acting_user, subscriber.mailing_list, "exporter les données de cet abonné")
    mailing_list = subscriber.mailing_list
    entry = subscriptions.is_blocked(mailing_list, subscriber.email)
    events = AuditEvent.objects.for_object(subscriber).order_by("at", "id")
    deliveries = subscriber.deliveries.select_related("issue").order_by("issue__number")

    def moment(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "export": {
            "date": timezone.localtime().isoformat(),
            "objet": "Données personnelles détenues par Pilote (droit d'accès, RGPD art. 15)",
        },
        "personne": {
            "numero": subscriber.pk,
            "adresse_electronique": subscriber.email,
            "prenom": subscriber.first_name,
            "nom": subscriber.last_name,
            "organisation": subscriber.organisation,
            "categorie": subscriber.get_kind_display(),
        },
        "traitement": {
            "liste": mailing_list.name,
            "territoire": str(mailing_list.territory),
            "base_legale": subscriber.get_legal_basis_display(),
            "preuve_du_consentement": subscriber.consent_proof,
            "origine": subscriber.get_source_display(),
            "statut": subscriber.get_status_display(),
            "contact": subscriber.contact_id,
            "inscrit_le": moment(subscriber.created_at),
            "confirmation_demandee_le": moment(subscriber.confirmation_sent_at),
            "confirme_le": moment(subscriber.confirmed_at),
            "desabonne_le": moment(subscriber.unsubscribed_at),
            "echecs_temporaires_consecutifs": subscriber.soft_bounces,
            "motif_de_suspension": subscriber.suspended_reason,
        },
        "adresse_a_ne_plus_contacter": (
            {
                "motif": entry.get_reason_display(),
                "precision": entry.note,
                "depuis_le": moment(entry.created_at),
            }
            if entry is not None
            else None
        ),
        "envois": [
            {
                "numero": d.issue.number,
                "titre": d.issue.title,
                "statut": d.get_status_display(),
                "envoye_le": moment(d.sent_at),
                "ouvert_le": moment(d.opened_at),
            }
            for d in deliveries
        ],
        "historique": [
            {
                "date": timezone.localtime(event.at).isoformat(),
                "action": event.action,
                "auteur": event.actor_label,
                "modifications": event.changes,
            }
            for event in events
        ],
    }


def _erased(value):
    return ERASED if value not in (None, "") else value


def _scrub(text: str, email: str) -> str:
    """`text` without the address (an SMTP error often quotes it)."""
    if not text or not email:
        return text
    lowered = text.lower()
    out, start = [], 0
    while (i := lowered.find(email, start)) >= 0:
        out.append(text[start:i] + ERASED)
        start = i + len(email)
    out.append(text[start:])
    return "".join(out)


@transaction.atomic
def subscriber_erase(
    *, acting_user, subscriber: Subscriber, reason: str = "demande de la personne"
):
    """RGPD erasure: delete the subscriber and every personal value Pilote kept of them.

    Their audit events keep who did what and when, with the personal values replaced by
    « [effacé] »; their deliveries keep the issue and the status but lose the address; a
    do-not-contact entry of the address stays as its hash only (so that the address cannot
    be added again by mistake), its own events and note cleared of the address. A last
    « outreach.subscriber.erase » event records only the subscriber's number and the
    reason. `acting_user=None` is the system (a purge).
    """
    mailing_list = subscriber.mailing_list
    if acting_user is not None:
        _check(acting_user, mailing_list, "effacer cet abonné")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    pk, email = subscriber.pk, normalise_email(subscriber.email)
    placeholder = Subscriber(pk=pk, email=f"Abonné n°{pk}")
    events = list(AuditEvent.objects.for_object(subscriber).select_for_update())
    for event in events:
        event.object_repr = str(placeholder)
        event.changes = {
            name: [_erased(v) for v in values] if name in Subscriber.PERSONAL_FIELDS else values
            for name, values in event.changes.items()
        }
    AuditEvent.objects.bulk_update(events, ["object_repr", "changes"])
    entry = subscriptions.is_blocked(mailing_list, email)
    if entry is not None:
        entry.email = ""
        entry.note = _scrub(entry.note, email)
        entry.save(update_fields=["email", "note", "updated_at"])
        entry_events = list(AuditEvent.objects.for_object(entry).select_for_update())
        for event in entry_events:
            event.object_repr = str(entry)  # « adresse effacée »
        AuditEvent.objects.bulk_update(entry_events, ["object_repr"])
    for delivery in subscriber.deliveries.select_for_update():
        delivery.email = ""
        delivery.last_error = _scrub(delivery.last_error, email)
        delivery.save(update_fields=["email", "last_error"])
    subscriber.delete()
    audit.record(
        actor=acting_user,
        action="outreach.subscriber.erase",
        obj=placeholder,
        extra={"liste": mailing_list.pk, "motif": reason},
    )


# --- Public subscription (double opt-in) ------------------------------------------------------


@transaction.atomic
def public_subscribe(
    *,
    mailing_list: MailingList,
    email: str,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    kind: str = SubscriberKind.OTHER,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The public form: a new address becomes a `pending` subscriber and receives a
    confirmation link (valid `CONFIRMATION_DAYS` days); a pending one is refreshed and gets
    a new link (not twice within `RESEND_AFTER`). An address already subscribed, blocked or
    suspended changes nothing. Returns nothing: the page answers the same in every case, so
    that it never tells whether an address is known."""
    now = now or timezone.now()
    email = normalise_email(email)
    if not email or subscriptions.is_blocked(mailing_list, email) is not None:
        return
    proof = f"formulaire public, {french_moment(now)}, adresse IP {ip or 'inconnue'}"
    values = {
        "first_name": first_name.strip()[:100],
        "last_name": last_name.strip()[:100],
        "organisation": organisation.strip()[:200],
        "kind": kind if kind in SubscriberKind.values else SubscriberKind.OTHER,
    }
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=email)
        .first()
    )
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            mailing_list=mailing_list,
            email=email,
            legal_basis=LegalBasis.CONSENT,
            consent_proof=proof,
            source=Source.PUBLIC_FORM,
            status=SubscriberStatus.PENDING,
            **values,
        )
        audit.record(
            actor=None,
            action="outreach.subscriber.public_subscribe",
            obj=subscriber,
            after=_snapshot(subscriber),
        )
    elif subscriber.status == SubscriberStatus.PENDING:
        if now - subscriber.updated_at < RESEND_AFTER:  # asked, or its link sent, just now
            return
        before = _snapshot(subscriber)
        for name, value in values.items():
            setattr(subscriber, name, value)
        subscriber.consent_proof = proof
        subscriber.confirmation_hash = ""  # the earlier link stops working
        subscriber.save()
        audit.record(
            actor=None,
            action="outreach.subscriber.public_subscribe",
            obj=subscriber,
            before=before,
            after=_snapshot(subscriber),
        )
    else:
        return
    queue_email("outreach.confirm", subscriber_id=subscriber.pk)


@transaction.atomic
def confirmation_issue(*, subscriber_id: int) -> tuple[Subscriber, str] | None:
    """A new confirmation link for a pending subscriber, issued when its e-mail is sent
    (`outreach.emails`), or None if they are gone or no longer pending. Only its hash is
    stored: the raw token exists in that e-mail alone."""
    subscriber = (
        Subscriber.objects.select_for_update()
        .select_related("mailing_list__territory")
        .filter(pk=subscriber_id, status=SubscriberStatus.PENDING)
        .first()
    )
    if subscriber is None or subscriptions.is_blocked(subscriber.mailing_list, subscriber.email):
        return None
    token = secrets.token_urlsafe(32)
    subscriber.confirmation_hash = hash_token(token)
    subscriber.confirmation_sent_at = timezone.now()
    subscriber.save(update_fields=["confirmation_hash", "confirmation_sent_at", "updated_at"])
    audit.record(actor=None, action="outreach.subscriber.confirmation_send", obj=subscriber)
    return subscriber, token


def _pending_by_token(token: str, now: dt.datetime, *, lock: bool = False):
    if not token:
        return None
    rows = Subscriber.objects.select_related("mailing_list__territory")
    if lock:
        rows = rows.select_for_update()
    subscriber = rows.filter(
        confirmation_hash=hash_token(token),
        status=SubscriberStatus.PENDING,
        confirmation_sent_at__gt=now - dt.timedelta(days=CONFIRMATION_DAYS),
    ).first()
    if subscriber is None or subscriptions.is_blocked(subscriber.mailing_list, subscriber.email):
        return None
    return subscriber


def pending_by_token(token: str, now: dt.datetime | None = None) -> Subscriber | None:
    """The pending subscriber a (non-expired) confirmation link names, or None."""
    return _pending_by_token(token, now or timezone.now())


@transaction.atomic
def confirm(*, token: str, now: dt.datetime | None = None) -> Subscriber | None:
    """The confirmation link (no login: the token proves the mailbox): the subscriber
    becomes active, the proof of consent says when. None for an unknown, used or expired
    link."""
    now = now or timezone.now()
    subscriber = _pending_by_token(token, now, lock=True)
    if subscriber is None:
        return None
    before = _snapshot(subscriber)
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = now
    subscriber.confirmation_hash = ""
    subscriber.consent_proof = (
        f"{subscriber.consent_proof} ; confirmé par lien {french_moment(now)}"
    )
    subscriber.save()
    audit.record(
        actor=None,
        action="outreach.subscriber.confirm",
        obj=subscriber,
        before=before,
        after=_snapshot(subscriber),
    )
    return subscriber


def expired_pending(now: dt.datetime | None = None):
    """The pending subscribers whose confirmation link expired, or who never got one, more
    than `CONFIRMATION_DAYS` days ago: never confirmed, so no consent and nothing to keep
    (erased by the daily command `purge_subscribers`)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=CONFIRMATION_DAYS)
    from django.db.models import Q

    return Subscriber.objects.filter(status=SubscriberStatus.PENDING).filter(
        Q(confirmation_sent_at__lt=cutoff)
        | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
    )


# --- Issues -----------------------------------------------------------------------------------


def _issue_snapshot(issue: Issue) -> dict[str, Any]:
    values = audit.snapshot(issue, ["number", "title", "status", "published_on"])
    for section in issue.sections.all():
        values[f"{section.kind}.title"] = section.title
        values[f"{section.kind}.body"] = section.body
    return values


@transaction.atomic
def issue_create(
    *,
    acting_user,
    mailing_list: MailingList,
    title: str,
    published_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Issue:
    """The next numbered edition (the list's highest number + 1), with every fixed section
    in `SectionKind` order, pre-filled from Pilote's data (`sections.prefill`)."""
    from pilote.outreach import sections as prefilling

    _check(acting_user, mailing_list, "créer de numéro")
    if not (title or "").strip():
        raise ValidationError({"title": "Le titre est obligatoire."})
    MailingList.objects.select_for_update().get(pk=mailing_list.pk)  # one number at a time
    number = (mailing_list.issues.aggregate(top=Max("number"))["top"] or 0) + 1
    issue = Issue.objects.create(
        mailing_list=mailing_list,
        number=number,
        title=title.strip(),
        published_on=published_on,
        author=acting_user,
    )
    bodies = prefilling.prefill(issue, today or timezone.localdate())
    Section.objects.bulk_create(
        Section(issue=issue, kind=kind, title=kind.label, body=bodies.get(kind, ""), position=i)
        for i, kind in enumerate(SectionKind)
    )
    audit.record(
        actor=acting_user, action="outreach.issue.create", obj=issue, after=_issue_snapshot(issue)
    )
    return issue


def _check_editable(issue: Issue) -> None:
    if issue.status not in ISSUE_EDITABLE_STATUSES:
        raise ValidationError(
            f"Le numéro est « {issue.get_status_display().lower()} » : il ne se modifie plus."
        )


@transaction.atomic
def issue_update(
    *,
    acting_user,
    issue: Issue,
    version: str | None = None,
    sections: dict[str, dict[str, str]] | None = None,
    **changes,
) -> Issue:
    """Title, date of publication, and each section's title and body (`sections`: kind →
    {"title", "body"}); only while the issue is a draft or ready. `version`: optimistic
    locking (`core.locking`)."""
    issue = locking.lock(issue, version)
    _check(acting_user, issue.mailing_list, "modifier ce numéro")
    _check_editable(issue)
    unknown = set(changes) - {"title", "published_on"}
    if unknown:
        raise ValueError(f"Champ non modifiable : {', '.join(sorted(unknown))}")
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationError({"title": "Le titre est obligatoire."})
    before = _issue_snapshot(issue)
    for name, value in changes.items():
        setattr(issue, name, value.strip() if isinstance(value, str) else value)
    for section in issue.sections.all():
        new = (sections or {}).get(section.kind)
        if not new:
            continue
        title = (new.get("title", section.title) or "").strip()[:200]
        body = new.get("body", section.body) or ""
        if (title, body) != (section.title, section.body):
            section.title, section.body = title, body
            section.save(update_fields=["title", "body"])
    issue.save()  # a new version, even when only a section changed
    after = _issue_snapshot(issue)
    audit.record(
        actor=acting_user, action="outreach.issue.update", obj=issue, before=before, after=after
    )
    return issue


@transaction.atomic
def issue_set_status(
    *, acting_user, issue: Issue, status: str, version: str | None = None
) -> Issue:
    """Draft ↔ ready only: sending and sent belong to the sending engine (`sending.py`)."""
    issue = locking.lock(issue, version)
    _check(acting_user, issue.mailing_list, "changer le statut de ce numéro")
    allowed = {
        IssueStatus.DRAFT: IssueStatus.READY,
        IssueStatus.READY: IssueStatus.DRAFT,
    }
    if allowed.get(issue.status) != status:
        raise ValidationError(
            f"Un numéro « {issue.get_status_display().lower()} » ne peut pas passer à "
            f"« {IssueStatus(status).label.lower() if status in IssueStatus.values else status} »"
            " ici."
        )
    before = issue.status
    issue.status = status
    issue.save()
    audit.record(
        actor=acting_user,
        action="outreach.issue.status",
        obj=issue,
        before={"status": before},
        after={"status": status},
    )
    return issue


def issue_render(issue: Issue) -> str:
    """The HTML of the issue's body (title and sections with a text, Markdown rendered and
    sanitised), shared by the preview, the web version and the e-mail."""
    return render_to_string(
        "outreach/_issue_body.html",
        {"issue": issue, "sections": [s for s in issue.sections.all() if s.body.strip()]},
    )


def mailing_list_of(request) -> MailingList:
    """The current territory's list, created on first use — the first POST (a GET writes
    nothing: until then it is an unsaved list, with nothing in it) — with the TI manager's
    organisation as sender name and `DEFAULT_FROM_EMAIL` as sender address; 404 for anyone
    who is not a TI manager of the current territory. Views filter on
    `mailing_list_id=mailing_list.pk`, which finds nothing for the unsaved list."""
    territory = getattr(request, "territory", None)
    if territory is None or not is_ti_manager(request.user, territory):
        raise Http404
    found = MailingList.objects.filter(territory=territory).order_by("pk").first()
    if found is not None:
        return found
    membership = getattr(request, "membership", None)
    organisation = membership.organisation.name if membership is not None else ""
    if request.method != "POST":
        return MailingList(territory=territory, **mailing_list_defaults(organisation))
    return mailing_list_create(
        acting_user=request.user, territory=territory, sender_name=organisation
    )
