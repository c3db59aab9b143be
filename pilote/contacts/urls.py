from django.urls import path

from pilote.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("export.csv", views.contact_export, name="export"),
    path("nouveau/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/modifier/", views.contact_edit, name="edit"),
    path("<int:pk>/donnees-personnelles/", views.contact_personal_data, name="personal_data"),
    path("<int:pk>/effacer/", views.contact_erase, name="erase"),
]
