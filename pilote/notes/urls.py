from django.urls import path

from pilote.notes import views

app_name = "notes"

urlpatterns = [
    path("", views.note_list, name="list"),
    path("export.csv", views.note_export, name="export"),
    path("nouvelle/", views.note_create, name="create"),
    path("<int:pk>/", views.note_detail, name="detail"),
    path("<int:pk>/modifier/", views.note_edit, name="edit"),
]
