"""How django-axes identifies a login attempt: the email, normalised, and the client address.

Behind a reverse proxy every request comes from the proxy's address; the real client is the
entry the last trusted proxy appended to X-Forwarded-For (TRUSTED_PROXY_COUNT proxies).
"""

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
