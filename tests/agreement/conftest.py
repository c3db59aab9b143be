import io

import pytest

from pilote.agreement import demo
from tests.factories import EpciFactory, TerritoryFactory

SIRENS = ["245901160", "200042190", "200043396", "200068500", "200030633", "200044618"]


@pytest.fixture
def hdc(db):
    """A « hainaut-douaisis-cambresis » territory with six EPCIs and the demo's agreement."""
    epcis = [EpciFactory(siren=siren, name=f"CA {i}") for i, siren in enumerate(SIRENS, 1)]
    territory = TerritoryFactory(name="Hainaut", slug=demo.HDC_SLUG, epcis=epcis)
    assert demo.load(out=io.StringIO()) > 0
    return territory


@pytest.fixture
def hdc_manager(hdc):
    """A TI manager of the demo's territory."""
    from pilote.accounts.enums import OrganisationKind, Role
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    cci = OrganisationFactory(name="CCI", kind=OrganisationKind.CCI, territories=[hdc])
    return MembershipFactory(
        user=UserFactory(email="cheffe@exemple.fr"), organisation=cci, territory=hdc,
        role=Role.TI_MANAGER,
    ).user  # fmt: skip
