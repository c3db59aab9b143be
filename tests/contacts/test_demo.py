import io

from pilote.accounts.enums import OrganisationKind, Role
from pilote.contacts import demo
from pilote.contacts.models import Contact
from pilote.core.models import AuditEvent
from pilote.territories.demo import HDC_SLUG
from tests.factories import (
    EpciFactory,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
)


def demo_territory():
    epci = EpciFactory(name="CA de Cambrai")
    territory = TerritoryFactory(slug=HDC_SLUG, epcis=[epci])
    agency = OrganisationFactory(kind=OrganisationKind.EPCI, epci=epci, territories=[territory])
    cci = OrganisationFactory(kind=OrganisationKind.CCI, territories=[territory])
    agent = MembershipFactory(organisation=agency, territory=territory, role=Role.EPCI_AGENT)
    MembershipFactory(organisation=cci, territory=territory, role=Role.TI_MANAGER)
    return epci, agent.user


def test_without_establishments_the_demo_creates_nothing_and_says_so(db):
    demo_territory()
    out = io.StringIO()
    assert demo.load(out=out) == 0
    assert "aucun établissement" in out.getvalue()


def test_the_demo_writes_through_the_service_and_a_second_run_creates_nothing(db):
    epci, agent = demo_territory()
    EstablishmentFactory(epci=epci, headcount_band="21", naf_section="C", siret="80000013500015")
    EstablishmentFactory(epci=epci, headcount_band="12", naf_section="C", siret="80000026700016")
    EstablishmentFactory(epci=epci, headcount_band="01", naf_section="C")  # too small
    assert demo.load(out=io.StringIO()) == 2
    assert demo.load(out=io.StringIO()) == 0
    contacts = Contact.objects.order_by("main_establishment__siret")
    assert [c.main_establishment.siret for c in contacts] == ["80000013500015", "80000026700016"]
    assert [c.role for c in contacts] == ["Directrice de site", "Responsable RH"]
    assert {c.author for c in contacts} == {agent}
    assert all(c.email.endswith(".example") and c.source for c in contacts)
    assert AuditEvent.objects.filter(action="contact.create").count() == 2
