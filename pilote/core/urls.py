from django.urls import path

from pilote.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("historique/<int:content_type_id>/<str:object_id>/", views.history, name="history"),
]
