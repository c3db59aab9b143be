"""Application pages (being written)."""

from django.http import Http404


def application_list(request, pk=None):
    raise Http404


def application_export(request, pk=None):
    raise Http404


def application_create(request, pk=None):
    raise Http404


def application_detail(request, pk=None):
    raise Http404


def application_edit(request, pk=None):
    raise Http404


def application_status(request, pk=None):
    raise Http404


def application_delete(request, pk=None):
    raise Http404


def payment_add(request, pk=None):
    raise Http404


def payment_delete(request, pk=None):
    raise Http404


def document_add(request, pk=None):
    raise Http404


def document_download(request, pk=None):
    raise Http404


def document_delete(request, pk=None):
    raise Http404


def support_time_add(request, pk=None):
    raise Http404
