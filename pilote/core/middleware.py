"""Response headers Pilote adds to what Django's security middleware sets."""

from django.conf import settings
from django.utils.cache import patch_cache_control

# The browser features Pilote never uses, denied to the page and to anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class PrivacyHeadersMiddleware:
    """`Permissions-Policy` on every response; `Cache-Control: private, no-store` on every
    response to a logged-in user (pages, fragments, exports, PDFs: follow-up must stay in no
    cache, shared or local) and on calendar feeds (their address is the secret), unless the
    response already forbids storing. Static files keep their long cache.

    Placed before WhiteNoise, so that static files get the permissions policy too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if self._is_private(request, response) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _is_private(request, response) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return False
        if response.get("Content-Type", "").startswith("text/calendar"):
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
