"""How django-axes identifies a login attempt: the email, normalised, and the client address.

Failures lock a (email, address) pair — a stranger failing from their own address does not
lock the account's owner out from theirs — and an address (password spraying); see
AXES_LOCKOUT_PARAMETERS in the settings.

Behind a reverse proxy every request comes from the proxy's address; the real client is the
entry the last trusted proxy appended to X-Forwarded-For (TRUSTED_PROXY_COUNT proxies).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings


def username(request, credentials) -> str | None:
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value.strip().lower() if value else value


def client_ip(request) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(count, len(hops))]
    return request.META.get("REMOTE_ADDR")


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, but a successful login clears only that account's
    failures from that address: with the default, it cleared every failure of the address,
    so a sprayer holding one valid account could log in to reset its own counter."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
