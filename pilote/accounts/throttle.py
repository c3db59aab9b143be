"""Throttling of password-reset emails, in Django's default cache.

At most one email per address every ADDRESS_WINDOW, and at most IP_LIMIT requests per client
address every IP_WINDOW. Both count every request, whether the address has an account or
not, and the page answers the same either way: throttling reveals nothing.
"""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

ADDRESS_WINDOW = 15 * 60  # seconds
IP_LIMIT = 10
IP_WINDOW = 60 * 60  # seconds


def _key(kind: str, value: str) -> str:
    return f"pilote:password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _count(key: str, window: int) -> int:
    """Increment the counter `key`, which lives `window` seconds from its first request."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def allow_password_reset(*, email: str, ip: str | None) -> bool:
    """Whether a reset email may be sent for `email`, asked from `ip`; counts the request."""
    if ip and _count(_key("ip", ip), IP_WINDOW) > IP_LIMIT:
        logger.warning("Password reset throttled: more than %d requests from %s", IP_LIMIT, ip)
        return False
    if not cache.add(_key("address", email.strip().lower()), 1, ADDRESS_WINDOW):
        logger.info("Password reset throttled: one email per address per 15 minutes")
        return False
    return True
