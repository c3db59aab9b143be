from django.urls import path

from pilote.events import views, views_public

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("nouveau/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/modifier/", views.event_edit, name="edit"),
    path("<int:pk>/inscrire/", views.registration_add, name="registration_add"),
    path("<int:pk>/emargement/", views.checkin, name="checkin"),
    path("<int:pk>/emargement.pdf", views.signin_sheet, name="signin_sheet"),
    path("<int:pk>/courriel-de-suite/", views.followup, name="followup"),
    path("inscriptions/<int:pk>/annuler/", views.registration_cancel, name="registration_cancel"),
    path(
        "inscriptions/<int:pk>/etablissement/",
        views.registration_establishment,
        name="registration_establishment",
    ),
    path(
        "inscriptions/<int:pk>/presence/",
        views.registration_attendance,
        name="registration_attendance",
    ),
    # Public, without an account.
    path("<slug:slug>/inscription/", views_public.register, name="register"),
    path("annulation/<str:token>/", views_public.cancel, name="cancel"),
]
