"""Factories of accompaniment objects (the shared ones are in tests/factories.py).

`*_of(world, ...)` build records of territory A written by a world actor, the way the leak
matrix and most tests need them. The guide is installed by the real service.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pilote.accompaniment import services
from pilote.accompaniment.enums import (
    ActionStatus,
    DiagnosticKind,
    InteractionKind,
    Maturity,
    Partner,
    ProjectKind,
    Theme,
    Urgency,
)
from pilote.accompaniment.models import (
    Action,
    Answer,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.core.enums import Visibility
from tests.factories import EstablishmentFactory, OrganisationFactory, UserFactory


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    visibility = Visibility.EPCI
    author = factory.SubFactory(UserFactory)
    author_organisation = factory.SubFactory(OrganisationFactory)


class InteractionFactory(FollowUpFactory):
    class Meta:
        model = Interaction

    establishment = factory.SubFactory(EstablishmentFactory)
    epci = factory.SelfAttribute("establishment.epci")
    kind = InteractionKind.SITE_VISIT
    occurred_on = factory.LazyFunction(timezone.localdate)
    summary = factory.Faker("sentence", nb_words=8)
    time_spent_minutes = 90


class RecordFactory(FollowUpFactory):
    class Meta:
        abstract = True

    establishment = factory.SubFactory(EstablishmentFactory)
    epci = factory.SelfAttribute("establishment.epci")


class NeedFactory(RecordFactory):
    class Meta:
        model = Need

    theme = Theme.EMPLOYMENT
    description = "Difficultés à recruter des soudeurs qualifiés"
    urgency = Urgency.HIGH


class ProjectFactory(RecordFactory):
    class Meta:
        model = Project

    kind = ProjectKind.DECARBONISATION
    title = "Remplacement du four à gaz par un four électrique"
    investment_amount = Decimal("1200000.00")
    jobs_created = 15
    jobs_kept = 40
    maturity = Maturity.STUDY


class DiagnosticFactory(RecordFactory):
    class Meta:
        model = Diagnostic

    kind = DiagnosticKind.INDUSTRY_OF_THE_FUTURE
    operator = "CCI Hauts-de-France"
    offered_on = factory.LazyFunction(timezone.localdate)


class ReferralFactory(RecordFactory):
    class Meta:
        model = Referral

    partner = Partner.BPIFRANCE
    subject = "Prêt croissance industrie"
    referred_on = factory.LazyFunction(timezone.localdate)


class ActionFactory(RecordFactory):
    class Meta:
        model = Action

    title = "Envoyer la fiche du dispositif"
    owner = factory.SelfAttribute("author")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    status = ActionStatus.TODO


def written_by(world, author: str) -> dict:
    membership = world.memberships[author]
    return {"author": membership.user, "author_organisation": membership.organisation}


def site_of(world, epci: str = "e1", **fields):
    return EstablishmentFactory(epci=world.epcis[epci], **fields)


def guide_of(world, territory=None):
    return services.guide_install_default(
        acting_user=None, territory=territory or world.territory_a
    )


def meeting_of(world, epci="e1", author="agent_e1", *, visibility=Visibility.EPCI, **fields):
    """An interaction run on territory A's guide (installed on first use)."""
    fields.setdefault("establishment", site_of(world, epci))
    fields.setdefault("guide_version", guide_of(world).current_version)
    return InteractionFactory(visibility=visibility, **written_by(world, author), **fields)


def answer_to(interaction, key: str, **values) -> Answer:
    question = interaction.guide_version.questions.get(key=key)
    return Answer.objects.create(
        interaction=interaction,
        question=question,
        epci=interaction.epci,
        visibility=interaction.visibility,
        author=interaction.author,
        author_organisation=interaction.author_organisation,
        **values,
    )
