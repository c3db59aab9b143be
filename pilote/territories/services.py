from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from pilote.accounts import perms
from pilote.core import audit
from pilote.territories.models import Territory


@transaction.atomic
def territory_create(*, acting_user, name: str, slug: str, epcis) -> Territory:
    if acting_user is not None and not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur peut créer un Territoire d'industrie.")
    if not epcis:
        raise ValidationError("Un Territoire d'industrie compte au moins un EPCI.")
    territory = Territory.objects.create(name=name, slug=slug)
    territory.epcis.set(epcis)
    audit.record(
        actor=acting_user,
        action="territory.create",
        obj=territory,
        after={**audit.snapshot(territory), "epcis": [e.pk for e in epcis]},
    )
    return territory
