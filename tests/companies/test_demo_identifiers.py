"""The demo company base's identifiers: every SIREN and SIRET passes python-stdnum (as a TI
manager typing one in a form, or importing a tracking spreadsheet of them, would need), and
ordering by SIRET keeps the generation order the other demos rely on to pick establishments
(`order_by("siret")`): the 8… family in generation order, a head office before its second site,
then the flagships (9…)."""

import io

import pytest
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from pilote.accounts import demo as accounts_demo
from pilote.companies import demo
from pilote.companies.identifiers import clean_siret
from pilote.companies.models import Company, Establishment
from pilote.territories import demo as territories_demo
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

pytestmark = pytest.mark.django_db


def test_the_helpers_give_valid_numbers_sorted_as_their_bases():
    sirens = [demo.siren_of(80000000 + i * 13) for i in range(3000)]
    assert sirens == sorted(sirens)
    assert len(set(sirens)) == 3000
    assert all(stdnum_siren.is_valid(s) for s in sirens)
    for siren in sirens[:200]:
        head, site = siren + demo.nic_of(siren, "0001"), siren + demo.nic_of(siren, "0003")
        assert stdnum_siret.is_valid(head)
        assert stdnum_siret.is_valid(site)
        assert head < site


def test_every_demo_siren_and_siret_is_valid_and_the_siret_order_is_the_generation_order():
    territories_demo.load(out=io.StringIO())
    accounts_demo.load(out=io.StringIO())  # the demo territory
    assert demo.load(out=io.StringIO()) > 0

    sirens = list(Company.objects.values_list("siren", flat=True))
    sirets = list(Establishment.objects.values_list("siret", flat=True))
    assert len(sirens) == demo.N_ESTABLISHMENTS + len(demo.FLAGSHIPS)
    assert len(sirets) > len(sirens)  # some second sites
    assert [s for s in sirens if not stdnum_siren.is_valid(s)] == []
    assert [s for s in sirets if not stdnum_siret.is_valid(s)] == []
    assert all(clean_siret(" ".join([s[:3], s[3:6], s[6:9], s[9:]])) == s for s in sirets[:50])

    # Generation order within each family (8… before the flagships' 9…) = SIRET order.
    etabs, _units = demo.build_rows(Territory.objects.get(slug=HDC_SLUG))
    generated = [
        row["siret"] for _i, row in sorted(enumerate(etabs), key=lambda p: (p[1]["siren"][0], p[0]))
    ]
    assert (
        list(Establishment.objects.order_by("siret").values_list("siret", flat=True)) == generated
    )
    heads = [r["siret"] for r in etabs if r["etablissementSiege"] == "true"]
    assert all(s[9:13] == "0001" for s in heads)
    assert all(r["siret"][9:13] == "0003" for r in etabs if r["etablissementSiege"] == "false")

    assert demo.load(out=io.StringIO()) == 0  # the same files: nothing created the second time
