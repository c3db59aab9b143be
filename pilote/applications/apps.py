from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "pilote.applications"
    label = "applications"
    verbose_name = "Dossiers de candidature"

    def ready(self) -> None:
        from pilote.accompaniment import week
        from pilote.applications import dashboard, followup  # noqa: F401 (panels register)
        from pilote.companies import registry
        from pilote.search import registry as search_registry

        registry.followed_sources.append(followup.followed_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        week.sections.append(followup.week_section)
        from pilote.prospecting import ical

        ical.visit_sources.append(followup.feed_deadlines)
        search_registry.register(followup.search_source)
