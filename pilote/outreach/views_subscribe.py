"""(being written)"""

from django.http import Http404


def subscribe(request, **kwargs):
    raise Http404


def confirm(request, **kwargs):
    raise Http404
