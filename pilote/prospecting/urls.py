from django.urls import path

from pilote.prospecting import agenda, views

app_name = "prospecting"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("campagnes/nouvelle/", views.campaign_create, name="create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="detail"),
    path("campagnes/<int:pk>/modifier/", views.campaign_edit, name="edit"),
    path("campagnes/<int:pk>/prochaines-cibles/", views.next_targets, name="next"),
    path("campagnes/<int:pk>/cibles.csv", views.targets_export, name="export"),
    path("campagnes/<int:pk>/ajouter-des-cibles/", views.targets_add, name="add_targets"),
    path("cibles/<int:pk>/statut/", views.target_status, name="target_status"),
    path("depuis-l-annuaire/", views.from_directory, name="from_directory"),
    path("etablissement/<str:siret>/", views.target_establishment, name="target_establishment"),
    path("score/", views.weights, name="weights"),
    path("agenda/", agenda.calendar_view, name="calendar"),
    path("agenda/abonnement/", agenda.feed_settings, name="feed"),
    path("agenda/<slug:token>.ics", agenda.ics_feed, name="ics"),
]
