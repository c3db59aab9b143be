"""The agreement's pages. Under construction."""

from django.http import Http404


def _todo(request, pk=None, number=None):
    raise Http404("Page en construction.")


overview = year_detail = expenses_import = calls = calls_export = calls_issue = _todo
call_detail = call_letter = payment_add = call_remind = _todo
