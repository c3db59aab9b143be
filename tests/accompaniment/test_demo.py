"""The accompaniment demo: the roadmap's proportions, through the services, idempotent."""

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.utils import timezone

from pilote.accompaniment import demo
from pilote.accompaniment.enums import DiagnosticKind, InteractionKind, Level
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Action,
    Answer,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.accounts.enums import OrganisationKind, Role
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


SITES = [("12", "25.62A", 12), ("21", "29.32Z", 10), ("22", "23.13Z", 6), ("11", "10.71A", 6),
         ("32", "30.20Z", 2), ("02", "25.11Z", 20)]  # fmt: skip


def demo_territory(*, establishments: bool = True):
    cambrai, douai = EpciFactory(name="CA de Cambrai"), EpciFactory(name="CA du Douaisis")
    territory = TerritoryFactory(slug=HDC_SLUG, epcis=[cambrai, douai])
    cci = OrganisationFactory(kind=OrganisationKind.CCI, territories=[territory])
    MembershipFactory(organisation=cci, territory=territory, role=Role.TI_MANAGER)
    for epci in (cambrai, douai):
        organisation = OrganisationFactory(
            kind=OrganisationKind.EPCI, epci=epci, territories=[territory]
        )
        MembershipFactory(organisation=organisation, territory=territory, role=Role.EPCI_AGENT)
        if not establishments:
            continue
        for band, naf, count in SITES:
            EstablishmentFactory.create_batch(
                count, epci=epci, headcount_band=band, naf_code=naf, naf_section="C"
            )
        EstablishmentFactory.create_batch(5, epci=epci, naf_code="47.11D", naf_section="G")
    return territory


def test_without_establishments_it_creates_nothing_and_says_why():
    demo_territory(establishments=False)
    out = io.StringIO()
    assert demo.load(out=out) == 0
    assert "aucun établissement industriel" in out.getvalue()
    assert not Interaction.objects.exists()


def test_it_follows_the_roadmaps_bilan_through_the_services_idempotently():
    demo_territory()
    created = demo.load(out=io.StringIO())

    assert Interaction.objects.count() > 200  # « plus de 200 prises de contact »
    levels = AccompanimentLevel.objects.current()
    assert levels.count() == 43  # « 43 entreprises industrielles » accompanied
    bands = Counter(levels.values_list("establishment__headcount_band", flat=True))
    assert bands["12"] + bands["21"] + bands["22"] == 36  # mostly PMEs of 30 to 200
    assert not levels.exclude(establishment__naf_section="C").exists()
    assert levels.filter(level=Level.REINFORCED).count() == 14
    assert Interaction.objects.meetings().count() == 43
    assert Answer.objects.count() > 43 * 10
    assert Need.objects.count() >= 43
    assert Project.objects.count() >= 43
    assert all(p.investment_amount > 0 for p in Project.objects.all())
    kinds = set(Diagnostic.objects.values_list("kind", flat=True))
    assert kinds == {DiagnosticKind.ECOLOGICAL_TRANSITION, DiagnosticKind.INDUSTRY_OF_THE_FUTURE}
    assert Referral.objects.exists()
    assert Action.objects.overdue().exists()
    assert Action.objects.open().exclude(pk__in=Action.objects.overdue()).exists()
    # Written by the services: one audit event per interaction, by a real user.
    assert AuditEvent.objects.filter(action="interaction.create").count() == (
        Interaction.objects.count()
    )
    assert not Interaction.objects.filter(author__isnull=True).exists()
    assert created >= Interaction.objects.count() + Answer.objects.count()

    assert demo.load(out=io.StringIO()) == 0
    assert AccompanimentLevel.objects.current().count() == 43


def quoted_titles(text: str) -> list[str]:
    return re.findall(r"« ([^»]+) »", text or "")


@pytest.mark.parametrize("today", [dt.date(2027, 3, 14), dt.date(2027, 9, 1)])
def test_it_reads_like_a_real_teams_follow_up(today, time_machine):
    time_machine.move_to(dt.datetime.combine(today, dt.time(8)), tick=False)
    demo_territory()
    demo.load(out=io.StringIO())

    # Open actions are a few days to a few weeks late, never months.
    late = [(today - a.due_date).days for a in Action.objects.open() if a.due_date < today]
    assert late
    assert max(late) <= 60
    assert not Action.objects.filter(due_date__week_day__in=[1, 7]).exists()  # weekends
    # Meetings and calls happen on working days, the points of next week included.
    assert not Interaction.objects.filter(occurred_on__week_day__in=[1, 7]).exists()
    coming = Interaction.objects.filter(occurred_on__gt=today, kind=InteractionKind.PHONE)
    assert coming.count() == demo.PLANNED_NEXT_WEEK
    # Titles start with a capital letter, also when quoted in a summary or a note.
    titles = [
        *Project.objects.values_list("title", flat=True),
        *Action.objects.values_list("title", flat=True),
    ]
    for text in [
        *Interaction.objects.values_list("summary", flat=True),
        *Interaction.objects.values_list("company_summary", flat=True),
        *AccompanimentLevel.objects.values_list("note", flat=True),
    ]:
        titles += quoted_titles(text)
    assert len(titles) > 200
    assert [t for t in titles if not t[0].isupper()] == []
    assert timezone.localdate() == today
