from django.urls import path

from pilote.indicators import views, views_bilan

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bilan/", views_bilan.bilan_form, name="bilan"),
    path("bilan.pdf", views_bilan.bilan_pdf, name="bilan_pdf"),
    path("bilan.xlsx", views_bilan.bilan_xlsx, name="bilan_xlsx"),
]
