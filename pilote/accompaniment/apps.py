from django.apps import AppConfig


class AccompanimentConfig(AppConfig):
    name = "pilote.accompaniment"
    label = "accompaniment"
    verbose_name = "Accompagnement"

    def ready(self) -> None:
        from pilote.accompaniment import followup
        from pilote.companies import registry
        from pilote.prospecting import scoring

        registry.followed_sources.append(followup.followed_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        scoring.met_sources.append(followup.met_establishments)
        from pilote.accompaniment import calendar_feed
        from pilote.prospecting import ical

        ical.visit_sources.append(calendar_feed.feed_visits)
        from pilote.accompaniment import search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
