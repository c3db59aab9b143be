from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pilote.events"
    label = "events"
    verbose_name = "Événements"

    def ready(self) -> None:
        from pilote.accompaniment import week
        from pilote.companies import registry
        from pilote.events import dashboard, emails, followup  # noqa: F401 (panels, emails)

        registry.followed_sources.append(followup.followed_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        week.sections.append(followup.week_section)
        # The newsletter's « agenda des événements » reads `followup.newsletter_lines`: the
        # newsletter (above events) registers it itself (pilote/outreach/apps.py).
