from django.urls import path

from pilote.linkedin import views

app_name = "linkedin"

urlpatterns = [
    path("", views.page, name="page"),
]
