"""Factories of the newsletter: a list, its subscribers, an issue with its six sections.

mailing_list = MailingListFactory(territory=world.territory_a)
SubscriberFactory.create_batch(5, mailing_list=mailing_list)
issue = IssueFactory(mailing_list=mailing_list, status=IssueStatus.READY)
issue.sections.count()  # 6, one per SectionKind, in order
"""

import factory
from factory.django import DjangoModelFactory

from pilote.outreach.enums import (
    BlockReason,
    IssueStatus,
    LegalBasis,
    SectionKind,
    Source,
    SubscriberStatus,
)
from pilote.outreach.models import DoNotContact, Issue, MailingList, Section, Subscriber
from pilote.outreach.subscriptions import email_hash
from tests.factories import TerritoryFactory


class MailingListFactory(DjangoModelFactory):
    class Meta:
        model = MailingList

    territory = factory.SubFactory(TerritoryFactory)
    name = "Lettre d'information"
    sender_name = "Territoire d'industrie"
    sender_email = factory.Sequence(lambda n: f"lettre{n}@exemple.fr")
    reply_to = factory.Sequence(lambda n: f"equipe{n}@exemple.fr")


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    mailing_list = factory.SubFactory(MailingListFactory)
    email = factory.Sequence(lambda n: f"abonne{n}@exemple.fr")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    organisation = factory.Faker("company")
    legal_basis = LegalBasis.CONSENT
    consent_proof = "Bulletin signé à l'atelier du 12 mars"
    source = Source.TEAM
    status = SubscriberStatus.ACTIVE


class DoNotContactFactory(DjangoModelFactory):
    class Meta:
        model = DoNotContact

    mailing_list = factory.SubFactory(MailingListFactory)
    email = factory.Sequence(lambda n: f"bloque{n}@exemple.fr")
    email_hash = factory.LazyAttribute(lambda o: email_hash(o.email))
    reason = BlockReason.MANUAL


SECTION_BODIES = {
    SectionKind.EDITO: "Bienvenue dans ce **nouveau numéro**.",
    SectionKind.CALLS: "- Appel « Industrie du futur » : clôture le 30 juin",
    SectionKind.EVENTS: "- 12 juin : atelier décarbonation à Valenciennes",
    SectionKind.PORTRAIT: "L'entreprise *Exemple* recrute.",
    SectionKind.EPCI_NEWS: "La CA du Premier ouvre une pépinière.",
    SectionKind.FIGURES: "| indicateur | valeur |\n|---|---|\n| entreprises accompagnées | 42 |",
}


class IssueFactory(DjangoModelFactory):
    """An issue with its six sections (`sections=False` for none)."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    mailing_list = factory.SubFactory(MailingListFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Numéro de test {n + 1}")
    status = IssueStatus.DRAFT

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for position, kind in enumerate(SectionKind):
            Section.objects.create(
                issue=self,
                kind=kind,
                title=kind.label,
                body=SECTION_BODIES[kind],
                position=position,
            )
