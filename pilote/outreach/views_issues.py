"""(being written)"""

from django.http import Http404


def issue_list(request, **kwargs):
    raise Http404


def issue_create(request, **kwargs):
    raise Http404


def issue_detail(request, **kwargs):
    raise Http404


def issue_edit(request, **kwargs):
    raise Http404


def issue_preview(request, **kwargs):
    raise Http404


def issue_status(request, **kwargs):
    raise Http404
