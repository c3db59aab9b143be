from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "pilote.outreach"
    label = "outreach"
    verbose_name = "Lettre d'information"

    def ready(self) -> None:
        from django.apps import apps

        from pilote.outreach import sections

        if apps.is_installed("pilote.events"):  # « Agenda des événements »
            from pilote.events import followup

            sections.event_sources.append(followup.newsletter_lines)
