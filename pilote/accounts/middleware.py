from django.utils.functional import SimpleLazyObject

from pilote.accounts.models import Membership
from pilote.accounts.scope import get_scope

SESSION_KEY = "pilote_membership_id"


def current_membership(request) -> Membership | None:
    """The membership the user acts under: the one chosen in the session, else the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = (
        Membership.objects.active().filter(user=user).select_related("organisation", "territory")
    )
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(pk=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("pk").first()


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = current_membership(request)
        # The territory shown (dashboard, directory, lists): the current membership's.
        request.territory = request.membership.territory if request.membership else None
        # Every territory the user is a member of (pages of other territories answer 404).
        request.territory_ids = SimpleLazyObject(lambda: get_scope(request.user).territory_ids)
        return self.get_response(request)
