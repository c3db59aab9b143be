"""Bodies and members (create, edit), the decisions and actions search. Under construction."""

from django.http import Http404


def _todo(request, pk=None):
    raise Http404("Page en construction.")


body_create = body_edit = member_add = member_edit = member_remove = decisions = _todo
