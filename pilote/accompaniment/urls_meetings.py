"""Interactions, meetings, the records they produce, levels and the interview guide.
(Included by `urls.py` with the follow-up pages of `urls_followup.py`.)"""

from django.urls import path

from pilote.accompaniment import views, views_guide, views_records, views_visits

# URL segment of each record kind (the kind's key is the URL name's prefix).
RECORD_PATHS = {
    "need": "besoins",
    "project": "projets",
    "diagnostic": "diagnostics",
    "referral": "mises-en-relation",
    "action": "action",  # « actions/ » is left to the « mes actions » page
}

urlpatterns = [
    path("echanges/", views.interaction_list, name="interaction_list"),
    path("echanges/export.csv", views.interaction_export, name="interaction_export"),
    path("echanges/nouveau/", views.interaction_create, name="interaction_create"),
    path("echanges/<int:pk>/", views.interaction_detail, name="interaction_detail"),
    path("echanges/<int:pk>/modifier/", views.interaction_edit, name="interaction_edit"),
    path("echanges/<int:pk>/supprimer/", views.interaction_delete, name="interaction_delete"),
    path("echanges/<int:pk>/entretien/", views.meeting, name="meeting"),
    path("echanges/<int:pk>/entretien/demarrer/", views.meeting_start, name="meeting_start"),
    path(
        "echanges/<int:pk>/reponses/<int:question_pk>/",
        views.answer_save,
        name="answer_save",
    ),
    path(
        "etablissement/<str:siret>/niveau/",
        views_records.establishment_level,
        name="establishment_level",
    ),
    path(
        "etablissement/<str:siret>/visite/",
        views_visits.visit_plan,
        name="visit_plan",
    ),
    path("trame/", views_guide.guide, name="guide"),
    path("trame/installer/", views_guide.guide_install, name="guide_install"),
    path("trame/versions/<int:pk>/", views_guide.guide_version, name="guide_version"),
    path("trame/brouillon/", views_guide.guide_draft, name="guide_draft"),
    path("trame/brouillon/publier/", views_guide.guide_publish, name="guide_publish"),
    path("trame/brouillon/abandonner/", views_guide.guide_discard, name="guide_discard"),
    path("trame/brouillon/questions/nouvelle/", views_guide.question_add, name="question_add"),
    path("trame/questions/<int:pk>/modifier/", views_guide.question_edit, name="question_edit"),
    path(
        "trame/questions/<int:pk>/supprimer/", views_guide.question_delete, name="question_delete"
    ),
    path("trame/questions/<int:pk>/deplacer/", views_guide.question_move, name="question_move"),
]

for kind, segment in RECORD_PATHS.items():
    urlpatterns += [
        path(
            f"{segment}/nouveau/",
            views_records.record_create,
            {"kind": kind},
            name=f"{kind}_create",
        ),
        path(
            f"{segment}/<int:pk>/",
            views_records.record_detail,
            {"kind": kind},
            name=f"{kind}_detail",
        ),
        path(
            f"{segment}/<int:pk>/modifier/",
            views_records.record_edit,
            {"kind": kind},
            name=f"{kind}_edit",
        ),
        path(
            f"{segment}/<int:pk>/supprimer/",
            views_records.record_delete,
            {"kind": kind},
            name=f"{kind}_delete",
        ),
    ]
    if kind != "action":
        urlpatterns += [
            path(f"{segment}/", views_records.record_list, {"kind": kind}, name=f"{kind}_list"),
            path(
                f"{segment}/export.csv",
                views_records.record_export,
                {"kind": kind},
                name=f"{kind}_export",
            ),
        ]
