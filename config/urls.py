from django.contrib import admin
from django.urls import include, path

from pilote.accounts import views_home
from pilote.core import views as core_views

admin.site.site_header = "Pilote — administration technique"
admin.site.site_title = "Pilote"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # The dashboard and the audit history read memberships: served by accounts, under the
    # `core:` names every template uses.
    path(
        "",
        include(
            (
                [
                    path("", views_home.home, name="home"),
                    path(
                        "historique/<int:content_type_id>/<str:object_id>/",
                        views_home.history,
                        name="history",
                    ),
                ],
                "core",
            )
        ),
    ),
    path("comptes/", include("pilote.accounts.urls")),
    path("notes/", include("pilote.notes.urls")),
    path("contacts/", include("pilote.contacts.urls")),
    path("entreprises/", include("pilote.companies.urls")),
    path("prospection/", include("pilote.prospecting.urls")),
    path("territoire/", include("pilote.territories.urls")),
    path("accompagnement/", include("pilote.accompaniment.urls")),
    path("dispositifs/", include("pilote.aids.urls")),
    path("dossiers/", include("pilote.applications.urls")),
    path("programme/", include("pilote.indicators.urls")),
    path("linkedin/", include("pilote.linkedin.urls")),
    path("lettre/", include("pilote.outreach.urls")),
    path("evenements/", include("pilote.events.urls")),
    path("gouvernance/", include("pilote.governance.urls")),
    path("convention/", include("pilote.agreement.urls")),
    path("projets-territoire/", include("pilote.territory_projects.urls")),
    path("recherche/", include("pilote.search.urls")),
    path("api/v1/", include("pilote.api.urls")),
    path("comptes/jetons-api/", include("pilote.api.urls_tokens")),
    path("", include("pilote.legal.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "pilote.core.views.error_403"
handler404 = "pilote.core.views.error_404"
handler500 = "pilote.core.views.error_500"
