"""The global search's sources: each capability registers its own, `search` imports none.

Each app's `AppConfig.ready()` calls `register(SearchSource(...))`. A source's `find(request,
text)` returns a QuerySet already limited to what the reader may see (`visible_to`, the
current territory); the engine reads a few rows and the total from it in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchSource:
    key: str  # the `type` parameter: « etablissements », « notes »…
    label: str  # the group's heading: « Établissements »
    order: int
    covers: str  # what is searched, for the page without a query
    find: Callable[[HttpRequest, str], QuerySet]  # only what the reader may see
    hit: Callable[[object], Hit]
    list_name: str  # the list's URL name: « voir tout » opens its own search
    list_params: tuple[tuple[str, str], ...] = ()  # extra filters of that list

    def list_url(self, text: str) -> str:
        from django.urls import reverse

        return reverse(self.list_name) + "?" + urlencode([("q", text), *self.list_params])


sources: dict[str, SearchSource] = {}


def register(source: SearchSource) -> SearchSource:
    sources[source.key] = source
    return source


def ordered() -> list[SearchSource]:
    return sorted(sources.values(), key=lambda source: source.order)


@dataclass(frozen=True)
class Group:
    source: SearchSource
    hits: list[Hit]
    total: int
    url: str

    @property
    def more(self) -> bool:
        return self.total > len(self.hits)


def search(request: HttpRequest, text: str, *, keys=None, limit: int = 5) -> list[Group]:
    """One query per source: its first `limit` rows, each carrying the total (a window count)."""
    groups = []
    for source in ordered():
        if keys and source.key not in keys:
            continue
        rows = list(source.find(request, text).annotate(search_total=Window(Count("pk")))[:limit])
        total = rows[0].search_total if rows else 0
        hits = [source.hit(row) for row in rows]
        groups.append(Group(source, hits, total, source.list_url(text)))
    return groups
