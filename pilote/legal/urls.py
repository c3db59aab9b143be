from django.urls import path

from pilote.legal import views

app_name = "legal"

urlpatterns = [
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("donnees-personnelles/registre.csv", views.register_export, name="register"),
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("gestion-des-cookies/", views.cookie_policy, name="cookies"),
]
