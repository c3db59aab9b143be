"""Every write on API tokens: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.api.models import ApiToken, Scope
from pilote.core import audit
from pilote.core.tokens import hash_token

DEFAULT_DAYS = 90
MAX_DAYS = 365
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute
AUDITED = ["name", "prefix", "scope", "expires_at", "revoked_at", "user"]


@transaction.atomic
def token_create(
    *, acting_user, user, name: str, scope: str = Scope.READ, days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token of `user`, valid `days` days. Returns it with its key, which is shown
    once and never stored. A user creates their own tokens (`acting_user=None`: an operator
    at the command line)."""
    if acting_user is not None and acting_user.pk != user.pk:
        raise PermissionDenied("Vous ne pouvez créer un jeton que pour vous-même.")
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé.")
    errors = {}
    if scope not in Scope.values:
        errors["scope"] = "Portée inconnue : choisissez lecture ou lecture et écriture."
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"La durée de validité va de 1 à {MAX_DAYS} jours."
    name = (name or "").strip()
    if not name:
        errors["name"] = "Donnez un nom au jeton (l'outil qui l'utilise)."
    if errors:
        raise ValidationError(errors)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=hash_token(key),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        actor=acting_user,
        action="api_token.create",
        obj=token,
        after=audit.snapshot(token, AUDITED),
    )
    return token, key


@transaction.atomic
def token_revoke(*, acting_user, token: ApiToken) -> ApiToken:
    """The token stops working at once. A user revokes their own tokens."""
    if acting_user is not None and acting_user.pk != token.user_id:
        raise PermissionDenied("Ce jeton n'est pas le vôtre.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        before = audit.snapshot(token, ["revoked_at"])
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=acting_user,
            action="api_token.revoke",
            obj=token,
            before=before,
            after=audit.snapshot(token, ["revoked_at"]),
        )
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The active token whose key is `key`: found by its prefix, then the hashes compared in
    constant time. None for an unknown, expired or revoked key."""
    if not key or len(key) < ApiToken.PREFIX_LENGTH or len(key) > 200:
        return None
    wanted = hash_token(key)
    candidates = ApiToken.objects.active().filter(prefix=key[: ApiToken.PREFIX_LENGTH])
    for token in candidates.select_related("user"):
        if hmac.compare_digest(token.key_hash, wanted):
            return token
    return None


def mark_used(token: ApiToken) -> None:
    """Stamp the token's last use, at most once a minute (a usage stamp, like the last
    login: not audited)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
