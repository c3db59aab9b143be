from django.urls import path

from pilote.governance import views, views_bodies, views_minutes

app_name = "governance"

urlpatterns = [
    path("", views.body_list, name="list"),
    # bodies and their members (views_bodies)
    path("instances/nouvelle/", views_bodies.body_create, name="body_create"),
    path("instances/<int:pk>/", views.body_detail, name="body"),
    path("instances/<int:pk>/modifier/", views_bodies.body_edit, name="body_edit"),
    path("instances/<int:pk>/membres/ajouter/", views_bodies.member_add, name="member_add"),
    path("membres/<int:pk>/modifier/", views_bodies.member_edit, name="member_edit"),
    path("membres/<int:pk>/retirer/", views_bodies.member_remove, name="member_remove"),
    path("decisions/", views_bodies.decisions, name="decisions"),
    # meetings, their agenda, attendance and outcomes (views)
    path("instances/<int:pk>/reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", views.meeting_detail, name="meeting"),
    path("reunions/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/tenue/", views.meeting_mark_held, name="meeting_held"),
    path("reunions/<int:pk>/annuler/", views.meeting_cancel, name="meeting_cancel"),
    path("reunions/<int:pk>/ordre-du-jour/ajouter/", views.agenda_add, name="agenda_add"),
    path("points/<int:pk>/modifier/", views.agenda_edit, name="agenda_edit"),
    path("points/<int:pk>/supprimer/", views.agenda_delete, name="agenda_delete"),
    path("points/<int:pk>/releves/ajouter/", views.outcome_add, name="outcome_add"),
    path("releves/<int:pk>/modifier/", views.outcome_edit, name="outcome_edit"),
    path("releves/<int:pk>/faite/", views.outcome_done, name="outcome_done"),
    path("reunions/<int:pk>/participants/", views.attendance, name="attendance"),
    path("reunions/<int:pk>/participants/ajouter/", views.attendee_add, name="attendee_add"),
    # minutes, PDFs and invitations (views_minutes)
    path("reunions/<int:pk>/compte-rendu/", views_minutes.minutes_edit, name="minutes_edit"),
    path(
        "reunions/<int:pk>/compte-rendu/diffuser/",
        views_minutes.minutes_circulate,
        name="minutes_circulate",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/commenter/",
        views_minutes.minutes_comment,
        name="minutes_comment",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/approuver/",
        views_minutes.minutes_approve,
        name="minutes_approve",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/verrouiller/",
        views_minutes.minutes_lock,
        name="minutes_lock",
    ),
    path(
        "reunions/<int:pk>/compte-rendu/addendum/",
        views_minutes.addendum_add,
        name="addendum_add",
    ),
    path("reunions/<int:pk>/compte-rendu.pdf", views_minutes.minutes_pdf, name="minutes_pdf"),
    path("reunions/<int:pk>/dossier.pdf", views_minutes.meeting_pack_pdf, name="meeting_pack"),
    path("reunions/<int:pk>/invitation.ics", views_minutes.meeting_ics, name="meeting_ics"),
    path("reunions/<int:pk>/inviter/", views_minutes.invitations_send, name="invitations_send"),
]
