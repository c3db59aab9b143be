"""Lists: htmx fragments, sortable column headers and numbered pagination, written once.

A list view calls `render_list` with its rows and, when its columns sort, a whitelist
`sorts` of public sort names (`?tri=titre`, `?tri=-titre`); the templates draw the headers
with `includes/sort_header.html` and the pages with `includes/pagination.html`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SORT_PARAM = "tri"
PAGE_PARAM = "page"

# A sort: the model fields ordered on, ascending (a queryset), or a key function (a list).
SortSpec = tuple[str, ...] | Callable[[object], object]


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx, which wants a fragment rather than a whole page."""
    return request.headers.get("HX-Request") == "true"


@dataclass(frozen=True)
class SortHeader:
    """One sortable column: the link that sorts by it (ascending first, then toggling) and
    its current state, `aria_sort` being "ascending", "descending" or "" (not sorted on)."""

    url: str
    aria_sort: str

    @property
    def next_label(self) -> str:
        return "décroissant" if self.aria_sort == "ascending" else "croissant"


def requested_sort(request: HttpRequest, sorts: Mapping[str, SortSpec]) -> tuple[str, bool]:
    """The whitelisted sort the query asks for, as (name, descending); ("", False) when
    absent or unknown: a forged `tri` is ignored, the list keeps its default order."""
    raw = request.GET.get(SORT_PARAM, "")
    name = raw[1:] if raw.startswith("-") else raw
    if name and name in sorts:
        return name, raw.startswith("-")
    return "", False


def apply_sort(rows, spec: SortSpec, descending: bool):
    """`rows` (a queryset or a list) ordered by `spec`, the primary key breaking ties."""
    if callable(spec):
        return sorted(rows, key=spec, reverse=descending)
    order = [
        F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        for field in spec
    ]
    return rows.order_by(*order, "-pk" if descending else "pk")


def sort_headers(
    request: HttpRequest, sorts: Mapping[str, SortSpec], current: str, descending: bool
) -> dict[str, SortHeader]:
    """Each sortable column's header link, keeping the filters and going back to page 1."""
    headers = {}
    for name in sorts:
        query = request.GET.copy()
        query.pop(PAGE_PARAM, None)
        active = name == current
        query[SORT_PARAM] = f"-{name}" if active and not descending else name
        state = ("descending" if descending else "ascending") if active else ""
        headers[name] = SortHeader(url=f"?{query.urlencode()}", aria_sort=state)
    return headers


def paginate(request: HttpRequest, rows, page_size: int, *, paginator_class=Paginator) -> Page:
    """The requested page of `rows`, with `page.numbers`: the page numbers to link to, the
    elided ones as `Paginator.ELLIPSIS` (for `includes/pagination.html`)."""
    paginator = paginator_class(rows, page_size)
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def list_context(
    request: HttpRequest,
    rows,
    *,
    page_size: int,
    sorts: Mapping[str, SortSpec] | None = None,
    default_sort: str = "",
    paginator_class=Paginator,
) -> dict:
    """`page`, `querystring` (the filters and sort without the page, for export links) and
    `sort` (the headers, by sort name) of a sorted, paginated list."""
    sorts = sorts or {}
    current, descending = requested_sort(request, sorts)
    if current:
        rows = apply_sort(rows, sorts[current], descending)
    else:  # the default order, already the rows' own: the header only shows it
        current = default_sort.lstrip("-")
        descending = default_sort.startswith("-")
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return {
        "page": paginate(request, rows, page_size, paginator_class=paginator_class),
        "querystring": query.urlencode(),
        "sort": sort_headers(request, sorts, current, descending),
    }


def render_list(
    request: HttpRequest,
    rows,
    *,
    template: str,
    results: str,
    page_size: int,
    sorts: Mapping[str, SortSpec] | None = None,
    default_sort: str = "",
    **context,
) -> HttpResponse:
    """A filtered list page: one page of `rows`, sorted as `?tri=` asks among `sorts`, the
    whole page or (for htmx) only its `results` fragment.

    `default_sort` names the sort the rows already have (e.g. "-date"), shown on its header.
    """
    return render(
        request,
        results if is_htmx(request) else template,
        {
            **list_context(
                request, rows, page_size=page_size, sorts=sorts, default_sort=default_sort
            ),
            **context,
        },
    )
