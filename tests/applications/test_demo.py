"""The applications demo: the roadmap's bilan at 30/04/2022 and 30/06/2022, computed here from
the indicators' definitions, a pipeline consistent with today, through the services,
idempotently."""

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from pilote.accounts.enums import OrganisationKind, Role
from pilote.aids import demo as aids_demo
from pilote.applications import demo
from pilote.applications.enums import DECIDED, Status
from pilote.applications.models import Application, Payment, StatusChange, SupportTime
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.territories.demo import HDC_SLUG
from tests.factories import (
    EpciFactory,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db

# What the demo's SIRENE file holds, in small: manufacturing of several filières and sizes.
NAFS = ["25.62A", "29.32Z", "23.13Z", "10.51A", "20.16Z", "28.29B", "24.51Z", "22.29A",
        "30.20Z", "27.12Z", "11.07A", "24.10Z"]  # fmt: skip
BANDS = ["12", "21", "22", "31"]
MILLION = Decimal(1_000_000)


def demo_territory():
    epcis = [EpciFactory() for _ in range(6)]
    territory = TerritoryFactory(slug=HDC_SLUG, epcis=epcis)
    cci = OrganisationFactory(kind=OrganisationKind.CCI, territories=[territory])
    manager = MembershipFactory(organisation=cci, territory=territory, role=Role.TI_MANAGER).user
    for n, epci in enumerate(epcis):
        for i, naf in enumerate(NAFS):
            band = BANDS[(n + i) % len(BANDS)]
            EstablishmentFactory(epci=epci, naf_code=naf, naf_section="C", headcount_band=band)
            if i % 3 == 0:
                EstablishmentFactory(epci=epci, naf_code=naf, naf_section="C", headcount_band="32")
        EstablishmentFactory.create_batch(2, epci=epci, naf_code="47.11D", naf_section="G")
    aids_demo.load(out=io.StringIO())
    return manager


def millions(value) -> Decimal:
    return (value / MILLION).quantize(Decimal("0.1"))


def supported_at(day):
    """The indicators of the team's applications at `day` (the indicators' definitions)."""
    supported = Application.objects.filter(supported=True)
    filed = supported.filter(filed_on__lte=day)
    in_review = filed.filter(Q(decided_on__isnull=True) | Q(decided_on__gt=day))
    accepted = supported.filter(decided_on__lte=day, status=Status.ACCEPTED)
    return {
        "filed": filed.count(),
        "in_review": in_review.count(),
        "accepted": accepted.count(),
        "refused": supported.filter(decided_on__lte=day, status=Status.REFUSED).count(),
        "withdrawn": supported.filter(decided_on__lte=day, status=Status.WITHDRAWN).count(),
        "amount_requested": filed.aggregate(s=Sum("amount_requested"))["s"],
        "amount_in_review": in_review.aggregate(s=Sum("amount_requested"))["s"],
        "amount_granted": accepted.aggregate(s=Sum("amount_granted"))["s"],
    }


def territory_at(day, applications=None):
    """The indicators of every application of the territory at `day`."""
    applications = Application.objects.all() if applications is None else applications
    decided = applications.filter(decided_on__lte=day)
    accepted = decided.filter(status=Status.ACCEPTED)
    sums = accepted.aggregate(
        companies=Count("establishment__company__siren", distinct=True),
        granted=Sum("amount_granted"),
        investment=Sum("investment"),
        jobs=Sum("jobs"),
    )
    return {
        "laureate_companies": sums["companies"],
        "accepted": accepted.count(),
        "decided": decided.count(),
        "amount_granted": sums["granted"],
        "investment_supported": sums["investment"],
        "jobs": sums["jobs"],
        "acceptance_rate": accepted.count() / decided.count(),
    }


def test_it_reproduces_the_roadmaps_bilan_through_the_services_idempotently():
    manager = demo_territory()
    created = demo.load(out=io.StringIO())

    team = supported_at(dt.date(2022, 4, 30))
    print("Équipe au 30/04/2022 :", team)
    assert 12 <= team["filed"] <= 14
    assert millions(team["amount_granted"]) == Decimal("1.2")
    assert millions(team["amount_in_review"]) == Decimal("3.4")

    bilan = territory_at(dt.date(2022, 6, 30))
    print("Territoire au 30/06/2022 :", bilan)
    assert bilan["laureate_companies"] == 43
    assert bilan["accepted"] == 53
    assert millions(bilan["amount_granted"]) == Decimal("63.5")
    assert bilan["investment_supported"] > 588 * MILLION
    assert 3950 <= bilan["jobs"] <= 4050
    assert 0.48 <= bilan["acceptance_rate"] <= 0.52
    fonds = Application.objects.filter(
        Q(scheme__title=demo.FONDS_TI) | Q(funder__contains=demo.FONDS_TI)
    )
    fonds_ti = territory_at(dt.date(2022, 6, 30), fonds)
    assert fonds_ti["accepted"] == 25
    assert millions(fonds_ti["amount_granted"]) == 17
    assert 210 * MILLION <= fonds_ti["investment_supported"] <= 230 * MILLION
    assert fonds.filter(scheme__isnull=False).exists()  # the catalogue's scheme

    # Plausible amounts; the official laureates are public, the team's mostly for the EPCI.
    applications = Application.objects.all()
    assert not applications.filter(amount_granted__gt=F("amount_requested")).exists()
    assert not applications.filter(investment__lt=2 * F("amount_granted")).exists()
    assert not applications.filter(
        supported=False, status=Status.ACCEPTED, visibility=Visibility.EPCI
    ).exists()
    shown = Counter(applications.filter(supported=True).values_list("visibility", flat=True))
    assert shown[Visibility.EPCI] > shown[Visibility.TERRITORY] > 0
    assert all(a.reference.startswith(f"FR-{(a.filed_on or today()).year}-DS-")
               for a in applications)  # fmt: skip

    # Through the services: a history line per change, audited, by the TI manager.
    assert not applications.exclude(author=manager).exists()
    for application in applications.prefetch_related("status_changes"):
        changes = list(application.status_changes.all())
        assert changes[0].from_status == ""
        assert [c.from_status for c in changes[1:]] == [c.to_status for c in changes[:-1]]
        assert changes[-1].to_status == application.status
        assert all(c.effective_on <= today() for c in changes)
        if application.supported and application.filed_on:
            assert len(changes) >= 2 or application.status == Status.BUILDING
    assert AuditEvent.objects.filter(action="application.create").count() == applications.count()
    assert AuditEvent.objects.filter(action="application.status").count() == (
        StatusChange.objects.exclude(from_status="").count()
    )
    reopened = StatusChange.objects.filter(from_status__in=DECIDED).exclude(to_status__in=DECIDED)
    assert reopened.count() == 1

    # Payments in instalments within the aid; time spent on the team's applications.
    paid = Payment.objects.values("application").annotate(n=Count("pk"), total=Sum("amount"))
    assert max(p["n"] for p in paid) == 3
    for row in paid:
        assert row["total"] <= Application.objects.get(pk=row["application"]).amount_granted
    assert not Payment.objects.exclude(application__status=Status.ACCEPTED).exists()
    assert not SupportTime.objects.filter(application__supported=False).exists()
    assert not applications.filter(supported=True, support_times__isnull=True).exists()

    # A pipeline up to today: drafts, files being built for the calls closing in the coming
    # weeks with documents due soon, files in review, decisions in the following years.
    now = today()
    building = applications.filter(status=Status.BUILDING)
    assert building.count() >= 3
    for application in building:
        assert now < application.closes_on <= now + dt.timedelta(days=60)
        assert now <= application.documents_due_on <= now + dt.timedelta(days=14)
    assert applications.filter(status=Status.DRAFT, filed_on__isnull=True).count() >= 2
    assert applications.filter(status=Status.REVIEW, filed_on__gt=dt.date(2022, 6, 30)).exists()
    later = applications.filter(supported=True, decided_on__gt=dt.date(2022, 12, 31))
    years = set(later.values_list("decided_on__year", flat=True))
    assert len(years) >= 3
    assert {Status.ACCEPTED, Status.REFUSED, Status.WITHDRAWN} <= set(
        later.values_list("status", flat=True)
    )

    count = applications.count()
    assert created > count
    assert demo.load(out=io.StringIO()) == 0
    assert Application.objects.count() == count


@pytest.mark.parametrize("day", [dt.date(2027, 9, 1)])
def test_the_pipeline_follows_today_and_the_bilan_stays(day, time_machine):
    time_machine.move_to(dt.datetime.combine(day, dt.time(8)), tick=False)
    demo_territory()
    demo.load(out=io.StringIO())

    assert millions(supported_at(dt.date(2022, 4, 30))["amount_in_review"]) == Decimal("3.4")
    assert territory_at(dt.date(2022, 6, 30))["accepted"] == 53
    assert not StatusChange.objects.filter(effective_on__gt=day).exists()
    assert not Payment.objects.filter(paid_on__gt=day).exists()
    building = Application.objects.filter(status=Status.BUILDING)
    assert building.exists()
    assert not building.filter(closes_on__lte=day).exists()
    assert timezone.localdate() == day


def today():
    return timezone.localdate()
