from django.db.models import Count, Q

from pilote.accounts.enums import Role
from pilote.companies.directory import industrial_sections
from pilote.companies.enums import CORE_TARGET_BANDS, EstablishmentState
from pilote.companies.models import Establishment
from pilote.core.dashboard import panel


@panel(roles=list(Role), order=40, template="companies/_dashboard.html")
def company_base(request) -> dict:
    """Public SIRENE figures of the territory: the same for every member."""
    territory = request.territory
    active = Establishment.objects.filter(
        epci__territories=territory, state=EstablishmentState.ACTIVE
    )
    figures = active.aggregate(
        total=Count("pk"),
        industrial=Count("pk", filter=Q(naf_section__in=industrial_sections(territory))),
        core=Count(
            "pk",
            filter=Q(
                naf_section__in=industrial_sections(territory),
                headcount_band__in=CORE_TARGET_BANDS,
            ),
        ),
    )
    return {"figures": figures, "role": request.membership.role}
