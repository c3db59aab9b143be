from django.apps import AppConfig


class ProspectingConfig(AppConfig):
    name = "pilote.prospecting"
    label = "prospecting"
    verbose_name = "Prospection"

    def ready(self) -> None:
        from pilote.companies import registry
        from pilote.prospecting import followup, scoring

        registry.followed_sources.append(followup.met_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        # The directory's « Score de prospection » sort and « add to a campaign » button.
        registry.directory_orderings["-score"] = registry.DirectoryOrdering(
            "Score de prospection", scoring.order_directory_by_score
        )
        registry.directory_actions.append(followup.directory_actions)
