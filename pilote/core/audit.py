"""Audit events: every service write calls `record()` once, inside its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pilote.core.models import AuditEvent

SYSTEM_LABEL = "Système"
# Secrets never reach the audit trail; a short digest still shows that they changed.
SECRET_FIELDS = {"password", "token_hash"}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset):  # no order of its own: a stable one, by text
        return sorted((_json_value(v) for v in value), key=repr)
    if isinstance(value, list | tuple):  # the order is part of the value (e.g. porteurs)
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, JSON-ready (foreign keys as their primary key)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS:
            digest = hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""
            values[field.name] = f"masqué ({digest})" if digest else ""
        else:
            values[field.name] = _json_value(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. `actor` is a user or None for the system (imports, demo)."""
    changes = diff(before or {}, after or {})
    if extra:
        changes.update({k: [None, _json_value(v)] for k, v in extra.items()})
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_full_name() or actor.email) if is_user else SYSTEM_LABEL,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        changes=changes,
    )
