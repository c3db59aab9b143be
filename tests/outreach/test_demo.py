"""The newsletter demo: about 90 subscribers and 13 issues sent by 30/06/2022 (the bilan),
six a year since, the next issue ready, the deliveries of every sent issue; idempotent."""

import datetime as dt
import io

import pytest
from django.db.models import Q
from django.utils import timezone

from pilote.accounts.enums import OrganisationKind, Role
from pilote.outreach import demo
from pilote.outreach.enums import DeliveryStatus, IssueStatus, SectionKind, SubscriberStatus
from pilote.outreach.models import Delivery, DoNotContact, Issue, MailingList, Subscriber
from pilote.territories.demo import HDC_SLUG
from tests.factories import (
    EpciFactory,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db
BILAN = dt.datetime(2022, 6, 30, 22, tzinfo=dt.UTC)  # midnight in Paris


@pytest.fixture
def territory():
    epcis = [EpciFactory() for _ in range(6)]
    territory = TerritoryFactory(slug=HDC_SLUG, epcis=epcis)
    cci = OrganisationFactory(kind=OrganisationKind.CCI, territories=[territory])
    MembershipFactory(organisation=cci, territory=territory, role=Role.TI_MANAGER)
    for epci in epcis:
        EstablishmentFactory.create_batch(8, epci=epci, naf_code="25.62A", naf_section="C")
    return territory


def test_the_newsletter_demo_matches_the_bilan_and_loads_once(territory):
    assert demo.load(out=io.StringIO()) > 0
    mailing_list = MailingList.objects.get(territory=territory)
    assert mailing_list.sender_email == demo.SENDER_EMAIL
    subscribers = Subscriber.objects.filter(mailing_list=mailing_list)
    assert all(s.email.endswith(".example") for s in subscribers)
    assert all(s.consent_proof for s in subscribers)

    # About 90 active at 30/06/2022: subscribed by then, not unsubscribed nor bounced by then.
    bounced_by_bilan = Delivery.objects.filter(
        status=DeliveryStatus.FAILED, issue__sent_at__lte=BILAN
    ).values("subscriber")
    active_then = (
        subscribers.filter(created_at__lte=BILAN)
        .exclude(status=SubscriberStatus.PENDING)
        .filter(Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gt=BILAN))
        .exclude(pk__in=bounced_by_bilan)
    )
    assert 85 <= active_then.count() <= 95
    assert 125 <= subscribers.active().count() <= 165
    assert subscribers.filter(status=SubscriberStatus.PENDING).count() == 2
    unsubscribed = subscribers.filter(status=SubscriberStatus.UNSUBSCRIBED)
    suspended = subscribers.filter(status=SubscriberStatus.SUSPENDED)
    assert unsubscribed.exists()
    assert suspended.exists()
    assert all(s.suspended_reason for s in suspended)
    blocked = set(DoNotContact.objects.values_list("email", flat=True))
    assert {s.email for s in [*unsubscribed, *suspended]} <= blocked

    issues = Issue.objects.filter(mailing_list=mailing_list)
    assert issues.filter(status=IssueStatus.SENT, sent_at__lte=BILAN).count() == 13
    assert issues.filter(status=IssueStatus.SENT, sent_at__gt=BILAN).count() >= 12
    assert issues.filter(status=IssueStatus.READY).count() == 1
    assert issues.get(number=1).sent_at.year == 2020
    numbers = sorted(issues.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    today = timezone.localdate()
    for issue in issues.filter(status=IssueStatus.SENT):
        assert issue.sent_at.date() < today
        assert issue.sections.count() == len(SectionKind)
        assert issue.sections.get(kind=SectionKind.EDITO).body
        deliveries = issue.deliveries.all()
        assert deliveries.count() >= 50
        assert not deliveries.filter(subscriber__created_at__gt=issue.sent_at).exists()
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == suspended.count()
    assert issues.get(status=IssueStatus.READY).published_on >= today

    assert demo.load(out=io.StringIO()) == 0
