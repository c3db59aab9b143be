"""Contact factory (to move into tests/factories.py with the other domains)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pilote.contacts.models import Contact
from pilote.core.enums import Visibility
from tests.factories import EstablishmentFactory, OrganisationFactory, UserFactory


class ContactFactory(DjangoModelFactory):
    """A contact at `main_establishment` (also its only site unless `establishments` is given),
    in that establishment's EPCI: `ContactFactory(main_establishment__epci=epci)`."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    main_establishment = factory.SubFactory(EstablishmentFactory)
    company = factory.SelfAttribute("main_establishment.company")
    epci = factory.SelfAttribute("main_establishment.epci")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = "Directeur de site"
    email = factory.Faker("email")
    phone = "03 53 01 00 00"
    source = "Carte de visite"
    visibility = Visibility.EPCI
    last_activity_at = factory.LazyFunction(timezone.now)
    author = factory.SubFactory(UserFactory)
    author_organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def establishments(self, create, extracted, **kwargs):
        if create:
            self.establishments.set(extracted or [self.main_establishment])
