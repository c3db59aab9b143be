"""Territory projects' pages (docs/territory-projects.md)."""

from django.urls import path

from pilote.territory_projects import views

app_name = "territory_projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("nouveau/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/modifier/", views.project_edit, name="edit"),
    path("<int:pk>/supprimer/", views.project_delete, name="delete"),
    path("<int:pk>/deliberations/", views.vote_add, name="vote_add"),
    path("<int:pk>/deliberations/<int:vote_pk>/supprimer/", views.vote_delete, name="vote_delete"),
    path("<int:pk>/jalons/", views.milestone_add, name="milestone_add"),
    path(
        "<int:pk>/jalons/<int:milestone_pk>/modifier/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "<int:pk>/jalons/<int:milestone_pk>/supprimer/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document_download"),
    path(
        "<int:pk>/documents/<int:doc_pk>/supprimer/",
        views.document_delete,
        name="document_delete",
    ),
]
