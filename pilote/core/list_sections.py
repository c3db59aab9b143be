"""Several lists on one page (the calendar's sections, members and invitations), each with
its own page parameter (`?page_passes=2`) and all sorted by the page's one `?tri=`: a column
sorts every list that has it. The single-list helpers are in `core.htmx`; the headers are
`includes/sort_header.html`, the pages `includes/section_pagination.html`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

from pilote.core.htmx import SortSpec, apply_sort, requested_sort, sort_headers


@dataclass(frozen=True)
class PageLink:
    """One numbered link of a section's pagination; `url` empty for the ellipsis."""

    number: int | str
    url: str
    current: bool = False

    @property
    def ellipsis(self) -> bool:
        return not self.url and not self.current


def _url(query: QueryDict, param: str, number: int) -> str:
    query = query.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"


def section_page(request: HttpRequest, rows, *, param: str, page_size: int) -> Page:
    """The requested page of `rows` (read from `?<param>=`), with its links: `first_url`,
    `previous_url`, `next_url`, `last_url` (empty when disabled) and `links`, keeping the
    filters, the sort and the other lists' pages."""
    paginator = Paginator(rows, page_size)
    page = paginator.get_page(request.GET.get(param))
    query = request.GET
    page.param = param
    page.links = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            page.links.append(PageLink(number, ""))
        elif number == page.number:
            page.links.append(PageLink(number, "", current=True))
        else:
            page.links.append(PageLink(number, _url(query, param, number)))
    last = paginator.num_pages
    page.first_url = _url(query, param, 1) if page.has_previous() else ""
    page.previous_url = _url(query, param, page.number - 1) if page.has_previous() else ""
    page.next_url = _url(query, param, page.number + 1) if page.has_next() else ""
    page.last_url = _url(query, param, last) if page.has_next() else ""
    return page


def section_sort(
    request: HttpRequest,
    rows,
    sorts: Mapping[str, SortSpec],
    *,
    default_sort: str = "",
    page_params: Iterable[str] = (),
):
    """(`rows` in the requested order, the headers by sort name) for one list of the page.
    An unknown or absent `tri`, or one this list has no column for, keeps its own order
    (`default_sort`, shown on its header). A header's link goes back to every list's
    first page (`page_params`)."""
    current, descending = requested_sort(request, sorts)
    if current:
        rows = apply_sort(rows, sorts[current], descending)
    else:
        current, descending = default_sort.lstrip("-"), default_sort.startswith("-")
    query = request.GET.copy()
    for param in page_params:
        query.pop(param, None)
    return rows, sort_headers(SimpleNamespace(GET=query), sorts, current, descending)
