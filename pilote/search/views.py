from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pilote.core.htmx import is_htmx
from pilote.search import registry
from pilote.search.forms import SearchForm

MIN_LENGTH = 2
LIMIT = 5  # results per group on the page of every kind
KIND_LIMIT = 20  # results when one kind is chosen


@login_required
def results(request: HttpRequest) -> HttpResponse:
    """Every kind the reader may search, grouped, each under its own confidentiality rule."""
    form = SearchForm(request.GET or None)
    text, kind = form.text(), form.kind()
    groups = []
    if len(text) >= MIN_LENGTH:
        keys = [kind] if kind else None
        groups = registry.search(request, text, keys=keys, limit=KIND_LIMIT if kind else LIMIT)
    context = {
        "form": form,
        "text": text,
        "kind": kind,
        "too_short": 0 < len(text) < MIN_LENGTH,
        "groups": groups,
        "total": sum(group.total for group in groups),
        "sources": registry.ordered(),
        "min_length": MIN_LENGTH,
    }
    template = "search/_results.html" if is_htmx(request) else "search/results.html"
    return render(request, template, context)
