from pilote.accounts.enums import Role
from pilote.accounts.models import Invitation, Membership
from pilote.core.dashboard import panel


@panel(roles=[Role.TI_MANAGER, Role.ADMIN], order=80, template="accounts/_dashboard.html")
def team(request) -> dict:
    territory = request.territory
    return {
        "member_count": Membership.objects.active().filter(territory=territory).count(),
        "pending_invitations": Invitation.objects.pending().filter(territory=territory).count(),
    }
