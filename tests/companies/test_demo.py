"""The demo company base: names a TI team would believe, given each company's activity."""

import re

import pytest

from pilote.companies import demo
from tests.factories import CommuneFactory, EpciFactory, TerritoryFactory

# Words of a company name → the NAF divisions (first two digits) such a company may have.
# Written independently of the demo's table: a « Forges » never makes milk.
NAME_WORDS = {
    "ACIÉRIES": {"24"}, "SIDÉRURGIE": {"24"}, "FONDERIE": {"24", "25"},
    "FORGES": {"25"}, "ESTAMPAGE": {"25"}, "TÔLERIE": {"25"}, "CHAUDRONNERIE": {"25"},
    "CHARPENTES MÉTALLIQUES": {"25"}, "DÉCOLLETAGE": {"25"}, "USINAGE": {"25", "28", "33"},
    "MÉCANIQUE": {"25", "28", "33"}, "GALVANISATION": {"25"},
    "LAITERIE": {"10"}, "FROMAGERIE": {"10"}, "SALAISONS": {"10"}, "CHARCUTERIE": {"10"},
    "CONSERVERIE": {"10"}, "PANIFICATION": {"10"}, "ALIMENTAIRES": {"10"}, "EAUX": {"11"},
    "TEXTILES": {"13"}, "TISSAGE": {"13"}, "CONFECTION": {"14"}, "VÊTEMENTS": {"14"},
    "MENUISERIE": {"16"}, "BOIS": {"16"}, "CARTONNERIE": {"17"}, "CARTON": {"17"},
    "IMPRIMERIE": {"18"}, "CHIMIE": {"20"}, "CHIMIQUES": {"20"}, "POLYMÈRES": {"20"},
    "PLASTURGIE": {"22"}, "PLASTIQUE": {"22"}, "VERRERIE": {"23"}, "VERRES": {"23"},
    "BÉTON": {"23"}, "BÉTONS": {"23"}, "ÉLECTRONIQUE": {"26"}, "ÉLECTRONIQUES": {"26"},
    "ÉLECTROTECHNIQUE": {"27"}, "MACHINES": {"28", "33"}, "MACHINES-OUTILS": {"28"},
    "AUTOMOBILE": {"29", "45"}, "AUTOMOBILES": {"29"}, "REMORQUES": {"29"},
    "FERROVIAIRE": {"30", "33"}, "MAINTENANCE": {"33"}, "RECYCLAGE": {"38"},
    "GARAGE": {"45"}, "TRANSPORTS": {"49"}, "LOGISTIQUE": {"52"}, "ENTREPÔTS": {"52"},
    "RESTAURANT": {"56"}, "INFORMATIQUE": {"62"}, "LOGICIELS": {"62"}, "IMMOBILIER": {"68"},
    "COMPTABLE": {"69"}, "COIFFURE": {"96"}, "MÉDICAL": {"86"},
}  # fmt: skip
FOOD = {"10", "11"}
METAL_WORDS = {"ACIÉRIES", "FORGES", "TÔLERIE", "CHAUDRONNERIE", "FONDERIE", "USINAGE"}


def disagreements(name: str, naf: str) -> list[str]:
    """The words of `name` that a company of activity `naf` should not carry."""
    words = [w for w in NAME_WORDS if re.search(rf"(^|[\s']){re.escape(w)}($|[\s-])", name)]
    return [w for w in words if naf[:2] not in NAME_WORDS[w]]


def test_the_word_check_itself_catches_a_forge_that_makes_milk():
    assert disagreements("FORGES LEFEBVRE DU HAINAUT", "10.51A") == ["FORGES"]
    assert disagreements("TÔLERIE DUBOIS DE L'ESCAUT", "10.51A") == ["TÔLERIE"]
    assert disagreements("LAITERIE DUBOIS DE L'ESCAUT", "10.51A") == []


@pytest.mark.parametrize("naf", demo.INDUSTRY_NAF + demo.OTHER_NAF)
def test_every_naf_of_the_demo_has_name_stems_that_agree_with_it(naf):
    stems = demo.name_stems(naf)
    assert stems
    for stem in stems:
        assert stem[0].isupper()
        assert disagreements(stem.upper(), naf) == [], (naf, stem)
        if naf[:2] in FOOD:
            assert not METAL_WORDS & set(stem.upper().split()), (naf, stem)


def test_some_expected_names():
    assert "Aciéries" in demo.name_stems("24.10Z")
    assert "Laiterie" in demo.name_stems("10.51A")
    assert "Charpentes métalliques" in demo.name_stems("25.11Z")
    assert "Forges" in demo.name_stems("25.50A")


@pytest.mark.django_db
def test_the_generated_companies_are_named_after_their_activity():
    epci = EpciFactory()
    territory = TerritoryFactory(epcis=[epci])
    for code in {commune for _name, commune, _naf, _band in demo.FLAGSHIPS}:
        CommuneFactory(code=code, epci=epci)
    CommuneFactory.create_batch(5, epci=epci)
    etabs, units = demo.build_rows(territory)
    names = {u["siren"]: u["denominationUniteLegale"] for u in units}
    checked = 0
    for etab in etabs:
        name, naf = names[etab["siren"]], etab["activitePrincipaleEtablissement"]
        if not name or etab["siren"].startswith("9"):  # sole traders, the real flagships
            continue
        assert disagreements(name, naf) == [], (name, naf)
        assert any(name.startswith(s.upper() + " ") for s in demo.name_stems(naf)), (name, naf)
        if etab["enseigne1Etablissement"]:
            assert disagreements(etab["enseigne1Etablissement"], naf) == []
        checked += 1
    assert checked > 2500
    stems = {names[e["siren"]].split()[0] for e in etabs if e["activitePrincipaleEtablissement"]
             == "10.51A" and names[e["siren"]]}  # fmt: skip
    assert stems <= {"LAITERIE", "FROMAGERIE"}
