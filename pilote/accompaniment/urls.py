"""Accompaniment URLs, in two modules so that meetings and follow-up can grow separately."""

from pilote.accompaniment import urls_followup, urls_meetings

app_name = "accompaniment"

urlpatterns = [*urls_meetings.urlpatterns, *urls_followup.urlpatterns]
