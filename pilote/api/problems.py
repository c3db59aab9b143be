"""One error shape for the whole API: RFC 9457 « problem details », in French.

    {"type": "about:blank", "title": "Accès refusé", "status": 403, "detail": "…",
     "errors": [{"champ": "title", "message": "Champ obligatoire."}]}

served as `application/problem+json` for every error status (400, 401, 403, 404, 405, 409,
422, 429, 500). `errors` is present on validation errors only.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from pilote.core.locking import StaleEdit

logger = logging.getLogger("pilote.api")

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non permise",
    409: "Conflit de version",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
}
DETAILS = {
    400: "La requête est mal formée.",
    401: "Envoyez un jeton d'API valide dans l'en-tête « Authorization: Bearer <jeton> ».",
    403: "Votre jeton ne permet pas cette action.",
    404: "Aucun élément ne correspond à cette adresse.",
    405: "Cette adresse n'accepte pas cette méthode.",
    409: "L'élément a été modifié depuis votre lecture.",
    422: "Les données envoyées ne sont pas valides.",
    429: "Trop de requêtes avec ce jeton : réessayez plus tard.",
    500: "Une erreur inattendue s'est produite ; elle a été enregistrée.",
}

# Pydantic's error types, said in French (the others: « Valeur invalide. »).
MESSAGES = {
    "missing": "Champ obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_short": "Ce texte est trop court.",
    "string_too_long": "Ce texte est trop long.",
    "string_pattern_mismatch": "Le format n'est pas respecté.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "greater_than_equal": "La valeur est trop petite.",
    "greater_than": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "less_than": "La valeur est trop grande.",
    "decimal_parsing": "Un montant est attendu (par exemple 1250.50).",
    "decimal_type": "Un montant est attendu (par exemple 1250.50).",
    "decimal_max_places": "Un montant a au plus deux décimales.",
    "decimal_max_digits": "Ce montant est trop grand.",
    "decimal_whole_digits": "Ce montant est trop grand.",
    "bool_type": "Un booléen est attendu (true ou false).",
    "bool_parsing": "Un booléen est attendu (true ou false).",
    "date_type": "Une date est attendue (AAAA-MM-JJ).",
    "date_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_inexact": "Une date est attendue (AAAA-MM-JJ).",
    "datetime_type": "Une date et heure ISO 8601 est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "datetime_from_date_parsing": "Une date et heure ISO 8601 est attendue.",
    "time_type": "Une heure est attendue (HH:MM).",
    "time_parsing": "Une heure est attendue (HH:MM).",
    "literal_error": "Valeur hors de la liste permise.",
    "enum": "Valeur hors de la liste permise.",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "list_type": "Une liste est attendue.",
    "extra_forbidden": "Champ inconnu.",
}


def problem(status: int, detail: str | None = None, *, errors=None, headers=None) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail or DETAILS.get(status, ""),
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field(loc) -> str:
    # ninja prefixes the source (« body », « query », « path ») and the argument name.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or "requête"


def pydantic_errors(errors) -> list[dict]:
    return [
        {
            "champ": _field(e.get("loc", ())),
            "message": MESSAGES.get(e.get("type"), "Valeur invalide."),
        }
        for e in errors
    ]


def django_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"champ": "requête" if name == "__all__" else name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"champ": "requête", "message": message} for message in exc.messages]


# --- The handlers, installed on the NinjaAPI (pilote.api.main) ------------------------------


def on_validation(request, exc: NinjaValidationError) -> HttpResponse:
    errors = pydantic_errors(exc.errors)
    if any(e.get("type") == "json_invalid" for e in exc.errors):
        return problem(400, "Le corps de la requête n'est pas du JSON valide.", errors=errors)
    return problem(422, errors=errors)


def on_django_validation(request, exc: DjangoValidationError) -> HttpResponse:
    return problem(422, errors=django_errors(exc))


def on_authentication(request, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if exc.message != "Unauthorized" else None
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def on_authorization(request, exc: AuthorizationError) -> HttpResponse:
    return problem(403, exc.message if exc.message != "Forbidden" else None)


def on_permission_denied(request, exc: PermissionDenied) -> HttpResponse:
    return problem(403, str(exc) or None)


def on_not_found(request, exc: Http404) -> HttpResponse:
    return problem(404)


def on_throttled(request, exc: Throttled) -> HttpResponse:
    return problem(429)


def on_stale(request, exc: StaleEdit) -> HttpResponse:
    return problem(409, exc.message)


class ApiError(HttpError):
    """An error the API raises itself, its message in French."""


# django-ninja's own messages, said in French (the others: the status's default detail).
NINJA_MESSAGES = {"Cannot parse request body": "Le corps de la requête n'est pas du JSON valide."}


def on_http_error(request, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return problem(exc.status_code, exc.message)
    return problem(exc.status_code, NINJA_MESSAGES.get(exc.message))


def on_exception(request, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500)


HANDLERS = [
    (Exception, on_exception),
    (HttpError, on_http_error),
    (Http404, on_not_found),
    (NinjaValidationError, on_validation),
    (DjangoValidationError, on_django_validation),
    (PermissionDenied, on_permission_denied),
    (AuthenticationError, on_authentication),
    (AuthorizationError, on_authorization),
    (Throttled, on_throttled),
    (StaleEdit, on_stale),
]
