from django.urls import path

from pilote.outreach import (
    views_issues,
    views_public,
    views_sending,
    views_subscribe,
    views_subscribers,
)

app_name = "outreach"

urlpatterns = [
    # The team's pages (TI managers of the list's territory).
    path("", views_issues.issue_list, name="issues"),
    path("reglages/", views_issues.list_settings, name="settings"),
    path("numeros/nouveau/", views_issues.issue_create, name="issue_create"),
    path("numeros/<int:pk>/", views_issues.issue_detail, name="issue"),
    path("numeros/<int:pk>/modifier/", views_issues.issue_edit, name="issue_edit"),
    path("numeros/<int:pk>/apercu/", views_issues.issue_preview, name="issue_preview"),
    path("numeros/<int:pk>/statut/", views_issues.issue_status, name="issue_status"),
    path("numeros/<int:pk>/essai/", views_sending.issue_test_send, name="issue_test"),
    path("numeros/<int:pk>/envoyer/", views_sending.issue_send, name="issue_send"),
    path("numeros/<int:pk>/progression/", views_sending.issue_progress, name="issue_progress"),
    path("abonnes/", views_subscribers.subscriber_list, name="subscribers"),
    path("abonnes/nouveau/", views_subscribers.subscriber_create, name="subscriber_create"),
    path(
        "abonnes/depuis-les-contacts/",
        views_subscribers.subscribers_from_contacts,
        name="subscribers_from_contacts",
    ),
    path("abonnes/a-ne-plus-contacter/", views_subscribers.blocked_list, name="blocked"),
    path("abonnes/<int:pk>/", views_subscribers.subscriber_detail, name="subscriber"),
    path("abonnes/<int:pk>/modifier/", views_subscribers.subscriber_edit, name="subscriber_edit"),
    path(
        "abonnes/<int:pk>/desabonner/",
        views_subscribers.subscriber_unsubscribe,
        name="subscriber_unsubscribe",
    ),
    path(
        "abonnes/<int:pk>/donnees.json",
        views_subscribers.subscriber_export,
        name="subscriber_export",
    ),
    path("abonnes/<int:pk>/effacer/", views_subscribers.subscriber_erase, name="subscriber_erase"),
    # Public pages (no account).
    path("en-ligne/<str:key>/", views_public.web_version, name="web"),
    path("desabonnement/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
    path("inscription/<slug:slug>/", views_subscribe.subscribe, name="subscribe"),
    path("confirmation/<str:token>/", views_subscribe.confirm, name="confirm"),
    path("o/<str:token>.gif", views_public.open_pixel, name="open"),
    path("c/<str:token>/", views_public.click, name="click"),
]
