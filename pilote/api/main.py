"""The JSON API v1 (docs/api.md): one NinjaAPI, OpenAPI 3.1, token auth, problem+json."""

from __future__ import annotations

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from pilote.api import problems
from pilote.api.auth import TokenAuth, TokenThrottle
from pilote.api.pagination import conditional

DESCRIPTION = """L'API JSON de Pilote : les données d'un Territoire d'industrie, filtrées par
exactement les mêmes règles d'accès que les pages. Un jeton voit ce que voit son utilisateur.

Authentification : `Authorization: Bearer <jeton>` (jeton personnel, créé dans « Jetons d'API »
ou par `manage.py create_api_token`). Pour un compte membre de plusieurs territoires, le
paramètre `territoire` choisit celui des établissements et des indicateurs ; par défaut, la
première adhésion. Les listes se parcourent par le lien `next` ; `updated_since` sert à la
synchronisation ; chaque GET porte un `ETag`. Les erreurs sont au format
`application/problem+json`, en français. Documentation : docs/api.md."""


class VendoredSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships (static), no CDN, no inline script."""

    def render_page(self, request, api, **kwargs):
        return render(
            request,
            "api/docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)},
        )


class PiloteAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return conditional(request, response)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Errors are served as application/problem+json: say so.
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        return schema


api = PiloteAPI(
    title="API Pilote",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
for exc_class, handler in problems.HANDLERS:
    api.add_exception_handler(exc_class, handler)


def _routers():
    from pilote.api import read, write  # noqa: F401  (write adds its operations to read's router)

    api.add_router("", read.router)


_routers()
