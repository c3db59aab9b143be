"""(being written)"""

from django.http import Http404


def subscriber_list(request, **kwargs):
    raise Http404


def subscriber_create(request, **kwargs):
    raise Http404


def subscribers_from_contacts(request, **kwargs):
    raise Http404


def blocked_list(request, **kwargs):
    raise Http404


def subscriber_detail(request, **kwargs):
    raise Http404


def subscriber_edit(request, **kwargs):
    raise Http404


def subscriber_unsubscribe(request, **kwargs):
    raise Http404


def subscriber_export(request, **kwargs):
    raise Http404


def subscriber_erase(request, **kwargs):
    raise Http404
