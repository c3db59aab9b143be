"""Extension points other capabilities fill without touching this app.

- `followed_sources`: functions `(user) -> QuerySet` of establishment ids that `user` knows
  are followed (a visible note, a meeting…). The directory's « suivi / jamais rencontré »
  filter unions them, so it never reveals follow-up the user may not see.
- `directory_orderings`, `directory_actions`: extra sorts (prospecting score) and buttons
  (« ajouter à une campagne ») of the directory.
- `establishment_actions`: buttons (« Ajouter une note »…) offered on the establishment page.
- `timeline_sources`: functions `(user, establishment) -> list[TimelineEntry]` for the
  establishment page's timeline, each already filtered by the confidentiality rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

followed_sources: list[Callable] = []
timeline_sources: list[Callable] = []
# Functions `(user, establishment) -> list[(label, url)]`: buttons on the establishment page.
establishment_actions: list[Callable] = []


@dataclass(frozen=True)
class DirectoryOrdering:
    label: str
    apply: Callable  # (queryset, *, territory, user) -> the queryset, sorted


# Extra sorts of the directory, by their `sort` value: « Score de prospection »…
directory_orderings: dict[str, DirectoryOrdering] = {}
# Functions `(user) -> list[(label, url)]`: buttons under a search (the query string is appended).
directory_actions: list[Callable] = []


def directory_actions_for(user) -> list[tuple[str, str]]:
    return [action for source in directory_actions for action in source(user)]


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime | dt.date
    kind: str  # short French label: « Note », « Rendez-vous »…
    title: str
    url: str = ""
    detail: str = ""


def followed_q(user):
    """A Q selecting the establishments with follow-up visible to `user`."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for source in followed_sources:
        q |= Q(pk__in=source(user))
    return q


def timeline(user, establishment) -> list[TimelineEntry]:
    entries = [entry for source in timeline_sources for entry in source(user, establishment)]

    def key(entry):
        at = entry.at
        if isinstance(at, dt.datetime):
            return at.timestamp()
        return dt.datetime.combine(at, dt.time.min, tzinfo=dt.UTC).timestamp()

    return sorted(entries, key=key, reverse=True)


def actions(user, establishment) -> list[tuple[str, str]]:
    return [action for source in establishment_actions for action in source(user, establishment)]
