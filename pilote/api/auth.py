"""Who calls the API: `Authorization: Bearer <key>`, a personal token (pilote.api.models).

The request then acts as the token's user, exactly as their pages do: `request.user`,
`request.membership` and `request.territory` are resolved like the web middleware
(pilote.accounts.middleware), the territory chosen with `?territoire=<slug>` among the
user's memberships, else their first one. No session: a browser's cookie is never enough.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from pilote.accounts.models import Membership
from pilote.accounts.scope import get_scope
from pilote.api import services
from pilote.api.problems import ApiError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TERRITORY_PARAM = "territoire"
NUL = "\x00"


def _has_nul(request) -> bool:
    if NUL in request.path or any(NUL in k or NUL in v for k, v in request.GET.items()):
        return True
    body = request.body if request.method not in SAFE_METHODS else b""
    return b"\x00" in body or b"\\u0000" in body


def resolve_membership(request, user) -> Membership:
    memberships = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "territory")
        .order_by("pk")
    )
    slug = request.GET.get(TERRITORY_PARAM)
    if slug:
        membership = memberships.filter(territory__slug=slug).first()
        if membership is None:
            raise AuthorizationError(
                message=f"Vous n'êtes membre d'aucun territoire « {slug[:60]} »."
            )
        return membership
    membership = memberships.first()
    if membership is None:
        raise AuthorizationError(message="Ce compte n'est membre d'aucun territoire.")
    return membership


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = services.token_for_key(token.strip())
        if api_token is None:
            raise AuthenticationError(message="Jeton inconnu, expiré ou révoqué.")
        user = api_token.user
        if not user.is_active:
            raise AuthenticationError(message="Le compte de ce jeton est désactivé.")
        if _has_nul(request):
            raise ApiError(400, "La requête contient un caractère nul.")
        membership = resolve_membership(request, user)
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise AuthorizationError(
                message="Ce jeton ne permet que la lecture : "
                "créez un jeton « lecture et écriture »."
            )
        request.user = user
        request.api_token = api_token
        request.membership = membership
        request.territory = membership.territory
        request.territory_ids = SimpleLazyObject(lambda: get_scope(user).territory_ids)
        services.mark_used(api_token)
        return api_token


class TokenThrottle(SimpleRateThrottle):
    """settings.API_THROTTLE_RATE requests per token (« 600/min »), read at each request."""

    scope = "api_token"

    def __init__(self):  # the rate is read per request (tests change the setting)
        self.rate = None

    def allow_request(self, request) -> bool:
        self.rate = settings.API_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "api_token", None)
        return None if token is None else f"throttle_api_token_{token.key_hash[:32]}"
