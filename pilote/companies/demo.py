"""Demo company base: SIRENE-format files for Hainaut-Douaisis-Cambrésis, imported through the
real import path (so `load_demo` exercises the importer), then the default sectors.

Everything is fictitious and seeded (the same files every run, hence an idempotent import),
except the eight flagship companies the roadmap names, at their real sites, with their public
headcount bands. Their SIREN/SIRET numbers are made up, but valid: a SIREN is an 8-digit base
and its Luhn key, a SIRET the SIREN, a 4-digit NIC prefix and the key of the 14 digits (see
`siren_of` and `nic_of`), so a demo SIRET typed in a form or a tracking spreadsheet passes
python-stdnum like a real one.

Within each family (flagships 9…, the others 8…) the bases grow with the generation order, and a
head office's NIC prefix (0001) sorts before a second site's (0003): ordering by SIRET, as the
other demos do to pick their establishments, gives the same establishments as before the keys
were added.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from stdnum import luhn

from pilote.companies.importer import import_sirene
from pilote.companies.models import Establishment
from pilote.companies.nomenclatures import install_default_sectors, load_naf
from pilote.companies.sirene_generator import write_establishments, write_legal_units
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

SEED = 20261130
N_ESTABLISHMENTS = 3000

# name, commune INSEE code, NAF, headcount band, legal category (SAS 5710)
FLAGSHIPS = [
    ("TOYOTA MOTOR MANUFACTURING FRANCE", "59447", "29.10Z", "51"),
    ("RENAULT — USINE GEORGES BESSE", "59178", "29.10Z", "42"),
    ("MAUBEUGE CONSTRUCTION AUTOMOBILE", "59392", "29.10Z", "42"),
    ("ALSTOM TRANSPORT — SITE DE PETITE-FORÊT", "59459", "30.20Z", "42"),
    ("ALSTOM — SITE DE CRESPIN", "59160", "30.20Z", "41"),
    ("STELLANTIS — SEVELNORD HORDAIN", "59313", "29.10Z", "42"),
    ("STELLANTIS — USINE DE TRITH-SAINT-LÉGER", "59603", "29.32Z", "41"),
    ("GLAXOSMITHKLINE BIOLOGICALS — SAINT-AMAND", "59526", "21.20Z", "42"),
]

INDUSTRY_NAF = [
    "10.13A", "10.51A", "10.71A", "10.89Z", "11.07A", "13.92Z", "14.13Z", "16.23Z", "17.21A",
    "18.12Z", "20.16Z", "20.59Z", "22.21Z", "22.29A", "23.13Z", "23.19Z", "23.61Z", "24.10Z",
    "24.33Z", "24.51Z", "25.11Z", "25.29Z", "25.50A", "25.61Z", "25.62A", "25.62B", "25.73B",
    "26.11Z", "27.12Z", "27.90Z", "28.15Z", "28.22Z", "28.29B", "28.41Z", "28.99B", "29.20Z",
    "29.31Z", "29.32Z", "30.20Z", "33.11Z", "33.12Z", "33.17Z", "33.20A", "35.11Z", "38.32Z",
]  # fmt: skip
OTHER_NAF = [
    "41.20A", "43.21A", "45.20A", "46.69B", "47.11D", "47.24Z", "49.41A", "52.10B", "56.10A",
    "62.01Z", "68.20A", "69.20Z", "70.22Z", "71.12B", "77.39Z", "81.21Z", "86.21Z", "96.02A",
]  # fmt: skip
BANDS = ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41"]
BAND_WEIGHTS = [14, 10, 14, 12, 10, 12, 12, 7, 4, 2, 2, 1]

# What a company is called after its activity: name stems by NAF code, most specific prefix
# first (« 25.62A », then « 25.62 », then the division « 25 »), so that a 10.51A is a
# « Laiterie », never « Forges ».
NAME_STEMS = {
    "10.13": ["Salaisons", "Charcuterie industrielle"],
    "10.51": ["Laiterie", "Fromagerie"],
    "10.71": ["Boulangerie industrielle", "Panification"],
    "10.89": ["Préparations alimentaires", "Ingrédients alimentaires"],
    "11.07": ["Eaux minérales", "Boissons"],
    "13.92": ["Textiles techniques", "Linge de maison"],
    "14.13": ["Confection", "Vêtements professionnels"],
    "16.23": ["Menuiserie industrielle", "Charpentes bois"],
    "17.21": ["Cartonnerie", "Emballages carton"],
    "18.12": ["Imprimerie", "Arts graphiques"],
    "20.16": ["Polymères", "Résines"],
    "20.59": ["Chimie", "Produits chimiques"],
    "22.21": ["Extrusion plastique", "Plasturgie"],
    "22.29": ["Injection plastique", "Plasturgie"],
    "23.13": ["Verrerie", "Gobeleterie"],
    "23.19": ["Verrerie technique", "Verres industriels"],
    "23.61": ["Préfabrication béton", "Bétons"],
    "24.10": ["Aciéries", "Sidérurgie"],
    "24.33": ["Profilage", "Profilés à froid"],
    "24.51": ["Fonderie", "Fonderie de fonte"],
    "25.11": ["Charpentes métalliques", "Constructions métalliques"],
    "25.29": ["Chaudronnerie", "Tôlerie"],
    "25.50": ["Forges", "Estampage"],
    "25.61": ["Traitement de surface", "Galvanisation"],
    "25.62A": ["Décolletage", "Visserie"],
    "25.62B": ["Mécanique de précision", "Usinage"],
    "25.73": ["Outillage", "Outils de coupe"],
    "26.11": ["Composants électroniques", "Électronique"],
    "27.12": ["Tableaux électriques", "Appareillage électrique"],
    "27.90": ["Équipements électriques", "Électrotechnique"],
    "28.15": ["Transmissions", "Engrenages"],
    "28.22": ["Manutention", "Levage"],
    "28.29": ["Équipements industriels", "Machines de conditionnement"],
    "28.41": ["Machines-outils", "Presses"],
    "28.99": ["Machines spéciales", "Automatismes"],
    "29.20": ["Carrosseries industrielles", "Remorques"],
    "29.31": ["Faisceaux électriques", "Électricité automobile"],
    "29.32": ["Équipements automobiles", "Pièces automobiles"],
    "30.20": ["Matériel ferroviaire", "Ferroviaire"],
    "33.11": ["Réparation métallique", "Maintenance de structures"],
    "33.12": ["Maintenance industrielle", "Réparation de machines"],
    "33.17": ["Maintenance ferroviaire", "Rénovation ferroviaire"],
    "33.20": ["Installation industrielle", "Montage industriel"],
    "35.11": ["Énergies", "Centrale solaire"],
    "38.32": ["Recyclage", "Récupération des métaux"],
    "41.20": ["Construction", "Bâtiment"],
    "43.21": ["Électricité générale", "Installations électriques"],
    "45.20": ["Garage", "Réparation automobile"],
    "46.69": ["Fournitures industrielles", "Négoce industriel"],
    "47.11": ["Supérette", "Épicerie"],
    "47.24": ["Pâtisserie", "Confiserie"],
    "49.41": ["Transports", "Transports routiers"],
    "52.10": ["Entrepôts", "Logistique"],
    "56.10": ["Restaurant", "Bistrot"],
    "62.01": ["Informatique", "Logiciels"],
    "68.20": ["Gestion immobilière", "Immobilier"],
    "69.20": ["Cabinet comptable", "Expertise comptable"],
    "70.22": ["Conseil", "Stratégie et conseil"],
    "71.12": ["Bureau d'études", "Ingénierie"],
    "77.39": ["Location de matériel", "Location d'engins"],
    "81.21": ["Nettoyage", "Propreté"],
    "86.21": ["Cabinet médical", "Centre médical"],
    "96.02": ["Coiffure", "Salon de coiffure"],
}
FAMILIES = [
    "Lefebvre", "Dubois", "Leroy", "Lemaire", "Duhamel", "Carpentier", "Delattre", "Vasseur",
    "Dupont", "Lecomte", "Wattiez", "Deregnaucourt", "Hennebert", "Leclercq", "Bacquet",
    "Delcroix", "Caudron", "Pruvost", "Dhaussy", "Lenglet", "Flament", "Dequidt",
]  # fmt: skip
PLACES = [
    "du Hainaut", "de l'Escaut", "de la Sambre", "du Cambrésis", "du Douaisis", "de l'Ostrevent",
    "Nord Industrie", "de l'Avesnois", "du Valenciennois", "Hauts-de-France",
]  # fmt: skip
STREETS = [("RUE", "DE LA REPUBLIQUE"), ("AV", "DU DEPUTE"), ("ZI", "DU PRALY"),
           ("RUE", "JEAN JAURES"), ("BD", "HENRI HARPIGNIES"), ("RTE", "NATIONALE"),
           ("ZA", "DE LA VALLEE"), ("RUE", "DES FORGES"), ("CHE", "DU RIVAGE")]  # fmt: skip


def siren_of(base: int) -> str:
    """The valid SIREN of an 8-digit `base`: the base and its Luhn key (so SIRENs sort as their
    bases)."""
    digits = f"{base:08d}"
    return digits + luhn.calc_check_digit(digits)


def nic_of(siren: str, prefix: str) -> str:
    """The NIC of `siren` starting with the 4 digits `prefix` whose last digit makes the SIRET
    valid (Luhn over the 14 digits)."""
    return prefix + luhn.calc_check_digit(siren + prefix)


def name_stems(naf: str) -> list[str]:
    """The name stems of a company of activity `naf` (« 25.62A »), most specific first."""
    for key in (naf, naf[:5], naf[:2]):
        if key in NAME_STEMS:
            return NAME_STEMS[key]
    raise KeyError(f"Pas de nom d'entreprise pour le code NAF {naf}")


def _communes(territory) -> list[tuple[str, str, str, int]]:
    return list(
        territory.communes.order_by("code").values_list("code", "name", "postcodes", "population")
    )


def build_rows(territory) -> tuple[list[dict], list[dict]]:
    """Deterministic rows (StockEtablissement, StockUniteLegale) for the demo territory."""
    rng = random.Random(SEED)
    communes = _communes(territory)
    by_code = {c[0]: c for c in communes}
    weights = [max(c[3] or 0, 100) for c in communes]
    etabs, units = [], []

    def legal_unit(siren, name, band, size, person=None, diffusion="O"):
        unit = {
            "siren": siren,
            "statutDiffusionUniteLegale": diffusion,
            "dateCreationUniteLegale": f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-01",
            "categorieEntreprise": size,
            "trancheEffectifsUniteLegale": band,
            "etatAdministratifUniteLegale": "A",
            "categorieJuridiqueUniteLegale": "1000" if person else "5710",
            "denominationUniteLegale": "" if person else name,
            "prenom1UniteLegale": person[0] if person else "",
            "prenomUsuelUniteLegale": person[0] if person else "",
            "nomUniteLegale": person[1] if person else "",
        }
        units.append(unit)

    def establishment(siren, nic, commune_code, naf, band, *, state="A", enseigne="",
                      head=True, created=None, diffusion="O"):  # fmt: skip
        code, name, postcodes, _ = by_code[commune_code]
        street_type, street = rng.choice(STREETS)
        etabs.append({
            "siren": siren,
            "nic": nic,
            "siret": siren + nic,
            "statutDiffusionEtablissement": diffusion,
            "dateCreationEtablissement": created
            or f"{rng.randint(1960, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "trancheEffectifsEtablissement": band,
            "anneeEffectifsEtablissement": "2023" if band not in ("", "NN") else "",
            "etablissementSiege": "true" if head else "false",
            "numeroVoieEtablissement": str(rng.randint(1, 250)),
            "typeVoieEtablissement": street_type,
            "libelleVoieEtablissement": street,
            "codePostalEtablissement": postcodes.split(" ")[0],
            "libelleCommuneEtablissement": name.upper(),
            "codeCommuneEtablissement": code,
            "dateDebut": "2024-01-01",
            "etatAdministratifEtablissement": state,
            "enseigne1Etablissement": enseigne,
            "activitePrincipaleEtablissement": naf,
            "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
            "caractereEmployeurEtablissement": "N" if band in ("NN", "00") else "O",
        })  # fmt: skip

    for i, (name, commune, naf, band) in enumerate(FLAGSHIPS):
        siren = siren_of(90000000 + i * 7)
        legal_unit(siren, name, band, "GE")
        establishment(siren, nic_of(siren, "0001"), commune, naf, band, created="1990-01-01")

    for i in range(N_ESTABLISHMENTS):
        siren = siren_of(80000000 + i * 13)
        commune = rng.choices(communes, weights)[0][0]
        industrial = rng.random() < 0.55
        naf = rng.choice(INDUSTRY_NAF if industrial else OTHER_NAF)
        band = rng.choices(BANDS, BAND_WEIGHTS)[0]
        size = "PME" if band < "31" or band == "NN" else "ETI"
        if rng.random() < 0.04:  # a sole trader who refused diffusion: no name may leak
            person = (rng.choice(["Jean", "Marie", "Karim", "Sophie"]), rng.choice(FAMILIES))
            legal_unit(siren, "", "NN", "PME", person=person, diffusion="P")
            establishment(siren, nic_of(siren, "0001"), commune, naf, "NN", diffusion="P")
            continue
        stem = rng.choice(name_stems(naf)).upper()
        name = f"{stem} {rng.choice(FAMILIES).upper()} {rng.choice(PLACES).upper()}"
        legal_unit(siren, name, band, size)
        closed = rng.random() < 0.06
        establishment(
            siren, nic_of(siren, "0001"), commune, naf, band, state="F" if closed else "A"
        )
        if band >= "12" and band != "NN" and rng.random() < 0.25:  # a second site
            other = rng.choices(communes, weights)[0][0]
            establishment(siren, nic_of(siren, "0003"), other, naf, rng.choice(["03", "11", "12"]),
                          head=False, enseigne=f"{stem} SITE 2")  # fmt: skip
    return etabs, units


def load(*, out) -> int:
    territory = Territory.objects.get(slug=HDC_SLUG)
    created = load_naf()
    created += install_default_sectors(acting_user=None, territory=territory)
    etabs, units = build_rows(territory)
    with tempfile.TemporaryDirectory() as tmp:
        etab_path, unit_path = Path(tmp) / "StockEtablissement.csv", Path(tmp) / "StockUL.csv"
        write_establishments(etab_path, etabs)
        write_legal_units(unit_path, units)
        summary = import_sirene(
            acting_user=None,
            etablissements=etab_path,
            unites_legales=unit_path,
            territory=territory,
            wet_run=True,
        )
    out.write(
        f"SIRENE de démonstration : {summary.kept} établissements lus, {summary.created} créés, "
        f"{summary.updated} mis à jour ; {Establishment.objects.count()} dans la base."
    )
    return created + summary.created
