"""Every write on aid schemes: keyword-only, atomic, permission-checked, audited.

`acting_user=None` is the system (the import and export commands, the demo, the weekly
alerts); a user is checked against `perms`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.enums import Role
from pilote.accounts.models import Membership, User, hash_token
from pilote.aids import etalab, perms
from pilote.aids.detection import Detection, load
from pilote.aids.enums import Schema
from pilote.aids.models import (
    AidFeed,
    AidScheme,
    CallWindow,
    Dispatch,
    DispatchLine,
    SavedSearch,
    SchemeNote,
    Subscription,
)
from pilote.core import audit, feeds, locking
from pilote.core.emails import queue_email
from pilote.core.validators import check_fields

# Fields a person edits on the scheme form (the etalab ones and the team's).
SCHEME_FIELDS = [*etalab.model_fields(Schema.PRO), "themes", "level", "is_demo"]
WINDOW_FIELDS = ["kind", "label", "opens_on", "closes_on"]
SEARCH_FIELDS = ["name", "query", "themes", "levels", "carrier", "notify_new", "notify_closing"]


def _check_editor(user) -> None:
    if user is not None and not perms.can_edit_catalogue(user):
        raise PermissionDenied(
            "Seuls le chef de projet TI et l'administrateur modifient le catalogue."
        )


def _now_to_second() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


# -- catalogue ---------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(*, acting_user, **values) -> AidScheme:
    _check_editor(acting_user)
    unknown = set(values) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    values.setdefault("source_updated_at", _now_to_second())
    scheme = AidScheme(**values)
    scheme.refresh_tags()
    scheme.full_clean()
    scheme.save()
    audit.record(
        actor=acting_user, action="aid_scheme.create", obj=scheme, after=audit.snapshot(scheme)
    )
    return scheme


@transaction.atomic
def scheme_update(
    *, acting_user, scheme: AidScheme, version: str | None = None, **changes
) -> AidScheme:
    """Change a scheme; `date_mise_a_jour` becomes now unless given (the schema's rule).
    `version`: the one the edit form was read at (`core.locking`)."""
    _check_editor(acting_user)
    scheme = locking.lock(scheme, version)
    before = audit.snapshot(scheme)
    for name, value in changes.items():
        if name not in SCHEME_FIELDS:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(scheme, name, value)
    if "source_updated_at" not in changes:
        scheme.source_updated_at = _now_to_second()
    scheme.refresh_tags()
    scheme.full_clean()
    scheme.save()
    audit.record(
        actor=acting_user,
        action="aid_scheme.update",
        obj=scheme,
        before=before,
        after=audit.snapshot(scheme),
    )
    return scheme


@transaction.atomic
def scheme_delete(*, acting_user, scheme: AidScheme) -> None:
    _check_editor(acting_user)
    audit.record(
        actor=acting_user, action="aid_scheme.delete", obj=scheme, before=audit.snapshot(scheme)
    )
    scheme.delete()


def _check_window(opens_on, closes_on) -> None:
    check_fields(CallWindow, opens_on=opens_on, closes_on=closes_on)
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": "La clôture précède l'ouverture."})


@transaction.atomic
def window_create(*, acting_user, scheme: AidScheme, **values) -> CallWindow:
    _check_editor(acting_user)
    _check_window(values.get("opens_on"), values.get("closes_on"))
    window = CallWindow.objects.create(scheme=scheme, **values)
    audit.record(
        actor=acting_user, action="call_window.create", obj=window, after=audit.snapshot(window)
    )
    return window


@transaction.atomic
def window_update(
    *, acting_user, window: CallWindow, version: str | None = None, **changes
) -> CallWindow:
    _check_editor(acting_user)
    window = locking.lock(window, version)
    before = audit.snapshot(window, WINDOW_FIELDS)
    for name, value in changes.items():
        if name not in WINDOW_FIELDS:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(window, name, value)
    _check_window(window.opens_on, window.closes_on)
    window.save()
    audit.record(
        actor=acting_user,
        action="call_window.update",
        obj=window,
        before=before,
        after=audit.snapshot(window, WINDOW_FIELDS),
    )
    return window


@transaction.atomic
def window_delete(*, acting_user, window: CallWindow) -> None:
    _check_editor(acting_user)
    audit.record(
        actor=acting_user, action="call_window.delete", obj=window, before=audit.snapshot(window)
    )
    window.delete()


# -- etalab import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    schema: str = ""
    read: int = 0
    kept: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[etalab.FieldError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "read": self.read,
            "kept": self.kept,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
        }


def _comparable(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


@transaction.atomic
def catalogue_import(*, acting_user, stream, wet_run: bool = True) -> ImportReport:
    """Import a CSV in either etalab schema, idempotent by `id`.

    Every record is validated first; invalid ones are reported (record number, field) and
    skipped, valid ones are kept. The writes of a run are one transaction: a failure
    leaves the catalogue as it was. A record identical to the stored scheme changes
    nothing (no update, no audit event). A file of the base schema writes only its fields.
    """
    _check_editor(acting_user)
    catalogue = etalab.read_catalogue(stream)
    report = ImportReport(schema=catalogue.schema, unknown_columns=catalogue.unknown_columns)
    fields = etalab.model_fields(catalogue.schema)
    valid = []
    for record in catalogue.records:
        report.read += 1
        if record.is_valid:
            valid.append(record)
        else:
            report.errors.extend(record.errors)
    report.kept = len(valid)
    report.rejected = report.read - report.kept
    existing = {
        s.etalab_id: s
        for s in AidScheme.objects.filter(etalab_id__in=[r.values["etalab_id"] for r in valid])
    }
    for record in valid:
        values = {name: record.values[name] for name in fields}
        scheme = existing.get(values["etalab_id"])
        if scheme is None:
            scheme = AidScheme(source_schema=catalogue.schema, **values)
            scheme.refresh_tags()
            if wet_run:
                scheme.save()
                audit.record(
                    actor=acting_user,
                    action="aid_scheme.import_create",
                    obj=scheme,
                    after=audit.snapshot(scheme, fields),
                )
            report.created += 1
            continue
        changed = [
            name
            for name in fields
            if _comparable(getattr(scheme, name)) != _comparable(values[name])
        ]
        if not changed:
            continue
        before = audit.snapshot(scheme, changed)
        for name in changed:
            setattr(scheme, name, values[name])
        scheme.refresh_tags()
        if wet_run:
            scheme.save()
            audit.record(
                actor=acting_user,
                action="aid_scheme.import_update",
                obj=scheme,
                before=before,
                after=audit.snapshot(scheme, changed),
            )
        report.updated += 1
    if wet_run and (report.created or report.updated or report.rejected):
        audit.record(
            actor=acting_user,
            action="aid_scheme.import",
            extra={**report.summary(), "schema": catalogue.schema},
        )
    if not wet_run:
        transaction.set_rollback(True)
    return report


# -- internal notes ----------------------------------------------------------------------------


@transaction.atomic
def note_create(*, acting_user, scheme: AidScheme, epci, body: str, visibility: str) -> SchemeNote:
    if not access.can_write_on(acting_user, epci):
        raise PermissionDenied("Vous ne pouvez pas écrire de note pour cet EPCI.")
    note = SchemeNote.objects.create(
        scheme=scheme,
        epci=epci,
        body=body,
        visibility=visibility,
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, epci),
    )
    audit.record(
        actor=acting_user, action="scheme_note.create", obj=note, after=audit.snapshot(note)
    )
    return note


@transaction.atomic
def note_update(
    *, acting_user, note: SchemeNote, body: str, visibility: str, version: str | None = None
) -> SchemeNote:
    note = locking.lock(note, version)
    if not access.can_edit(acting_user, note):
        raise PermissionDenied("Vous ne pouvez pas modifier cette note.")
    before = audit.snapshot(note, ["body", "visibility"])
    note.body, note.visibility = body, visibility
    note.save()
    audit.record(
        actor=acting_user,
        action="scheme_note.update",
        obj=note,
        before=before,
        after=audit.snapshot(note, ["body", "visibility"]),
    )
    return note


# -- informing the EPCIs -----------------------------------------------------------------------


def epci_recipients(territory, epci) -> list[str]:
    """The active EPCI agents of `epci` in `territory`: who receives its list."""
    return sorted(
        set(
            Membership.objects.active()
            .filter(
                territory=territory,
                role=Role.EPCI_AGENT,
                organisation__epci=epci,
                user__is_active=True,
            )
            .values_list("user__email", flat=True)
        )
    )


def window_start(scheme: AidScheme, today: dt.date | None = None) -> dt.date | None:
    """The first day of the call window a dispatch made today belongs to: dispatches since
    then are « already informed ». The window is the first one not yet closed (the open
    one, else the next), else the last one; it starts the day after the previous window
    closed. None: the whole life of the scheme (no window, or no earlier window)."""
    today = today or timezone.localdate()
    windows = sorted(scheme.effective_windows(), key=lambda w: w.opens_on or dt.date.min)
    if not windows:
        return None
    current = next((w for w in windows if not w.closes_on or w.closes_on >= today), windows[-1])
    limit = current.opens_on or today
    earlier = [
        w.closes_on for w in windows if w is not current and w.closes_on and w.closes_on < limit
    ]
    return max(earlier) + dt.timedelta(days=1) if earlier else None


@dataclass
class PlannedSend:
    """What « informer » would do for one EPCI of a detection."""

    epci: object
    recipients: list[str]
    lines: list  # the detected lines to send: all of them, or only the new ones
    detected: int  # detected for this EPCI now
    previous: Dispatch | None = None  # the last dispatch of this call window, if any

    @property
    def status(self) -> str:
        if not self.recipients:
            return "no_recipient"
        if self.previous is None:
            return "send"
        return "update" if self.lines else "already"

    @property
    def sends(self) -> bool:
        return self.status in ("send", "update")

    @property
    def already_on(self) -> dt.date | None:
        return timezone.localdate(self.previous.created_at) if self.previous else None


@dataclass
class InformPlan:
    items: list[PlannedSend]
    since: dt.date | None

    @property
    def key(self) -> str:
        """A digest of what would be sent: a confirmation applies to this plan only."""
        import hashlib

        parts = [
            f"{item.epci.pk}:{','.join(item.recipients)}:"
            + ",".join(str(line.facts.pk) for line in item.lines)
            for item in self.items
            if item.sends
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    @property
    def to_send(self) -> list[PlannedSend]:
        return [item for item in self.items if item.sends]


def inform_plan(*, detection: Detection, territory, today: dt.date | None = None) -> InformPlan:
    """For each EPCI of the detection: its recipients, and what is new since the dispatches
    of the current call window (`window_start`). An EPCI already informed gets nothing
    again; if establishments were detected since, it gets those only."""
    since = window_start(detection.scheme, today)
    earlier = Dispatch.objects.filter(scheme=detection.scheme, territory=territory)
    if since is not None:
        start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
        earlier = earlier.filter(created_at__gte=start)
    last: dict = {}
    for dispatch in earlier.select_related("epci").order_by("created_at", "pk"):
        last[dispatch.epci_id] = dispatch
    sent: dict = {}
    lines = DispatchLine.objects.filter(dispatch__in=[d.pk for d in earlier.only("pk")])
    for epci_id, establishment_id in lines.values_list("dispatch__epci_id", "establishment_id"):
        sent.setdefault(epci_id, set()).add(establishment_id)
    items = []
    for group in detection.groups:
        known = sent.get(group.epci.pk, set())
        items.append(
            PlannedSend(
                epci=group.epci,
                recipients=epci_recipients(territory, group.epci),
                lines=[line for line in group.lines if line.facts.pk not in known],
                detected=len(group.lines),
                previous=last.get(group.epci.pk),
            )
        )
    return InformPlan(items=items, since=since)


@dataclass
class InformReport:
    dispatches: list[Dispatch] = field(default_factory=list)
    without_recipient: list[str] = field(default_factory=list)  # EPCI names
    already: list[PlannedSend] = field(default_factory=list)  # informed, nothing new


@transaction.atomic
def inform_epcis(
    *, acting_user, detection: Detection, territory, message: str = "", epci_ids=None
) -> InformReport:
    """Email each EPCI of the detection its own establishments, and only them; file what
    was sent as a `Dispatch` of that EPCI (visibility « EPCI concerné »). Idempotent per
    call window (`inform_plan`): an EPCI already informed receives only the establishments
    detected since, and nothing at all when there are none. Every send is audited."""
    if not perms.can_inform_epcis(acting_user, territory):
        raise PermissionDenied("Seul le chef de projet TI informe les EPCI.")
    # Two confirmations at once must not both send: one at a time per scheme.
    AidScheme.objects.select_for_update().filter(pk=detection.scheme.pk).first()
    report = InformReport()
    territory_epcis = set(territory.epcis.values_list("pk", flat=True))
    for item in inform_plan(detection=detection, territory=territory).items:
        epci = item.epci
        if epci_ids is not None and epci.pk not in epci_ids:
            continue
        if epci.pk not in territory_epcis:
            raise PermissionDenied("Cet EPCI n'est pas membre du territoire.")
        if item.status == "no_recipient":
            report.without_recipient.append(epci.name)
            continue
        if item.status == "already":
            report.already.append(item)
            audit.record(
                actor=acting_user,
                action="dispatch.skip",
                obj=item.previous,
                extra={"reason": "déjà informé, aucun nouvel établissement"},
            )
            continue
        load(item.lines)
        dispatch = Dispatch.objects.create(
            scheme=detection.scheme,
            territory=territory,
            epci=epci,
            message=message,
            recipients=item.recipients,
            author=acting_user,
            author_organisation_id=access.writing_organisation_id(acting_user, epci),
        )
        DispatchLine.objects.bulk_create(
            DispatchLine(dispatch=dispatch, establishment=line.establishment, reasons=line.reasons)
            for line in item.lines
        )
        audit.record(
            actor=acting_user,
            action="dispatch.create",
            obj=dispatch,
            after=audit.snapshot(dispatch),
            extra={
                "establishments": [line.establishment.siret for line in item.lines],
                "follows": item.previous.pk if item.previous else None,
            },
        )
        queue_email(
            "aids.detection",
            dispatch_id=dispatch.pk,
            to_check=[line.facts.pk for line in item.lines if line.to_check],
            follows=item.previous.pk if item.previous else None,
        )
        report.dispatches.append(dispatch)
    return report


# -- saved searches and their subscriptions ---------------------------------------------------


def _check_owner(user, search: SavedSearch) -> None:
    if user is None or search.owner_id != user.pk:
        raise PermissionDenied("Cette recherche n'est pas la vôtre.")


@transaction.atomic
def search_create(*, acting_user, **values) -> SavedSearch:
    if not perms.can_save_searches(acting_user):
        raise PermissionDenied("Votre compte ne peut pas enregistrer de recherche.")
    search = SavedSearch.objects.create(owner=acting_user, **values)
    audit.record(
        actor=acting_user, action="saved_search.create", obj=search, after=audit.snapshot(search)
    )
    subscribe(acting_user=acting_user, search=search, email=acting_user.email)
    return search


@transaction.atomic
def search_update(
    *, acting_user, search: SavedSearch, version: str | None = None, **changes
) -> SavedSearch:
    """`version`: the one the edit form was read at (`core.locking`)."""
    search = locking.lock(search, version)
    _check_owner(acting_user, search)
    before = audit.snapshot(search, SEARCH_FIELDS)
    for name, value in changes.items():
        if name not in SEARCH_FIELDS:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(search, name, value)
    search.save()
    audit.record(
        actor=acting_user,
        action="saved_search.update",
        obj=search,
        before=before,
        after=audit.snapshot(search, SEARCH_FIELDS),
    )
    return search


@transaction.atomic
def search_delete(*, acting_user, search: SavedSearch) -> None:
    _check_owner(acting_user, search)
    audit.record(
        actor=acting_user, action="saved_search.delete", obj=search, before=audit.snapshot(search)
    )
    search.delete()


@transaction.atomic
def subscribe(*, acting_user, search: SavedSearch, email: str) -> Subscription:
    """Add an address to a saved search. An address of an active account of the instance
    is subscribed at once; any other one gets a confirmation link (double opt-in) and
    receives nothing until it is followed."""
    _check_owner(acting_user, search)
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    subscription, created = Subscription.objects.get_or_create(
        search=search, email=email, defaults={"user": user}
    )
    if not created and subscription.unsubscribed_at is None and subscription.confirmed_at:
        return subscription
    subscription.unsubscribed_at = None
    # No confirmation link yet (an earlier one stops working): the email's task issues it.
    subscription.confirm_token_hash = ""
    if user is not None:
        subscription.user = user
        subscription.confirmed_at = subscription.confirmed_at or timezone.now()
    else:
        subscription.confirmed_at = None
    subscription.save()
    audit.record(
        actor=acting_user,
        action="subscription.create",
        obj=subscription,
        after=audit.snapshot(subscription),
    )
    if user is None:
        queue_email("aids.confirm", subscription_id=subscription.pk)
    return subscription


@transaction.atomic
def subscription_confirmation_issue(*, subscription_id: int) -> tuple[Subscription, str] | None:
    """A new confirmation link for an outside address, issued when its email is sent
    (`aids.emails`), or None if the subscription is gone, confirmed or unsubscribed.

    Only its hash is stored: the raw token exists in that email alone, never in the database
    nor in the task queue.
    """
    subscription = (
        Subscription.objects.select_for_update()
        .filter(pk=subscription_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return None
    token = secrets.token_urlsafe(32)
    subscription.confirm_token_hash = hash_token(token)
    subscription.save(update_fields=["confirm_token_hash", "updated_at"])
    audit.record(actor=None, action="subscription.confirmation_send", obj=subscription)
    return subscription, token


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription | None:
    """The confirmation link of an external address (no login: the token proves the box)."""
    subscription = (
        Subscription.objects.select_for_update()
        .filter(confirm_token_hash=hash_token(token), confirmed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return None
    before = audit.snapshot(subscription, ["confirmed_at"])
    subscription.confirmed_at = timezone.now()
    subscription.confirm_token_hash = ""
    subscription.save()
    audit.record(
        actor=None,
        action="subscription.confirm",
        obj=subscription,
        before=before,
        after=audit.snapshot(subscription, ["confirmed_at"]),
    )
    return subscription


@transaction.atomic
def unsubscribe(*, key: str, acting_user=None) -> Subscription | None:
    """One click, from the link of any alert email, or by the search's owner."""
    subscription = Subscription.objects.select_for_update().filter(key=key).first()
    if subscription is None:
        return None
    if acting_user is not None:
        _check_owner(acting_user, subscription.search)
    if subscription.unsubscribed_at is None:
        before = audit.snapshot(subscription, ["unsubscribed_at"])
        subscription.unsubscribed_at = timezone.now()
        subscription.save()
        audit.record(
            actor=acting_user,
            action="subscription.unsubscribe",
            obj=subscription,
            before=before,
            after=audit.snapshot(subscription, ["unsubscribed_at"]),
        )
    return subscription


@transaction.atomic
def alert_sent(*, subscription: Subscription, at: dt.datetime) -> None:
    """The weekly email went out to `subscription` (system action, `send_aid_alerts`)."""
    before = audit.snapshot(subscription, ["last_sent_at"])
    subscription.last_sent_at = at
    subscription.save(update_fields=["last_sent_at", "updated_at"])
    audit.record(
        actor=None,
        action="subscription.alert_sent",
        obj=subscription,
        before=before,
        after=audit.snapshot(subscription, ["last_sent_at"]),
    )


# -- calendar feed -----------------------------------------------------------------------------


def feed_create(*, acting_user) -> tuple[AidFeed, str]:
    """A new secret address of the calls calendar; the previous one stops working."""
    if not perms.can_use_feed(acting_user):
        raise PermissionDenied("Votre compte n'a pas de calendrier des appels.")
    return feeds.create(AidFeed, acting_user=acting_user)


def feed_revoke(*, acting_user, feed: AidFeed) -> AidFeed:
    return feeds.revoke(feed, acting_user=acting_user)
