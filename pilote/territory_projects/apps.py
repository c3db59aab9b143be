from django.apps import AppConfig


class TerritoryProjectsConfig(AppConfig):
    name = "pilote.territory_projects"
    label = "territory_projects"
    verbose_name = "Projets de territoire"

    def ready(self) -> None:
        # The establishment's timeline, the global search and the bilan (apps this one comes
        # after) show the projects through their registries.
        from pilote.companies import registry
        from pilote.indicators import bilan
        from pilote.search import registry as search_registry
        from pilote.territory_projects import search, timeline
        from pilote.territory_projects.bilan_section import section

        if timeline.timeline_entries not in registry.timeline_sources:
            registry.timeline_sources.append(timeline.timeline_entries)
        search_registry.register(search.source)
        if section not in bilan.EXTRA_SECTIONS:
            bilan.EXTRA_SECTIONS.append(section)
        # The programme's figures: a key of `indicators --json`, a panel of the dashboard.
        from pilote.indicators import extras
        from pilote.territory_projects import indicators

        extras.FIGURES["territory_projects"] = indicators.figures
        if indicators.dashboard_panel not in extras.PANELS:
            extras.PANELS.append(indicators.dashboard_panel)
