"""Follow-up pages: « mes actions », the weekly digest preview, the meeting report PDF.
(Included by `urls.py` with the meeting pages of `urls_meetings.py`.)"""

from django.urls import path

from pilote.accompaniment import views_followup

urlpatterns = [
    path("actions/", views_followup.my_actions, name="my_actions"),
    path("actions/<int:pk>/statut/", views_followup.action_status, name="action_status"),
    path("ma-semaine/", views_followup.my_week, name="my_week"),
    path("actions/recapitulatif/", views_followup.digest_preview, name="digest_preview"),
    path(
        "echanges/<int:pk>/compte-rendu-<slug:version>.pdf",
        views_followup.report_pdf,
        name="report",
    ),
]
