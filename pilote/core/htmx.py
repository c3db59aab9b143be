from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx, which wants a fragment rather than a whole page."""
    return request.headers.get("HX-Request") == "true"


def render_list(
    request: HttpRequest, rows, *, template: str, results: str, page_size: int, **context
) -> HttpResponse:
    """A filtered list page: one page of `rows`, the whole page or (for htmx) only its
    `results` fragment; `querystring` is the filters without the page, for export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        results if is_htmx(request) else template,
        {
            "page": Paginator(rows, page_size).get_page(request.GET.get("page")),
            "querystring": query.urlencode(),
            **context,
        },
    )
