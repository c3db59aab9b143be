from django.conf import settings

from pilote.accounts import perms


def pilote(request):
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "SITE_NAME": settings.SITE_NAME,
        "current_membership": membership,
        "can_view_history": authenticated and perms.can_view_history(user),
        "is_platform_admin": authenticated and perms.is_platform_admin(user),
    }
