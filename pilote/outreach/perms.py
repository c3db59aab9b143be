"""Who manages the newsletter: the TI managers of the list's territory, nobody else (not the
EPCI agents, partners or platform administrators: subscribers are personal data)."""

from __future__ import annotations

from django.http import Http404

from pilote.accounts.perms import is_ti_manager
from pilote.outreach.models import MailingList


def can_manage(user, mailing_list: MailingList) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and is_ti_manager(user, mailing_list.territory)
    )


def mailing_list_of(request) -> MailingList:
    """The current territory's list, created on first use — the first POST (a GET writes
    nothing: until then it is an unsaved list, with nothing in it) — with the TI manager's
    organisation as sender name and `DEFAULT_FROM_EMAIL` as sender address; 404 for anyone
    who is not a TI manager of the current territory. Views filter on
    `mailing_list_id=mailing_list.pk`, which finds nothing for the unsaved list."""
    from pilote.outreach import services

    territory = getattr(request, "territory", None)
    if territory is None or not is_ti_manager(request.user, territory):
        raise Http404
    found = MailingList.objects.filter(territory=territory).order_by("pk").first()
    if found is not None:
        return found
    membership = getattr(request, "membership", None)
    organisation = membership.organisation.name if membership is not None else ""
    if request.method != "POST":
        return MailingList(territory=territory, **services.mailing_list_defaults(organisation))
    return services.mailing_list_create(
        acting_user=request.user, territory=territory, sender_name=organisation
    )
