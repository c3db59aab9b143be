from django.urls import path

from pilote.companies import views

app_name = "companies"

urlpatterns = [
    path("", views.directory_view, name="directory"),
    path("export.<str:fmt>", views.directory_export, name="export"),
    path("etablissement/<str:siret>/", views.establishment_detail, name="establishment"),
    path("filieres/", views.sector_list, name="sectors"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_progress, name="import_progress"),
    path("filieres/nouvelle/", views.sector_edit, name="sector_create"),
    path("filieres/<int:pk>/", views.sector_edit, name="sector_edit"),
]
