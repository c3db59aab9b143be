"""The dashboard's « Convention de partenariat » panel, for the TI managers: the budget
follow-up of the current year of the current territory's agreement, the overdue calls for
funds, and the regularisations on actual expenses still to issue for the years ended."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.agreement import followup, ledger
from pilote.agreement.enums import Basis
from pilote.agreement.models import Agreement, FundsCall, Year
from pilote.core.dashboard import panel


def current_year(agreement: Agreement, today):
    """The year containing `today`, else the last one started, else the first."""
    years = list(agreement.years.order_by("number"))
    if not years:
        return None
    started = [y for y in years if y.start <= today]
    return next(
        (y for y in years if y.start <= today <= y.end), started[-1] if started else years[0]
    )


@panel(roles=[Role.TI_MANAGER], order=26, template="agreement/_dashboard.html")
def agreement_followup(request) -> dict | None:
    territory = request.membership.territory
    agreement = Agreement.objects.filter(territory=territory).order_by("-starts_on", "-pk").first()
    if agreement is None:
        return None
    today = timezone.localdate()
    year = current_year(agreement, today)
    if year is None:
        return None
    calls = ledger.with_paid(FundsCall.objects.filter(year__agreement=agreement))
    overdue = [c for c in calls if c.amount - c.paid > 0 and c.due_on < today]
    to_regularise = Year.objects.filter(agreement=agreement, end__lt=today).exclude(
        Exists(FundsCall.objects.filter(year=OuterRef("pk"), basis=Basis.ACTUAL))
    )
    return {
        "agreement": agreement,
        "year": year,
        "followup": followup.for_year(year),
        "overdue": overdue,
        "overdue_balance": sum((c.amount - c.paid for c in overdue), ledger.ZERO),
        "to_regularise": list(to_regularise.order_by("number")),
    }
