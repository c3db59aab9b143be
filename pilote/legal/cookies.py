"""The cookies Pilote sets, read from Django's settings: all strictly necessary, so no
consent banner (CNIL, délibération n° 2020-091, art. 82 de la loi Informatique et Libertés).

No analytics, no third-party content: nothing else writes a cookie (tests/legal/).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

UNITS = [(7 * 24 * 3600, "semaine", "semaines"), (24 * 3600, "jour", "jours")]
UNITS += [(3600, "heure", "heures"), (60, "minute", "minutes"), (1, "seconde", "secondes")]


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    duration: str


def duration(seconds: int) -> str:
    """`43200` → « 12 heures »: the largest unit that divides the duration exactly."""
    for size, singular, plural in UNITS:
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {singular if count == 1 else plural}"
    return "0 seconde"


def _messages_in_cookie() -> bool:
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.fallback import FallbackStorage

    storage = import_string(settings.MESSAGE_STORAGE)
    return issubclass(storage, CookieStorage | FallbackStorage)


def strictly_necessary() -> list[Cookie]:
    cookies = []
    session_end = "fin de la session de navigation"
    cookies.append(
        Cookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose="Vous garder connecté d'une page à l'autre (identifiant de session, "
            "sans donnée lisible).",
            duration=session_end
            if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
            else duration(settings.SESSION_COOKIE_AGE),
        )
    )
    if not settings.CSRF_USE_SESSIONS:
        cookies.append(
            Cookie(
                name=settings.CSRF_COOKIE_NAME,
                purpose="Protéger les formulaires contre la falsification de requêtes "
                "(jeton CSRF).",
                duration=duration(settings.CSRF_COOKIE_AGE)
                if settings.CSRF_COOKIE_AGE
                else session_end,
            )
        )
    if _messages_in_cookie():
        from django.contrib.messages.storage.cookie import CookieStorage

        cookies.append(
            Cookie(
                name=CookieStorage.cookie_name,
                purpose="Afficher une seule fois le message qui confirme une action "
                "(il est effacé dès son affichage).",
                duration="jusqu'à l'affichage du message (au plus la session de navigation)",
            )
        )
    return cookies
