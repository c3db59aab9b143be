"""The demo's territory projects (docs/territory-projects.md#demo): the roadmap's
« projets de territoire » of Hainaut-Douaisis-Cambrésis, carried by one EPCI or several.

The roadmap (action 4, « accompagner les projets de territoire ») names the projects that only
make sense across EPCIs: the detection of the territory's potential for each relevant call
for projects, industrial ecology (EIT), a local green hydrogen ecosystem for the
electro-intensive sites, the reconquest of brownfields and the economic land, the Rev3
dynamic (industrial waste heat and heat networks), the calls answered together (skills), and
multimodality (rail freight, the Valenciennes – Mons link). Eight projects, spread over the
six EPCIs, in every phase and status of the national schema, with:

- carriers and shares exact to the cent — explicit amounts split unequally, and equal parts
  with leftover cents (six EPCIs sharing 250 000,00 €, three sharing 100 000,00 €);
- the five visibilities, « EPCI choisis » twice: the brownfields of the Cambrésis and the
  Caudrésis shared with its two carriers only (the Cambrai and Caudrésis agents see it, the
  others do not), the hydrogen ecosystem with its two carriers and La Porte du Hainaut, chosen
  without carrying it;
- council votes (adopted, rejected, postponed, and pending at a council to come), milestones
  (done, late, to come), the establishments involved, the demo catalogue's calls it answers
  and the demo applications filed for them.

Written through `pilote.territory_projects.services` by the demo TI manager (who accompanies
the projects); each council's vote by the agent of its EPCI. Without the demo accounts the
system writes, in the lead EPCI's name. Keyed on the project's title within the territory: a
second run creates nothing. Establishments, calls and applications are linked when their
demos are loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from pilote.accounts.models import Organisation, User
from pilote.aids.models import CallWindow
from pilote.applications.models import Application
from pilote.companies.models import Establishment
from pilote.core.enums import CHOSEN, Visibility
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory
from pilote.territory_projects import services
from pilote.territory_projects.enums import Phase, Status, Theme, VoteOutcome
from pilote.territory_projects.models import TerritoryProject

MANAGER = "cheffe.projet@pilote.demo"
# The demo EPCIs by their organisation's short name (pilote/accounts/demo.py).
SIRENS = {
    "CAVM": "245901160", "CAPH": "200042190", "CAMVS": "200043396", "CAC": "200068500",
    "CA2C": "200030633", "CAD": "200044618",
}  # fmt: skip

# The demo catalogue's calls (pilote/aids/demo.py): scheme title, window label.
FONDS_TI = "Fonds d'accélération des investissements industriels dans les territoires"
AUTO = "France 2030 — Diversification de la filière automobile"
ZIBAC = "Zones industrielles bas carbone (ZIBAC)"
FTJ = "Fonds de transition juste (FTJ) — Hauts-de-France"
TI_40 = "Territoires d'industrie 4.0 : anticiper les compétences de demain"
AMI_CMA = "AMI Compétences et métiers d'avenir"

D = dt.date
ADOPTED, REJECTED = VoteOutcome.ADOPTED, VoteOutcome.REJECTED
POSTPONED, PENDING = VoteOutcome.POSTPONED, VoteOutcome.PENDING


@dataclass
class Plan:
    title: str
    theme: str
    lead: str  # short name of the lead EPCI
    summary: str
    phase: str
    status: str
    visibility: str
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal
    partners: list[str] = field(default_factory=list)
    shares: dict[str, str] | None = None  # None: equal parts (largest remainder)
    shared_with: list[str] = field(default_factory=list)  # chosen beyond the carriers
    # (EPCI, NAF prefixes, how many): the establishments involved, largest first
    establishments: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (scheme title, window label)
    # (scheme title, words one of which the application's title holds, or ()): the demo
    # applications filed by the carriers' companies for those calls
    applications: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    votes: list[tuple] = field(default_factory=list)  # (EPCI, day, number, outcome, note)
    milestones: list[tuple] = field(default_factory=list)  # (title, due, done or None, note)


PLANS = [
    Plan(
        "Détection des potentialités du territoire — appels à projets automobile et fonds TI",
        Theme.DETECTION,
        "CAPH",
        "Pour chaque appel à projets pertinent, repérer avec les EPCI et la CCI les "
        "entreprises du territoire qui peuvent y répondre. En 2026 : l'appel France 2030 "
        "« Diversification de la filière automobile », qui résonne chez les constructeurs et "
        "leurs sous-traitants face à l'électromobilité, et les vagues du fonds Territoires "
        "d'industrie.",
        Phase.OPERATION,
        Status.ONGOING,
        Visibility.TERRITORY,
        D(2023, 9, 1),
        D(2027, 6, 30),
        Decimal("60000.00"),
        partners=["CAVM", "CAMVS", "CAD"],
        establishments=[
            ("CAPH", ("29.10",), 1),
            ("CAVM", ("29.10",), 1),
            ("CAMVS", ("29.10",), 1),
            ("CAD", ("29.10",), 1),
            ("CAVM", ("29.3",), 2),
            ("CAMVS", ("29.3",), 1),
        ],
        calls=[(AUTO, "Appel à projets"), (FONDS_TI, "Vague 1"), (FONDS_TI, "Vague 2")],
        applications=[(AUTO, ()), (FONDS_TI, ("Robotisation de la cellule",))],
        votes=[
            ("CAPH", D(2023, 6, 29), "2023-DEL-061", ADOPTED, ""),
            ("CAVM", D(2023, 7, 6), "2023-DEL-098", ADOPTED, ""),
            ("CAMVS", D(2023, 9, 28), "2023-DEL-142", ADOPTED, ""),
            ("CAD", D(2023, 10, 12), "2023-DEL-205", ADOPTED, ""),
        ],
        milestones=[
            (
                "Atelier de lancement avec les développeurs économiques des EPCI",
                D(2023, 10, 15),
                D(2023, 10, 10),
                "",
            ),
            (
                "Liste des entreprises ciblées pour l'appel automobile",
                D(2026, 11, 20),
                D(2026, 11, 18),
                "42 entreprises de la filière",
            ),
            ("Dépôt des dossiers de la vague 2 du fonds TI", D(2026, 12, 27), None, ""),
            ("Bilan des candidatures et des lauréats", D(2027, 6, 30), None, ""),
        ],
    ),
    Plan(
        "Écologie industrielle territoriale du Valenciennois et de la Porte du Hainaut",
        Theme.EIT,
        "CAVM",
        "Mettre en relation les industriels des zones d'activités voisines pour mutualiser "
        "leurs flux — déchets, eau, chaleur, matières — et faire émerger des synergies qui "
        "dépassent l'intérêt d'une seule entreprise. Co-animé avec la CCI dans la dynamique "
        "Rev3 ; candidature commune à l'appel ZIBAC de l'ADEME.",
        Phase.STUDY,
        Status.LATE,
        Visibility.PARTNERS,
        D(2024, 1, 15),
        D(2027, 12, 31),
        Decimal("180000.00"),
        partners=["CAPH"],
        shares={"CAVM": "108000.00", "CAPH": "72000.00"},
        establishments=[("CAVM", ("38.32", "20.", "24.5"), 3), ("CAPH", ("38.32", "20."), 2)],
        calls=[(ZIBAC, "Appel à projets")],
        applications=[(ZIBAC, ())],
        votes=[
            ("CAVM", D(2024, 3, 28), "2024-DEL-047", ADOPTED, ""),
            ("CAPH", D(2024, 4, 11), "2024-DEL-033", ADOPTED, ""),
        ],
        milestones=[
            ("Cartographie des flux de 40 sites industriels", D(2024, 9, 30), D(2024, 10, 14), ""),
            ("Ateliers de synergies entre industriels", D(2025, 3, 31), D(2025, 3, 25), ""),
            (
                "Étude de faisabilité de la boucle de chaleur",
                D(2026, 9, 30),
                None,
                "Le bureau d'études attend les relevés de deux sites.",
            ),
            ("Candidature commune à l'appel ZIBAC", D(2027, 4, 5), None, ""),
        ],
    ),
    Plan(
        "Écosystème hydrogène vert pour les électro-intensifs du Hainaut",
        Theme.HYDROGEN,
        "CAVM",
        "Substituer en partie le gaz par de l'hydrogène vert dans les procédés des "
        "électro-intensifs du territoire (sidérurgie, verre) : production et distribution "
        "locales, dimensionnées sur les besoins des entreprises et cohérentes avec le futur "
        "réseau européen d'hydrogène. Partagé avec La Porte du Hainaut, dont des sites "
        "pourraient se raccorder, sans qu'elle porte le projet.",
        Phase.STUDY,
        Status.PAUSED,
        CHOSEN,
        D(2024, 2, 1),
        D(2029, 12, 31),
        Decimal("850000.00"),
        partners=["CAMVS"],
        shares={"CAVM": "510000.00", "CAMVS": "340000.00"},
        shared_with=["CAPH"],
        establishments=[
            ("CAVM", ("24.1", "24.2", "24.3"), 2),
            ("CAMVS", ("23.1",), 2),
            ("CAVM", ("35.11",), 1),
        ],
        votes=[
            ("CAVM", D(2025, 6, 26), "2025-DEL-114", ADOPTED, ""),
            (
                "CAMVS",
                D(2025, 7, 3),
                "2025-DEL-087",
                POSTPONED,
                "Dans l'attente du tracé du réseau européen d'hydrogène.",
            ),
            ("CAMVS", D(2025, 10, 9), "2025-DEL-131", ADOPTED, ""),
        ],
        milestones=[
            (
                "Recensement des besoins en hydrogène des industriels",
                D(2024, 12, 31),
                D(2024, 12, 16),
                "",
            ),
            (
                "Étude d'opportunité d'un électrolyseur mutualisé",
                D(2025, 12, 31),
                D(2026, 2, 27),
                "Remise avec deux mois de retard.",
            ),
            (
                "Décision sur la suite après le tracé de l'hydrogénoduc",
                D(2027, 9, 30),
                None,
                "Projet en pause jusqu'à la publication du tracé.",
            ),
        ],
    ),
    Plan(
        "Reconquête des friches industrielles du Cambrésis et du Caudrésis",
        Theme.LAND,
        "CAC",
        "Recenser les friches, les terrains délaissés et les dents creuses des deux "
        "agglomérations, dépolluer et réaménager les sites prioritaires pour accueillir des "
        "projets industriels, en tenant compte des paramètres environnementaux. Partagé "
        "entre les deux EPCI porteurs seulement, le temps des négociations foncières.",
        Phase.OPERATION,
        Status.ONGOING,
        CHOSEN,
        D(2024, 3, 1),
        D(2028, 12, 31),
        Decimal("2400000.00"),
        partners=["CA2C"],
        shares={"CAC": "1560000.00", "CA2C": "840000.00"},
        establishments=[("CAC", ("23.6", "25."), 2), ("CA2C", ("13.", "17."), 2)],
        calls=[(FTJ, "Relève 1")],
        votes=[
            ("CAC", D(2024, 2, 15), "2024-DEL-021", ADOPTED, ""),
            ("CA2C", D(2024, 2, 22), "2024-DEL-014", ADOPTED, ""),
            (
                "CAC",
                D(2025, 12, 11),
                "2025-DEL-162",
                ADOPTED,
                "Avenant : acquisition de la friche de l'ancienne filature.",
            ),
        ],
        milestones=[
            ("Inventaire des friches et des dents creuses", D(2024, 9, 30), D(2024, 9, 12), ""),
            ("Acquisition foncière du premier site", D(2025, 11, 30), D(2025, 12, 19), ""),
            (
                "Dépollution du premier site",
                D(2026, 10, 31),
                None,
                "Retard de l'entreprise de dépollution.",
            ),
            ("Livraison du premier site aménagé", D(2027, 9, 30), None, ""),
        ],
    ),
    Plan(
        "Dynamique Rev3 : récupération de la chaleur fatale industrielle du Douaisis",
        Theme.REV3,
        "CAD",
        "Relier les industriels émetteurs de chaleur fatale aux acteurs publics et privés "
        "qui en ont besoin par un réseau de chaleur, avec l'appui du Fonds de transition "
        "juste. Bloqué : l'industriel émetteur principal n'a pas confirmé son "
        "raccordement.",
        Phase.OPERATION,
        Status.BLOCKED,
        Visibility.EPCI,
        D(2025, 1, 6),
        D(2028, 6, 30),
        Decimal("3450000.00"),
        establishments=[("CAD", ("24.", "25.", "20."), 3)],
        calls=[(FTJ, "Relève 1"), (FTJ, "Relève 2")],
        applications=[(FTJ, ("chaleur", "four"))],
        votes=[("CAD", D(2025, 3, 20), "2025-DEL-038", ADOPTED, "")],
        milestones=[
            ("Étude de potentiel de la chaleur fatale", D(2025, 6, 30), D(2025, 6, 24), ""),
            (
                "Accord de raccordement de l'industriel émetteur",
                D(2026, 6, 30),
                None,
                "En attente du conseil d'administration du groupe.",
            ),
            ("Premier tronçon du réseau de chaleur", D(2027, 10, 31), None, ""),
        ],
    ),
    Plan(
        "Réponse commune à l'appel « Territoires d'industrie 4.0 : anticiper les compétences "
        "de demain »",
        Theme.CALL,
        "CA2C",
        "Les six agglomérations répondent ensemble à l'appel à projets : un diagnostic "
        "partagé des besoins en compétences de l'industrie 4.0, des parcours de formation "
        "communs et une école de production, dans le prolongement de l'AMI Compétences et "
        "métiers d'avenir.",
        Phase.IDEA,
        Status.ONGOING,
        Visibility.PARTNERS,
        D(2026, 9, 1),
        D(2028, 8, 31),
        Decimal("250000.00"),
        partners=["CAVM", "CAPH", "CAMVS", "CAC", "CAD"],
        establishments=[("CA2C", ("13.",), 1), ("CAVM", ("30.2",), 1), ("CAPH", ("29.3",), 1)],
        calls=[(TI_40, "Appel à projets"), (AMI_CMA, "Appel à manifestation d'intérêt")],
        applications=[(TI_40, ()), (AMI_CMA, ("électrification",))],
        votes=[
            ("CA2C", D(2026, 11, 19), "2026-DEL-201", ADOPTED, ""),
            ("CAVM", D(2026, 11, 26), "2026-DEL-214", ADOPTED, ""),
            ("CAPH", D(2026, 12, 17), "", PENDING, "Inscrite à l'ordre du jour."),
            ("CAD", D(2027, 1, 28), "", PENDING, ""),
        ],
        milestones=[
            ("Réunion de lancement avec les six EPCI", D(2026, 10, 15), D(2026, 10, 15), ""),
            (
                "Diagnostic partagé des besoins en compétences",
                D(2026, 11, 30),
                None,
                "Deux EPCI n'ont pas encore transmis leurs données.",
            ),
            ("Dépôt de la candidature commune", D(2027, 4, 15), None, ""),
        ],
    ),
    Plan(
        "Fret ferroviaire et liaison Valenciennes – Mons : embranchement mutualisé",
        Theme.OTHER,
        "CAVM",
        "Connecter le fer, la route et la voie d'eau pour les entreprises : étude d'un "
        "embranchement ferroviaire mutualisé entre les zones d'activités, en lien avec le "
        "Canal Seine-Nord Europe et la liaison Valenciennes – Mons. Abandonné : les "
        "industriels n'ont pas confirmé les volumes de fret.",
        Phase.STUDY,
        Status.ABANDONED,
        Visibility.TERRITORY,
        D(2023, 10, 2),
        D(2025, 6, 30),
        Decimal("100000.00"),
        partners=["CAPH", "CAMVS"],
        establishments=[("CAVM", ("30.2", "24.1"), 2), ("CAPH", ("30.2",), 1)],
        votes=[
            ("CAVM", D(2023, 11, 23), "2023-DEL-176", ADOPTED, ""),
            ("CAPH", D(2023, 12, 7), "2023-DEL-119", ADOPTED, ""),
            (
                "CAMVS",
                D(2023, 12, 14),
                "2023-DEL-188",
                REJECTED,
                "Volumes de fret jugés insuffisants.",
            ),
        ],
        milestones=[
            ("Enquête sur les besoins de fret des industriels", D(2024, 3, 31), D(2024, 4, 5), ""),
            (
                "Étude technique de l'embranchement",
                D(2024, 12, 31),
                None,
                "Non réalisée : projet abandonné.",
            ),
        ],
    ),
    Plan(
        "Atlas du foncier économique et des sites « clés en main »",
        Theme.LAND,
        "CAPH",
        "Un atlas partagé du foncier économique disponible et des quatre sites « clés en "
        "main » labellisés du territoire, pour répondre vite aux porteurs de projets "
        "industriels français et étrangers.",
        Phase.OPERATION,
        Status.DONE,
        Visibility.PARTNERS,
        D(2023, 4, 3),
        D(2025, 6, 30),
        Decimal("45000.00"),
        partners=["CAD"],
        shares={"CAPH": "27000.00", "CAD": "18000.00"},
        votes=[
            ("CAPH", D(2023, 3, 30), "2023-DEL-029", ADOPTED, ""),
            ("CAD", D(2023, 4, 6), "2023-DEL-044", ADOPTED, ""),
        ],
        milestones=[
            ("Recensement des terrains disponibles", D(2023, 12, 31), D(2023, 12, 15), ""),
            ("Mise en ligne de l'atlas", D(2024, 6, 30), D(2024, 9, 16), ""),
            ("Mise à jour annuelle et bilan", D(2025, 6, 30), D(2025, 6, 20), ""),
        ],
    ),
]


def _establishments(epci, prefixes: tuple[str, ...], n: int) -> list[Establishment]:
    """The `n` largest active, diffusible establishments of `epci` whose NAF code starts with
    one of `prefixes` (the flagships first)."""
    match = Q()
    for prefix in prefixes:
        match |= Q(naf_code__startswith=prefix)
    return list(
        Establishment.objects.filter(
            match, epci=epci, state="A", diffusion="O", company__diffusion="O"
        ).order_by("-band_rank", "siret")[:n]
    )


def _calls(plan: Plan) -> list[CallWindow]:
    calls = []
    for scheme, label in plan.calls:
        window = CallWindow.objects.filter(scheme__title=scheme, label=label).first()
        if window is not None:
            calls.append(window)
    return calls


def _applications(plan: Plan, carriers: list) -> list[Application]:
    found = []
    for scheme, words in plan.applications:
        rows = Application.objects.filter(scheme__title=scheme, epci__in=carriers)
        if words:
            match = Q()
            for word in words:
                match |= Q(title__icontains=word)
            rows = rows.filter(match)
        found += list(rows.order_by("pk")[:3])
    return found


def _load_one(plan, territory, epcis, manager, agents, organisations, today) -> int:
    lead = epcis[plan.lead]
    carriers = [lead, *(epcis[p] for p in plan.partners)]
    establishments = []
    for short, prefixes, n in plan.establishments:
        establishments += [
            e for e in _establishments(epcis[short], prefixes, n) if e not in establishments
        ]
    project = services.project_create(
        acting_user=manager,
        author_organisation=None if manager else organisations[plan.lead],
        territory=territory,
        epci=lead,
        title=plan.title,
        summary=plan.summary,
        theme=plan.theme,
        phase=plan.phase,
        status=plan.status,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        budget=plan.budget,
        visibility=plan.visibility,
        partners=carriers[1:],
        shares=(
            None if plan.shares is None
            else {epcis[k]: Decimal(v) for k, v in plan.shares.items()}
        ),
        shared_with=[epcis[s] for s in plan.shared_with],
        establishments=establishments,
        calls=_calls(plan),
        applications=_applications(plan, carriers),
    )  # fmt: skip
    created = 1 + project.carriers.count()
    for short, day, number, outcome, note in plan.votes:
        if day > today:  # a council to come has not voted yet
            number, outcome = "", PENDING
        services.vote_record(
            acting_user=agents.get(short) or manager, project=project, epci=epcis[short],
            # As ISO text, which the vote's cleaning makes a date: the audit record then
            # stores it as given, whether or not the service converts a date itself.
            voted_on=day.isoformat(), deliberation_number=number, outcome=outcome, note=note,
        )  # fmt: skip
        created += 1
    for title, due_on, done_on, note in plan.milestones:
        services.milestone_add(
            acting_user=manager, project=project, title=title, due_on=due_on,
            done_on=done_on if done_on is not None and done_on <= today else None, note=note,
        )  # fmt: skip
        created += 1
    return created


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    epcis = {short: territory.epcis.filter(pk=siren).first() for short, siren in SIRENS.items()}
    if not all(epcis.values()):
        return 0
    today = timezone.localdate()
    organisations = {o.short_name: o for o in Organisation.objects.filter(epci__isnull=False)}
    if not all(short in organisations for short in SIRENS):
        return 0
    manager = User.objects.filter(email=MANAGER).first()
    agents = {}
    for user in User.objects.filter(email__startswith="agent.", email__endswith="@pilote.demo"):
        membership = user.memberships.select_related("organisation").first()
        if membership is not None and membership.organisation.short_name in SIRENS:
            agents[membership.organisation.short_name] = user
    existing = set(
        TerritoryProject.objects.filter(territory=territory).values_list("title", flat=True)
    )
    created = 0
    for plan in PLANS:
        if plan.title in existing:
            continue
        created += _load_one(plan, territory, epcis, manager, agents, organisations, today)
    _report(out, territory, agents)
    return created


def _report(out, territory, agents) -> None:
    """The demo's projects, and for those shared with chosen EPCIs which agents see them."""
    projects = TerritoryProject.objects.filter(territory=territory)
    out.write(f"Projets de territoire : {projects.count()}.")
    for project in projects.filter(visibility=CHOSEN).order_by("title"):
        seen = [
            user.email for short, user in sorted(agents.items())
            if TerritoryProject.objects.visible_to(user).filter(pk=project.pk).exists()
        ]  # fmt: skip
        unseen = [user.email for user in agents.values() if user.email not in seen]
        out.write(
            f"  « {project.title} » (EPCI choisis) : vu par {', '.join(seen) or 'aucun agent'} ;"
            f" pas par {', '.join(sorted(unseen)) or 'personne'}."
        )
