from django.urls import path

from pilote.aids import views, views_alerts, views_calls

app_name = "aids"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("export.csv", views.scheme_export, name="export"),
    path("importer/", views.catalogue_import, name="import"),
    path("nouveau/", views.scheme_create, name="create"),
    path("<int:pk>/", views.scheme_detail, name="detail"),
    path("<int:pk>/modifier/", views.scheme_edit, name="edit"),
    path("<int:pk>/supprimer/", views.scheme_delete, name="delete"),
    path("<int:pk>/fenetres/nouvelle/", views.window_form, name="window_create"),
    path("<int:pk>/fenetres/<int:window_pk>/", views.window_form, name="window_edit"),
    path("<int:pk>/fenetres/<int:window_pk>/supprimer/", views.window_delete, name="window_delete"),
    path("<int:pk>/notes/nouvelle/", views.note_create, name="note_create"),
    path("notes/<int:pk>/modifier/", views.note_edit, name="note_edit"),
    path("<int:pk>/detection/", views_calls.detection_view, name="detection"),
    path("<int:pk>/detection.xlsx", views_calls.detection_export, name="detection_export"),
    path("<int:pk>/detection/informer/", views_calls.inform, name="inform"),
    path("envois/", views_calls.dispatch_list, name="dispatches"),
    path("envois/<int:pk>/", views_calls.dispatch_detail, name="dispatch"),
    path("calendrier/", views_calls.calendar_view, name="calendar"),
    path("calendrier/abonnement/", views_calls.feed_settings, name="feed"),
    path("calendrier/<slug:token>.ics", views_calls.ics_feed, name="ics"),
    path("eligibilite/<str:siret>/", views_calls.establishment_match, name="match"),
    path("eligibilite/projet/<int:pk>/", views_calls.project_match, name="project_match"),
    path("eligibilite/besoin/<int:pk>/", views_calls.need_match, name="need_match"),
    path("alertes/", views_alerts.search_list, name="searches"),
    path("alertes/<int:pk>/", views_alerts.search_detail, name="search"),
    path("alertes/<int:pk>/supprimer/", views_alerts.search_delete, name="search_delete"),
    path("alertes/<int:pk>/abonner/", views_alerts.subscription_add, name="subscribe"),
    path(
        "alertes/<int:pk>/abonnes/<int:subscription_pk>/retirer/",
        views_alerts.subscription_remove,
        name="subscription_remove",
    ),
    path("alertes/confirmer/<slug:token>/", views_alerts.confirm, name="confirm"),
    path("alertes/desabonner/<slug:key>/", views_alerts.unsubscribe, name="unsubscribe"),
]
