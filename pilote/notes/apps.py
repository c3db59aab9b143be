from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "pilote.notes"
    label = "notes"
    verbose_name = "Notes de suivi"
