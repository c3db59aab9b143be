from pilote.accounts.enums import ROLES_BY_KIND, Role
from pilote.accounts.models import Organisation
from pilote.accounts.scope import get_scope


def is_ti_manager(user, territory=None) -> bool:
    scope = get_scope(user)
    if territory is None:
        return bool(scope.managed_territory_ids)
    return territory.pk in scope.managed_territory_ids


def is_platform_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.ADMIN in get_scope(user).roles)


def can_invite(user, territory) -> bool:
    return is_ti_manager(user, territory) or (
        is_platform_admin(user) and territory.pk in get_scope(user).territory_ids
    )


def invitable_roles(user, organisation: Organisation) -> list[str]:
    """Roles `user` may grant in `organisation`: only an administrator makes administrators."""
    allowed = list(ROLES_BY_KIND.get(organisation.kind, []))
    if not is_platform_admin(user):
        allowed = [r for r in allowed if r != Role.ADMIN]
    return allowed


def can_view_members(user, territory) -> bool:
    return territory.pk in get_scope(user).territory_ids


def can_view_history(user) -> bool:
    """Audit trails are for TI managers and platform administrators."""
    return is_ti_manager(user) or is_platform_admin(user)
