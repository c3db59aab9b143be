from pilote.accounts.models import Membership

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
        return self.get_response(request)
