"""The import page of an application-tracking spreadsheet (written by the import work)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    raise Http404
