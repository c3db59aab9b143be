from django.urls import path

from pilote.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.body_list, name="list"),
    path("instances/<int:pk>/", views.body_detail, name="body"),
    path("instances/<int:pk>/reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/tenue/", views.meeting_mark_held, name="meeting_held"),
    path("reunions/<int:pk>/annuler/", views.meeting_cancel, name="meeting_cancel"),
]
