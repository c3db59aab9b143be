from django.urls import path

from pilote.territories import views

app_name = "territories"

urlpatterns = [
    path("<slug:slug>/", views.territory_detail, name="detail"),
    path("<slug:slug>/epci/<str:siren>/", views.epci_detail, name="epci"),
]
