from django.urls import path

from pilote.companies import views

app_name = "companies"

urlpatterns = [
    path("", views.directory_view, name="directory"),
    path("export.<str:fmt>", views.directory_export, name="export"),
    path("etablissement/<str:siret>/", views.establishment_detail, name="establishment"),
]
