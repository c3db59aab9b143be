"""(being written)"""

from django.http import Http404


def issue_test_send(request, **kwargs):
    raise Http404


def issue_send(request, **kwargs):
    raise Http404


def issue_progress(request, **kwargs):
    raise Http404
