"""Directory search with filters on 1,000,000 establishments, through the real view.

Target (docs/rules.md): every filter combination answers with a p95 under 150 ms, on SQLite
and on PostgreSQL, with the same number of SQL queries per page.

One Territoire d'industrie of 6 EPCIs and about 260 communes, BENCH_DIRECTORY_ROWS
establishments (default 1,000,000) of about half as many companies, with realistic skews:
NAF codes of every section (about 30 % industrial B–E), headcount bands mostly small, 8 %
closed, names built from word lists. Rows are written raw (executemany on SQLite, COPY on
PostgreSQL) with the two big tables' indexes and constraints dropped, which are then rebuilt,
and the planner statistics gathered. A PostgreSQL bench database is flushed first, so the
bench can be rerun on it (`createdb pilote_bench` once).

Each combination is requested once as a warm-up (its SQL queries are counted and timed then:
the « SQL » column), then timed RUNS times through Django's test client, logged in as the
territory's TI manager, over HTTPS (SECURE_SSL_REDIRECT) with plain static storage.
Baselines measured in the same run: a bare `SELECT 1` and an unfiltered `count()`.
"""

import csv
import itertools
import os
import random
import re
import statistics
import time
import warnings

from django.conf import settings
from django.db import connection, transaction

N_ROWS = int(os.environ.get("BENCH_DIRECTORY_ROWS", 1_000_000))
RUNS = int(os.environ.get("BENCH_RUNS", 100))  # requests timed per combination
TARGET_MS = 150
SEED = 20261201
CHUNK = 20_000  # companies per write batch
INDUSTRIAL = {"B", "C", "D", "E"}

# -- word lists ----------------------------------------------------------------------------

EPCIS = [  # SIREN, name, kind, number of communes
    ("245901160", "CA du Val d'Escaut", "CA", 70),
    ("245901152", "CA de la Sambre et de l'Avesnois", "CA", 60),
    ("245900428", "CA du Cœur du Douaisis", "CA", 48),
    ("245901038", "CC des Portes du Cambrésis", "CC", 38),
    ("245900733", "CC du Pays d'Ostrevent", "CC", 26),
    ("246200273", "CC des Deux Canaux", "CC", 18),
]
COMMUNE_ROOTS = [
    "Aubry", "Anzin", "Beuvrages", "Bruay", "Condé", "Crespin", "Denain", "Escaudain",
    "Fresnes", "Hergnies", "Lourches", "Marly", "Onnaing", "Quarouble", "Raismes", "Rombies",
    "Saultain", "Thiant", "Trith", "Vieux-Condé", "Wallers", "Wavrechain", "Haveluy",
    "Hérin", "Oisy", "Abscon", "Avesnes", "Bouchain", "Douchy", "Émerchicourt", "Hordain",
    "Lieu", "Marquette", "Neuville", "Noyelles", "Roeulx", "Wasnes", "Aniche", "Auberchicourt",
    "Masny", "Lewarde", "Guesnain", "Lallaing", "Flines", "Marchiennes", "Hornaing", "Erre",
    "Fenain", "Somain", "Bruille", "Rieulay", "Vred", "Wandignies", "Haspres", "Saulzoir",
    "Villers", "Solesmes", "Caudry", "Bertry", "Maurois", "Honnechy", "Busigny", "Walincourt",
    "Gouzeaucourt", "Marcoing", "Masnières", "Crèvecœur", "Rumilly", "Proville", "Fontaine",
]  # fmt: skip
COMMUNE_SUFFIXES = ["", "", "-sur-Escaut", "-lez-Valenciennes", "-en-Cambrésis", "-sur-Sambre",
                    "-Notre-Dame", "-la-Grande", "-le-Petit", "-Saint-Martin"]  # fmt: skip
FAMILIES = [
    "Lefebvre", "Dubois", "Leroy", "Lemaire", "Duhamel", "Carpentier", "Delattre", "Vasseur",
    "Dupont", "Lecomte", "Wattiez", "Deregnaucourt", "Hennebert", "Leclercq", "Bacquet",
    "Delcroix", "Caudron", "Pruvost", "Dhaussy", "Lenglet", "Flament", "Dequidt", "Martin",
    "Bernard", "Petit", "Durand", "Moreau", "Lambert", "Fontaine", "Roussel", "Mercier",
    "Dumont", "Boulanger", "Desmarets", "Lefèvre", "Decottignies", "Vandenbussche", "Kowalski",
    "Nowak", "Benali", "Haddad", "Da Silva", "Ferreira", "Marchand", "Descamps", "Hautecœur",
    "Lemoine", "Blondeau", "Dufour", "Gosselin", "Deschamps", "Lecerf", "Vanhoutte", "Dewaele",
    "Taquet", "Plouvier", "Catteau", "Bouchez", "Hochart", "Lesage", "Cuvelier", "Dorchies",
]  # fmt: skip
FIRST_NAMES = [
    "Marie", "Jean", "Nathalie", "Pierre", "Sophie", "Mohamed", "Julie", "Luc", "Isabelle",
    "Thierry", "Sandrine", "Christophe", "Céline", "Frédéric", "Aurélie", "Karim", "Émilie",
    "Sébastien", "Stéphanie", "Laurent", "Virginie", "Nicolas", "Amandine", "Hervé",
]  # fmt: skip
PLACES = [
    "du Hainaut", "de l'Escaut", "de la Sambre", "du Cambrésis", "du Douaisis", "de l'Ostrevent",
    "Nord Industrie", "de l'Avesnois", "du Valenciennois", "Hauts-de-France", "du Nord",
    "de la Scarpe", "des Flandres", "Europe", "de la Selle",
]  # fmt: skip
ACTIVITY_WORDS = {  # by NAF section, for legal entities' names
    "A": ["EARL", "GAEC", "Ferme", "Élevage", "Exploitation agricole", "Pépinières"],
    "B": ["Carrières", "Sablières", "Gravières"],
    "C": [
        "Forges", "Fonderie", "Mécanique", "Mécanique", "Chaudronnerie", "Usinage", "Tôlerie",
        "Plasturgie", "Métallurgie", "Aciéries", "Ateliers", "Ateliers", "Manufacture",
        "Verrerie", "Emballages", "Menuiserie industrielle", "Traitement de surface",
        "Électronique", "Automatismes", "Soudure", "Décolletage", "Textiles", "Conserverie",
        "Brasserie", "Sucrerie", "Laiterie", "Boulangerie", "Imprimerie", "Matériel ferroviaire",
        "Équipements automobiles", "Câblerie", "Robinetterie", "Peintures", "Cartonnerie",
    ],
    "D": ["Énergie", "Centrale solaire", "Méthanisation", "Éolien"],
    "E": ["Recyclage", "Environnement", "Assainissement", "Tri sélectif", "Récupération"],
    "F": ["Bâtiment", "Maçonnerie", "Charpente", "Couverture", "Plomberie", "Électricité",
          "Travaux publics", "Rénovation", "Menuiserie", "Peinture"],
    "G": ["Commerce", "Distribution", "Garage", "Pharmacie", "Négoce", "Boutique",
          "Automobiles", "Supermarché", "Fournitures industrielles", "Quincaillerie"],
    "H": ["Transports", "Transports", "Logistique", "Taxi", "Ambulances", "Messagerie"],
    "I": ["Restaurant", "Hôtel", "Café", "Brasserie", "Pizzeria", "Friterie"],
    "J": ["Informatique", "Digital", "Éditions", "Médias", "Télécom"],
    "K": ["Holding", "Finance", "Assurances", "Capital", "Participations"],
    "L": ["SCI", "SCI", "Immobilier", "Foncière", "Gestion immobilière"],
    "M": ["Cabinet", "Conseil", "Architecture", "Expertise comptable", "Ingénierie",
          "Bureau d'études"],
    "N": ["Nettoyage", "Intérim", "Sécurité", "Location", "Services"],
    "O": ["Syndicat intercommunal", "Centre communal d'action sociale", "Régie"],
    "P": ["École", "Auto-école", "Formation", "Institut"],
    "Q": ["Cabinet médical", "Clinique", "EHPAD", "Cabinet infirmier", "Kinésithérapie"],
    "R": ["Association sportive", "Club", "Théâtre", "Harmonie"],
    "S": ["Association", "Coiffure", "Institut de beauté", "Pressing", "Amicale"],
}  # fmt: skip
SIGNS = ["Boulangerie du Centre", "Garage de la Gare", "Chez Marie", "Atelier 59", "Le Zinc",
         "Pharmacie du Marché", "Le Relais", "Auto Services", "Carrefour Contact",
         "Intermarché", "Point S", "Les Délices"]  # fmt: skip
STREETS = ["RUE DE LA REPUBLIQUE", "RUE JEAN JAURES", "AV DU GENERAL DE GAULLE", "ZI DU PRALY",
           "RUE DES FORGES", "RTE NATIONALE", "ZA DE LA VALLEE", "BD HENRI HARPIGNIES",
           "CHE DU RIVAGE", "RUE PASTEUR", "RUE VICTOR HUGO", "PL DU MARCHE"]  # fmt: skip
# NAF sections: share of the territory's establishments (an industrial territory: B–E ≈ 30 %).
SECTION_WEIGHTS = {
    "A": 3, "B": 0.5, "C": 26, "D": 2, "E": 1.5, "F": 11, "G": 15, "H": 4, "I": 5, "J": 2,
    "K": 3, "L": 6, "M": 7, "N": 4, "O": 1, "P": 2, "Q": 4, "R": 1.5, "S": 3.5,
}  # fmt: skip
BANDS = ["", "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51",
         "52", "53"]  # fmt: skip
BAND_WEIGHTS = [5, 25, 15, 18, 12, 8, 7, 5, 2.5, 1.5, 0.4, 0.5, 0.25, 0.1, 0.04, 0.01, 0.005]
INDUSTRY_BAND_WEIGHTS = [3, 12, 10, 12, 11, 10, 13, 14, 7, 4.5, 1, 1.3, 0.8, 0.3, 0.1, 0.03,
                         0.01]  # fmt: skip

# -- reference rows ------------------------------------------------------------------------


def _naf_subclasses() -> dict[str, list[str]]:
    from pilote.companies.naf import section_of

    path = settings.DATA_DIR / "naf" / "naf_rev2.csv"
    by_section: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["level"] == "sous-classe":
                by_section.setdefault(section_of(row["code"]), []).append(row["code"])
    return by_section


def _reset() -> None:
    """Empty a reused PostgreSQL bench database (a SQLite one is a fresh file)."""
    from django.core.management import call_command

    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)


def _reference(rng: random.Random):
    from pilote.accounts.enums import OrganisationKind, Role
    from pilote.accounts.models import Membership, Organisation, User
    from pilote.companies.nomenclatures import install_default_sectors, load_naf
    from pilote.territories.models import Commune, Department, Epci, Region, Territory

    region = Region.objects.create(code="32", name="Hauts-de-France")
    departments = [
        Department.objects.create(code="59", name="Nord", region=region),
        Department.objects.create(code="62", name="Pas-de-Calais", region=region),
    ]
    epcis = [Epci.objects.create(siren=s, name=n, kind=k) for s, n, k, _ in EPCIS]
    names = sorted({r + s for r in COMMUNE_ROOTS for s in COMMUNE_SUFFIXES})
    rng.shuffle(names)
    communes, rank = [], 0
    for epci, (*_, count) in zip(epcis, EPCIS, strict=True):
        for _ in range(count):
            department = departments[1] if epci.siren.startswith("2462") else departments[0]
            population = int(60_000 / (rank + 1) ** 0.9) + 150  # a few towns, many villages
            communes.append(
                Commune(
                    code=f"{department.code}{rank + 1:03d}",
                    name=names[rank],
                    department=department,
                    region=region,
                    postcodes=f"{department.code}{rng.randrange(100, 999)}",
                    population=population,
                    epci=epci,
                )
            )
            rank += 1
    Commune.objects.bulk_create(communes)
    territory = Territory.objects.create(name="TI Bench Annuaire", slug="bench-annuaire")
    territory.epcis.set(epcis)
    cci = Organisation.objects.create(name="CCI Bench Annuaire", kind=OrganisationKind.CCI)
    cci.territories.add(territory)
    manager = User.objects.create_user(email="manager@bench-annuaire.fr", password=None)
    Membership.objects.create(
        user=manager, organisation=cci, territory=territory, role=Role.TI_MANAGER
    )
    load_naf()
    install_default_sectors(acting_user=manager, territory=territory)
    return manager, cci, territory, epcis, communes


# -- generated rows ------------------------------------------------------------------------

COMPANY_COLUMNS = ["id", "created_at", "updated_at", "siren", "name", "is_person", "diffusion",
                   "legal_category", "size_category", "headcount_band", "created_on",
                   "state"]  # fmt: skip
ESTABLISHMENT_COLUMNS = [
    "id", "created_at", "updated_at", "siret", "company_id", "nic", "own_name", "search_text",
    "commune_id", "epci_id", "address", "address_complement", "postcode", "city", "naf_code",
    "naf_section", "headcount_band", "headcount_year", "created_on", "is_head_office", "state",
    "state_since", "diffusion", "employer",
]  # fmt: skip


def _dates(rng: random.Random, n: int = 20_000) -> list[str]:
    """A pool of creation dates, most of them recent."""
    pool = []
    for _ in range(n):
        year = max(1950, 2025 - int(rng.expovariate(1 / 14)))
        pool.append(f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    return pool


def _generate(rng: random.Random, communes, now: str):
    """Yield (company rows, establishment rows) batches, in SIREN then SIRET order.

    Each column is drawn for a whole batch at once (`choices(k=…)`): most of the load time
    would otherwise go to one `random` call per field.
    """
    from pilote.companies.models import normalise
    from pilote.companies.naf import section_of

    n_companies = max(1, N_ROWS // 2)
    # Every company has one establishment; the rest go to a heavy-tailed few (networks).
    per_company = [1] * n_companies
    weights = list(itertools.accumulate(rng.paretovariate(1.6) for _ in range(n_companies)))
    for c in rng.choices(range(n_companies), cum_weights=weights, k=N_ROWS - n_companies):
        per_company[c] += 1
    del weights

    # NAF sub-classes: the section's share, then Zipf within the section (a few are common).
    naf_codes, naf_weights = [], []
    for section, codes in sorted(_naf_subclasses().items()):
        rng.shuffle(codes)
        if "25.62B" in codes:  # mécanique industrielle, common in an industrial territory
            codes.remove("25.62B")
            codes.insert(2, "25.62B")
        zipf = [1 / (i + 1) for i in range(len(codes))]
        naf_codes += codes
        naf_weights += [SECTION_WEIGHTS.get(section, 0) * z / sum(zipf) for z in zipf]
    naf_cum = list(itertools.accumulate(naf_weights))
    band_cum = list(itertools.accumulate(BAND_WEIGHTS))
    industry_band_cum = list(itertools.accumulate(INDUSTRY_BAND_WEIGHTS))
    commune_cum = list(itertools.accumulate(c.population for c in communes))
    commune_rows = [(c.code, c.epci_id, c.postcodes, c.name.upper()) for c in communes]
    dates = _dates(rng)
    addresses = [f"{n} {street}" for n in range(1, 251) for street in STREETS]
    normalised: dict[str, str] = {}

    def norm(text: str) -> str:
        value = normalised.get(text)
        if value is None:
            value = normalised[text] = normalise(text)
        return value

    def company_name(section: str) -> str:
        family = rng.choice(FAMILIES)
        word = rng.choice(ACTIVITY_WORDS.get(section, ["Services"]))
        pattern = rng.random()
        if pattern < 0.35:
            return f"{word} {family}"
        if pattern < 0.55:
            return f"{word} {rng.choice(PLACES)}"
        if pattern < 0.65:
            return f"Établissements {family}"
        if pattern < 0.72:
            return f"{family} et Fils" if rng.random() < 0.6 else f"{family} Frères"
        if pattern < 0.82:
            return f"{family} {word}"
        if pattern < 0.90:
            letters = "".join(rng.choices("ABCDEFGHIJKLMNOPRSTV", k=rng.randint(2, 4)))
            return f"{letters} {word}" if rng.random() < 0.5 else f"{letters} {rng.randint(1, 99)}"
        return f"{word} {family} {rng.choice(PLACES)}"

    est_id = 0
    for first in range(0, n_companies, CHUNK):
        sites = per_company[first : first + CHUNK]
        n_sites = sum(sites)
        company_nafs = rng.choices(naf_codes, cum_weights=naf_cum, k=len(sites))
        site_nafs = iter(rng.choices(naf_codes, cum_weights=naf_cum, k=n_sites))
        bands = iter(rng.choices(BANDS, cum_weights=band_cum, k=n_sites))
        industry_bands = iter(rng.choices(BANDS, cum_weights=industry_band_cum, k=n_sites))
        places = iter(rng.choices(commune_rows, cum_weights=commune_cum, k=n_sites))
        created_on = iter(rng.choices(dates, k=n_sites))
        closed_on = iter(rng.choices(dates, k=n_sites))
        streets = iter(rng.choices(addresses, k=n_sites))
        companies, establishments = [], []
        for c, (n, naf) in enumerate(zip(sites, company_nafs, strict=True), start=first):
            company_id = c + 1
            siren = f"{300_000_000 + c * 37:09d}"
            section = section_of(naf)
            diffusion = "O"
            if section not in INDUSTRIAL and rng.random() < 0.35:  # natural person
                is_person, legal = True, "1000"
                if rng.random() < 0.06:
                    name, diffusion = None, "P"  # non-diffusible
                else:
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILIES)}".upper()
            else:
                is_person, legal = False, rng.choice(["5710", "5499", "5720", "6540", "5599"])
                name = company_name(section).upper()
            company_norm = norm(name) if name else ""
            head = None
            for k in range(n):
                est_id += 1
                nic = f"{k + 1:04d}{(c + k) % 10}"
                siret = siren + nic
                other_naf = next(site_nafs)
                site_naf = naf if k == 0 or rng.random() < 0.85 else other_naf
                site_section = section_of(site_naf)
                industrial = site_section in INDUSTRIAL
                band = next(industry_bands) if industrial else next(bands)
                if not industrial:
                    next(industry_bands)
                else:
                    next(bands)
                code, epci_id, postcode, city = next(places)
                own_name = ""
                if rng.random() < 0.12:
                    if industrial and rng.random() < 0.5:
                        own_name = f"Usine de {city.title()}"
                    else:
                        own_name = rng.choice(SIGNS)
                text = company_norm
                if own_name:
                    text = f"{norm(own_name)} {company_norm}" if company_norm else norm(own_name)
                created, closed_date = next(created_on), next(closed_on)
                closed = rng.random() < 0.08
                since = max(created, closed_date) if closed else created
                employer = "O" if band not in ("", "NN") else "N"
                establishments.append((
                    est_id, now, now, siret, company_id, nic, own_name,
                    f"{text[:580]} {siret}", code, epci_id, next(streets), "", postcode, city,
                    site_naf, site_section, band, 2022 if employer == "O" else None, created,
                    k == 0, "F" if closed else "A", since, diffusion, "N" if closed else employer,
                ))  # fmt: skip
                if k == 0:
                    head = (band, created, closed)
            band, created, closed = head
            size = (
                "GE"
                if band in ("42", "51", "52", "53")
                else "ETI"
                if band in ("32", "41")
                else "PME"
            )
            companies.append((
                company_id, now, now, siren, name, is_person, diffusion, legal, size, band,
                created, "C" if closed else "A",  # LegalUnitState: A active, C cessée
            ))  # fmt: skip
        yield companies, establishments


# -- bulk load, per backend ----------------------------------------------------------------

TABLES = ["companies_company", "companies_establishment"]


def _drop_indexes() -> list[str]:
    """Drop the big tables' secondary indexes and constraints; return the SQL to rebuild them."""
    rebuild = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Indexes and triggers (e.g. ones keeping an FTS5 index in step) go; an FTS5 table
            # whose content is one of TABLES is rebuilt in one pass afterwards.
            tables = ", ".join("%s" for _ in TABLES)
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                f"AND sql IS NOT NULL AND tbl_name IN ({tables})",
                TABLES,
            )
            for kind, name, sql in cursor.fetchall():
                cursor.execute(f'DROP {kind.upper()} "{name}"')
                rebuild.append(sql)
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE sql LIKE '%USING fts5%'")
            for name, sql in cursor.fetchall():
                if any(f"content='{table}'" in sql.replace('"', "'") for table in TABLES):
                    rebuild.append(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
            return rebuild
        for table in TABLES:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                "AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                rebuild.append(definition)
    return rebuild


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "sqlite":
        marks = ", ".join("?" for _ in columns)
        connection.connection.executemany(
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows
        )
        return
    sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _bulk_load(rng: random.Random, communes) -> tuple[int, int, float, float]:
    from django.core.management.color import no_style

    from pilote.companies.models import Company, Establishment

    now = "2026-12-01 08:00:00" + ("" if connection.vendor == "sqlite" else "+00:00")
    n_companies = n_establishments = 0
    with connection.cursor() as cursor:  # for this connection only, closed after the load
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA temp_store = MEMORY")
        else:
            cursor.execute("SET maintenance_work_mem = '1GB'")
    with transaction.atomic():  # DDL is transactional on both: an interrupted load leaves nothing
        rebuild = _drop_indexes()
        start = time.perf_counter()
        for companies, establishments in _generate(rng, communes, now):
            _write("companies_company", COMPANY_COLUMNS, companies)
            _write("companies_establishment", ESTABLISHMENT_COLUMNS, establishments)
            n_companies += len(companies)
            n_establishments += len(establishments)
        inserted = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in rebuild:
                cursor.execute(sql)
            for sql in connection.ops.sequence_reset_sql(no_style(), [Company, Establishment]):
                cursor.execute(sql)
    return n_companies, n_establishments, inserted - start, time.perf_counter() - inserted


def _notes(manager, cci, rng: random.Random, n: int = 5000) -> None:
    """Some follow-up, for « suivis / jamais rencontrés »."""
    from pilote.companies.models import Establishment
    from pilote.core.enums import Visibility
    from pilote.notes.models import Note

    ids = rng.sample(range(1, N_ROWS + 1), min(n, N_ROWS))
    epci_of = dict(Establishment.objects.filter(pk__in=ids).values_list("pk", "epci_id"))
    Note.objects.bulk_create(
        (
            Note(
                establishment_id=pk,
                epci_id=epci_of[pk],
                visibility=rng.choice(list(Visibility.values)),
                author=manager,
                author_organisation=cci,
                title="Rendez-vous de suivi",
                body="Projet d'investissement évoqué.",
            )
            for pk in ids
        ),
        batch_size=2000,
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:  # what autovacuum does after a bulk load: statistics and the visibility map
            cursor.execute("VACUUM (ANALYZE) companies_company, companies_establishment")
            cursor.execute("ANALYZE")


def reuse():
    """With BENCH_REUSE=1, the rows a previous run loaded (same BENCH_DIRECTORY_ROWS): load
    once, measure again on a quieter machine."""
    from pilote.accounts.models import User
    from pilote.companies.models import Establishment
    from pilote.territories.models import Territory

    if os.environ.get("BENCH_REUSE") != "1":
        return None
    territory = Territory.objects.filter(slug="bench-annuaire").first()
    if territory is None or Establishment.objects.count() != N_ROWS:
        return None
    manager = User.objects.get(email="manager@bench-annuaire.fr")
    epcis = [territory.epcis.get(siren=siren) for siren, *_ in EPCIS]
    communes = list(territory.communes.order_by("-population", "code"))
    print(f"  chargement ({connection.vendor}) : {N_ROWS:,} établissements déjà chargés")
    return manager, territory, epcis, communes


def populate():
    reused = reuse()
    if reused:
        return reused
    rng = random.Random(SEED)
    start = time.perf_counter()
    _reset()
    with transaction.atomic():
        manager, cci, territory, epcis, communes = _reference(rng)
    n_companies, n_establishments, insert_s, index_s = _bulk_load(rng, communes)
    _notes(manager, cci, rng)
    analyze_start = time.perf_counter()
    _analyze()
    end = time.perf_counter()
    print(
        f"  chargement ({connection.vendor}) : {n_establishments:,} établissements, "
        f"{n_companies:,} entreprises, {len(communes)} communes en {end - start:.1f} s "
        f"(lignes {insert_s:.1f} s, index {index_s:.1f} s, ANALYZE {end - analyze_start:.1f} s)"
    )
    connection.close()  # the measured requests start on a fresh connection, default settings
    return manager, territory, epcis, communes


# -- measures ------------------------------------------------------------------------------


def timed(fn, runs: int | None = None) -> list[float]:
    """Milliseconds of `runs` calls of `fn` (BENCH_RUNS by default)."""
    samples = []
    for _ in range(runs or RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def combinations(territory, epcis, communes) -> list[tuple[str, str]]:
    from pilote.companies.enums import EstablishmentState
    from pilote.companies.models import Establishment, Sector

    biggest = communes[0]  # the most populated commune
    siret = (
        Establishment.objects.filter(state=EstablishmentState.ACTIVE, pk__gte=N_ROWS // 2)
        .order_by("pk")
        .values_list("siret", flat=True)
        .first()
    )
    sector = Sector.objects.get(territory=territory, slug="metallurgie")
    return [
        ("défaut (industriel, actifs)", ""),
        ("q=forges", "q=forges"),
        ("q=<SIRET>", f"q={siret}"),
        ("epci + size=core", f"epci={epcis[0].pk}&size=core"),
        ("sector + state=open", f"sector={sector.pk}&state=open"),
        ("naf=25.62 + commune", f"naf=25.62&commune={biggest.pk}"),
        ("sort=-headcount", "sort=-headcount"),
        ("sort=-created", "sort=-created"),
        ("sort=commune + epci", f"sort=commune&epci={epcis[1].pk}"),
        ("sort=-score", "sort=-score"),
        ("sort=-score + epci + core", f"sort=-score&epci={epcis[0].pk}&size=core"),
        ("band=21,22 + state=all", "band=21&band=22&state=all"),
        ("followed=never", "followed=never"),
        ("page=200", "page=200"),
    ]


STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


def main() -> None:
    from django.test import Client, override_settings

    from pilote.companies.models import Establishment

    manager, territory, epcis, communes = populate()

    with connection.cursor() as cursor:
        select_1 = timed(lambda: cursor.execute("SELECT 1") or cursor.fetchone())
    count_all = timed(Establishment.objects.count)
    base_p50 = statistics.median(count_all)
    for label, samples in (("SELECT 1", select_1), ("count() sans filtre", count_all)):
        p50, p95 = p50_p95(samples)
        print(f"  base : {label:<24} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms")

    # HTTPS as in production (SECURE_SSL_REDIRECT); no collectstatic manifest in a checkout.
    warnings.filterwarnings("ignore", message="No directory at")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
    with override_settings(STORAGES=storages):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
        measure(client, combinations(territory, epcis, communes), base_p50)


def measure(client, combos, base_p50: float) -> None:
    from django.test.utils import CaptureQueriesContext

    worst, queries = 0.0, {}
    for label, query in combos:
        url = f"/entreprises/?{query}" if query else "/entreprises/"
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)  # warm-up, and the queries of one page
        n_queries = len(captured.captured_queries)  # before the next request resets the log
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} : HTTP {response.status_code}")
        status = re.search(r'role="status">([^<]*)<', response.content.decode())
        count = re.sub(r"\D", "", status.group(1)) if status else ""
        count = ("> " if "plus" in status.group(1).lower() else "") + f"{int(count or 0):,}"
        samples = timed(lambda url=url: client.get(url, secure=True))
        p50, p95 = p50_p95(samples)
        worst = max(worst, p95)
        queries[label] = n_queries
        print(
            f"  {label:<26} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {n_queries:2d} requêtes "
            f"(SQL {sql_ms:6.1f} ms)  {count:>9} résultats  ×{p50 / base_p50:6.1f} count()"
        )
    verdict = "OK" if worst < TARGET_MS else "AU-DESSUS"
    load = os.getloadavg()[0]
    print(f"  pire p95 {worst:.1f} ms — cible < {TARGET_MS} ms : {verdict}")
    print(
        f"  charge de la machine pendant la mesure : {load:.1f} "
        f"(loadavg 1 min, {os.cpu_count()} cœurs)"
    )
    # The count varies with the filters (a chosen EPCI, commune or filière is looked up, the
    # industrial scope reads the territory's profile), never with the rows shown.
    same = queries.get("q=<SIRET>") == queries.get("q=forges")
    print(
        f"  requêtes par page : {min(queries.values())} à {max(queries.values())} selon les "
        f"filtres ; 1 ligne (q=<SIRET>) comme 50 (q=forges) : {'OK' if same else 'VARIABLE'}"
    )
