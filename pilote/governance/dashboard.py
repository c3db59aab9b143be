"""The dashboard's « Instances de gouvernance — <année> » panel, for the TI managers: each
body of the current territory with its meetings held against the required frequency, and a
warning for those that still miss meetings this year (cadence.py)."""

from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.core.dashboard import panel
from pilote.governance.cadence import cadence


@panel(roles=[Role.TI_MANAGER], order=24, template="governance/_dashboard.html")
def governance_cadence(request) -> dict | None:
    territory = request.membership.territory
    today = timezone.localdate()
    rows = cadence(territory, today.year, today, user=request.user)
    if not rows:
        return None
    return {
        "year": today.year,
        "rows": rows,
        "missing": [r for r in rows if r.missing],
    }
