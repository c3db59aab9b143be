from django.urls import path

from pilote.applications import views, views_import

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("export.xlsx", views.application_export, name="export"),
    path("nouveau/", views.application_create, name="create"),
    path("import/", views_import.import_page, name="import"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/modifier/", views.application_edit, name="edit"),
    path("<int:pk>/statut/", views.application_status, name="status"),
    path("<int:pk>/supprimer/", views.application_delete, name="delete"),
    path("<int:pk>/versements/", views.payment_add, name="payment_add"),
    path("versements/<int:pk>/supprimer/", views.payment_delete, name="payment_delete"),
    path("<int:pk>/pieces/", views.document_add, name="document_add"),
    path("pieces/<int:pk>/", views.document_download, name="document"),
    path("pieces/<int:pk>/supprimer/", views.document_delete, name="document_delete"),
    path("<int:pk>/temps/", views.support_time_add, name="time_add"),
]
