"""(being written)"""

from django.http import Http404


def web_version(request, **kwargs):
    raise Http404


def unsubscribe(request, **kwargs):
    raise Http404
