"""Emails: kinds registered by the apps, queued with references, built when they are sent.

A queued email carries only references — ids and plain non-secret scalars such as an ISO
date — never an address, a link, a token or a word of its text: with the database task
backend a task's arguments are stored in a table the technical admin shows. When the task
runs, the kind's `build(**refs)` loads what it needs and returns an `Envelope` (recipients
and template context), or raises `NotSent` when there is nothing to send any more (the
invitation was revoked, the account deactivated, the digest is now empty): the task logs
why and sends nothing.

Each app registers its kinds in its own `emails.py` (imported by `CoreConfig.ready`), e.g.:

    @emails.register("accounts.invitation", template="emails/invitation")
    def invitation(*, invitation_id: int) -> emails.Envelope: ...

Templates: `<template>-subject.txt`, `-body.txt`, `-body.html`, rendered with `site_url` and
`site_name` added. `queue_email(kind, **refs)` never sends inside a transaction: the task is
enqueued once the surrounding transaction commits, so a rolled-back write sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

logger = logging.getLogger(__name__)

# The longest string reference: an ISO datetime with microseconds and offset (32 characters).
MAX_REF_LENGTH = 40


@dataclass(frozen=True)
class Envelope:
    to: list[str]
    context: dict
    # (file name, content, MIME type), built at send time like the rest of the message
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


class NotSent(Exception):
    """Raised by a build function when there is nothing to send any more. Its message says
    why, for the log and the task's result: ids only, no content."""


@dataclass(frozen=True)
class Kind:
    template: str
    build: Callable[..., Envelope]


_kinds: dict[str, Kind] = {}


def register(kind: str, *, template: str):
    """Register `build(**refs) -> Envelope` as the email `kind`, rendered from `template`."""

    def decorator(build):
        known = _kinds.get(kind)
        if known is not None and known.build.__qualname__ != build.__qualname__:
            raise ImproperlyConfigured(f"Email kind {kind!r} registered twice.")
        _kinds[kind] = Kind(template=template, build=build)
        return build

    return decorator


def kinds() -> dict[str, Kind]:
    return dict(_kinds)


def _is_ref(value) -> bool:
    if value is None or isinstance(value, bool | int):
        return True
    return isinstance(value, str) and len(value) <= MAX_REF_LENGTH


def check_refs(refs: dict) -> None:
    """References are ids and short scalars (an ISO date), or lists of ids: nothing that
    could be an email's content."""
    for name, value in refs.items():
        values = value if isinstance(value, list | tuple) else [value]
        if not all(_is_ref(v) for v in values):
            raise TypeError(
                f"Email reference {name!r} must be an id or a short scalar, not "
                f"{type(value).__name__}: a task carries references, not content."
            )


@task()
def send_queued_email(*, kind: str, refs: dict) -> str:
    """The task: build and send one email from its references, when it runs — "sent", or
    "not sent: <why>" when what it was about is gone."""
    return send(kind, **refs)


def queue_email(kind: str, **refs) -> None:
    """Send the email `kind` about `refs` once the current transaction commits."""
    if kind not in _kinds:
        raise LookupError(f"Unknown email kind {kind!r}.")
    refs = {k: list(v) if isinstance(v, tuple) else v for k, v in refs.items()}
    check_refs(refs)
    transaction.on_commit(lambda: send_queued_email.enqueue(kind=kind, refs=refs))


def render_email(template: str, context: dict) -> dict[str, str]:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"{template}-subject.txt", context)
    return {
        "subject": " ".join(subject.split()),
        "text": render_to_string(f"{template}-body.txt", context),
        "html": render_to_string(f"{template}-body.html", context),
    }


def send(kind: str, **refs) -> str:
    """Build the email `kind` about `refs` now and send it: "sent", or "not sent: <why>"."""
    entry = _kinds[kind]
    try:
        envelope = entry.build(**refs)
    except NotSent as reason:
        logger.info("Email %s %s not sent: %s", kind, refs, reason)
        return f"not sent: {reason}"
    message = render_email(entry.template, envelope.context)
    email = EmailMultiAlternatives(
        message["subject"], message["text"], settings.DEFAULT_FROM_EMAIL, envelope.to
    )
    email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in envelope.attachments:
        email.attach(name, content, mimetype)
    email.send()
    logger.info("Email %s %s sent to %d recipient(s)", kind, refs, len(envelope.to))
    return "sent"
