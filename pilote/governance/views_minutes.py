"""Minutes (draft → circulated → approved → locked, addenda), the PDFs (minutes, meeting
pack) and the invitations (.ics, e-mail). Under construction."""

from django.http import Http404


def _todo(request, pk):
    raise Http404("Page en construction.")


minutes_edit = minutes_circulate = minutes_comment = minutes_approve = _todo
minutes_lock = addendum_add = minutes_pdf = meeting_pack_pdf = meeting_ics = _todo
invitations_send = _todo
