from django.urls import path

from pilote.agreement import views

app_name = "agreement"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("annees/<int:number>/", views.year_detail, name="year"),
    path("avenants/nouveau/", views.amendment_create, name="amendment_create"),
    path("depenses/importer/", views.expenses_import, name="expenses_import"),
    path("appels/", views.calls, name="calls"),
    path("appels.xlsx", views.calls_export, name="calls_export"),
    path("appels/emettre/", views.calls_issue, name="calls_issue"),
    path("appels/<int:pk>/", views.call_detail, name="call"),
    path("appels/<int:pk>/lettre.pdf", views.call_letter, name="call_letter"),
    path("appels/<int:pk>/paiements/ajouter/", views.payment_add, name="payment_add"),
    path("appels/<int:pk>/relancer/", views.call_remind, name="call_remind"),
]
