"""factory_boy factories, French fake data (Faker fr_FR)."""

import factory
from factory.django import DjangoModelFactory

from pilote.accounts.enums import OrganisationKind, Role
from pilote.accounts.models import Membership, Organisation, User
from pilote.companies.models import Company, Establishment, Sector
from pilote.core.enums import Visibility
from pilote.notes.models import Note
from pilote.territories.models import Commune, Department, Epci, Region, Territory

factory.Faker._DEFAULT_LOCALE = "fr_FR"

PASSWORD = "mot-de-passe-de-test"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "32"
    name = "Hauts-de-France"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = "59"
    name = "Nord"
    region = factory.SubFactory(RegionFactory)


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Epci

    siren = factory.Sequence(lambda n: f"2{n:08d}")
    name = factory.Sequence(lambda n: f"CA de Test {n}")
    kind = "CA"
    population = 100000


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune

    # 59700 to 59999: never a code that a test writes itself (59122, 59606…), whatever the
    # number of communes the session has made before.
    code = factory.Sequence(lambda n: f"59{700 + n % 300:03d}")
    name = factory.Faker("city")
    department = factory.SubFactory(DepartmentFactory)
    region = factory.SelfAttribute("department.region")
    postcodes = "59000"
    population = 5000
    epci = factory.SubFactory(EpciFactory)


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territoire d'industrie {n}")
    slug = factory.Sequence(lambda n: f"territoire-{n}")

    @factory.post_generation
    def epcis(self, create, extracted, **kwargs):
        if create and extracted:
            self.epcis.set(extracted)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.CCI

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create and extracted:
            self.territories.set(extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    territory = factory.SubFactory(TerritoryFactory)
    role = Role.TI_MANAGER


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    title = factory.Faker("sentence", nb_words=5)
    body = factory.Faker("paragraph")
    visibility = Visibility.EPCI
    epci = factory.SubFactory(EpciFactory)
    author = factory.SubFactory(UserFactory)
    author_organisation = factory.SubFactory(OrganisationFactory)


def _with_luhn_key(digits: str) -> str:
    from stdnum import luhn

    return digits + luhn.calc_check_digit(digits)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    # Valid SIRENs (Luhn key), as forms check them.
    siren = factory.Sequence(lambda n: _with_luhn_key(f"{30000000 + n:08d}"))
    name = factory.Faker("company")
    size_category = "PME"
    headcount_band = "21"


class EstablishmentFactory(DjangoModelFactory):
    """An establishment in a commune of `epci` (the commune is created when not given)."""

    class Meta:
        model = Establishment

    company = factory.SubFactory(CompanyFactory)
    nic = factory.LazyAttributeSequence(
        lambda o, n: _with_luhn_key(f"{o.company.siren}{1000 + n % 9000:04d}")[9:]
    )
    siret = factory.LazyAttribute(lambda o: f"{o.company.siren}{o.nic}")
    own_name = ""
    epci = factory.SubFactory(EpciFactory)
    commune = factory.LazyAttribute(lambda o: CommuneFactory(epci=o.epci))
    address = "12 rue de l'Industrie"
    postcode = "59300"
    naf_code = "29.32Z"
    naf_section = "C"
    headcount_band = "21"
    is_head_office = True

    @factory.lazy_attribute
    def search_text(self):
        from pilote.companies.models import normalise

        return f"{normalise(self.own_name or self.company.name or '')} {self.siret}"


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector

    territory = factory.SubFactory(TerritoryFactory)
    slug = factory.Sequence(lambda n: f"filiere-{n}")
    name = factory.Sequence(lambda n: f"Filière {n}")
    naf_prefixes = ["29"]
