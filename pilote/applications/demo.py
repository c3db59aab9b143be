"""Demo applications (« dossiers de candidature »): the roadmap's « bilan » of France Relance
in Hainaut-Douaisis-Cambrésis, then the team's pipeline up to today.

- The team's applications (`supported`) filed in 2021 and early 2022: at 30/04/2022, 13 filed,
  1,2 M€ granted and 3,4 M€ in review.
- Every application of the territory known at 30/06/2022 (the official laureates the team did
  not support included): 53 accepted for 43 companies, 63,5 M€ granted, more than 588 M€ of
  investment and about 4 000 jobs, as many refused or classed « sans suite » (a rate of 50 %);
  of the 53, 25 in the « fonds Territoires d'industrie » (17 M€ for about 220 M€ of
  investment), 28 in the other calls (decarbonation, résilience, automobile, Rev3…).
- After 2022, relative to today: decisions through the following years (one reopened after a
  « recours gracieux »), applications in review, files being built for the calls that close in
  the coming weeks with their documents due soon, and drafts — on the accompanied companies
  when the accompaniment demo is loaded (linked to their project).

Written through `pilote.applications.services` by the demo TI manager (permissions, audit,
full status history, payments, time spent); seeded. Keyed on the Démarches simplifiées number
of the reference (« FR-2021-DS-1234567 »): a second run creates nothing. Needs the demo
establishments and accounts; uses the demo catalogue's schemes when present, the funder's name
otherwise.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from pilote.accompaniment.demo import _team, working_day
from pilote.accompaniment.enums import ProjectKind as Kind
from pilote.accompaniment.models import Interaction, Project
from pilote.aids.models import AidScheme, CallWindow
from pilote.applications import services
from pilote.applications.enums import Status
from pilote.applications.models import Application
from pilote.companies.models import Establishment
from pilote.core.enums import Visibility
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

SEED = 20220630
SUPPORTED_ON = dt.date(2022, 4, 30)  # the bilan of the team's applications
TERRITORY_ON = dt.date(2022, 6, 30)  # the bilan of the territory's laureates
FIRST_FILING = dt.date(2021, 1, 4)
PIPELINE_FROM = dt.date(2022, 9, 1)  # the pipeline starts after the France Relance bilan

# The territory at 30/06/2022 (targets of the roadmap, to the 0,1 M€).
FONDS_TI_ACCEPTED = 25
FONDS_TI_GRANTED = Decimal(17_000_000)
FONDS_TI_INVESTMENT = Decimal(219_800_000)
OTHER_GRANTED = Decimal(46_500_000)  # 63,5 M€ in all
OTHER_INVESTMENT = Decimal(368_800_000)  # 588,6 M€ in all
JOBS = 4006
LAUREATE_COMPANIES = 43
# Non-supported applications refused or classed « sans suite » by 30/06/2022: with the team's
# two refusals, 53 decided without success for 53 accepted.
REFUSED_OTHERS = 45
WITHDRAWN_OTHERS = 6

FONDS_TI = "Fonds d'accélération des investissements industriels dans les territoires"
LARGE_BANDS = ("21", "22", "31", "32", "41")
PME_BANDS = ("12", "21", "22", "31")
ANY_BANDS = ("11", "12", "21", "22", "31", "32", "41")


@dataclass(frozen=True)
class Call:
    label: str  # the funder and the call, as `funder` when the scheme is not in the catalogue
    scheme: str  # title in the demo catalogue, or ""
    nafs: tuple[str, ...]  # NAF prefixes it fits (empty: any manufacturing)
    aid: tuple[int, int]  # k€
    leverage: tuple[float, float]  # investment ÷ aid
    titles: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # the accompaniment projects it finances

    def fits(self, naf: str) -> bool:
        return not self.nafs or naf.startswith(self.nafs)


PRODUCTIVE = ("Nouvelle ligne de production", "Extension de l'atelier de production",
              "Modernisation de l'outil industriel", "Robotisation de la ligne d'assemblage",
              "Relocalisation d'une fabrication sous-traitée en Asie",
              "Nouveau bâtiment de production et ses équipements",
              "Automatisation du conditionnement")  # fmt: skip
DECARBONATION = ("Four électrique en remplacement d'un four au gaz",
                 "Récupération de la chaleur fatale des fours",
                 "Chaudière biomasse pour la vapeur de process",
                 "Électrification des procédés de séchage")  # fmt: skip
CALLS = {
    "fonds_ti": Call(
        "France Relance — Fonds d'accélération des investissements industriels dans les "
        "territoires (Bpifrance, Région Hauts-de-France)",
        FONDS_TI, (), (150, 1500), (9, 17), PRODUCTIVE, (Kind.PRODUCTIVE_INVESTMENT,),
    ),
    "decarb": Call(
        "France Relance — Décarbonation de l'industrie (ADEME, appel à projets DECARB IND)",
        "", ("10", "11", "17", "20", "23", "24"), (800, 8000), (4, 8), DECARBONATION,
    ),
    "efficacite": Call(
        "France Relance — Efficacité énergétique des procédés (ASP, guichet)", "", (),
        (100, 800), (3, 6),
        ("Compresseurs à vitesse variable et récupération de chaleur",
         "Pompe à chaleur industrielle", "Remplacement des groupes froids"),
    ),
    "resilience": Call(
        "France Relance — Résilience des secteurs critiques (Bpifrance)", "",
        ("20", "21", "26", "27", "28", "10"), (500, 4000), (5, 9),
        ("Relocalisation d'une production stratégique",
         "Sécurisation des approvisionnements critiques",
         "Nouvelle unité de production pour un marché critique"),
    ),
    "auto": Call(
        "France Relance — Fonds de modernisation des filières automobile et aéronautique "
        "(Bpifrance)", "", ("29", "22", "25", "28", "24"), (300, 2500), (4, 8),
        ("Ligne d'emboutissage pour pièces de véhicules électriques",
         "Diversification vers les composants de batteries",
         "Modernisation de l'usinage des carters"),
    ),
    "idf": Call(
        "France Relance — Aide en faveur de l'industrie du futur (ASP)", "", (), (50, 300),
        (2.5, 5),
        ("Robot de soudage et cellule de parachèvement", "Centre d'usinage 5 axes",
         "Logiciel de pilotage de la production (MES)"),
    ),
    "ami": Call(
        "France 2030 — AMI Compétences et métiers d'avenir (État)",
        "AMI Compétences et métiers d'avenir", (), (80, 400), (2.5, 4),
        ("Plan de formation aux métiers de l'électrification", "École de production interne",
         "Parcours de formation soudage et chaudronnerie"), (Kind.RECRUITMENT_TRAINING,),
    ),
    "rev3": Call(
        "Région Hauts-de-France — Rev3, aide à l'investissement des PME industrielles", "", (),
        (50, 400), (4, 9),
        ("Panneaux photovoltaïques en autoconsommation",
         "Ligne de recyclage des chutes de production", "Modernisation de l'atelier"),
        (Kind.PRODUCTIVE_INVESTMENT, Kind.REAL_ESTATE, Kind.TRANSFER, Kind.EXPORT),
    ),
    # The calls after France Relance (the pipeline).
    "zibac": Call(
        "ADEME — Zones industrielles bas carbone (ZIBAC)",
        "Zones industrielles bas carbone (ZIBAC)", (), (200, 1500), (3, 6),
        ("Étude de mutualisation de la chaleur de la zone",
         "Boucle d'eau chaude partagée de la zone d'activité"),
        (Kind.DECARBONISATION,),
    ),
    "ftj": Call(
        "Union européenne, Région Hauts-de-France — Fonds de transition juste (FTJ)",
        "Fonds de transition juste (FTJ) — Hauts-de-France", (), (200, 2000), (3, 6),
        DECARBONATION, (Kind.DECARBONISATION, Kind.RECRUITMENT_TRAINING),
    ),
    "auto2": Call(
        "France 2030 — Diversification de la filière automobile (Bpifrance)",
        "France 2030 — Diversification de la filière automobile",
        ("29", "22", "25", "28"), (300, 2500), (3, 6),
        ("Diversification vers le ferroviaire et la défense",
         "Qualification d'une pièce en aluminium recyclé"), (Kind.INNOVATION,),
    ),
    "ti40": Call(
        "ANCT, Région Hauts-de-France — Territoires d'industrie 4.0",
        "Territoires d'industrie 4.0 : anticiper les compétences de demain", (), (30, 150),
        (2, 3), ("Formation des équipes à la robotique collaborative",),
        (Kind.RECRUITMENT_TRAINING,),
    ),
    "vte": Call(
        "Bpifrance, ANCT — VTE Territoires d'industrie", "VTE Territoires d'industrie", (),
        (8, 8), (4, 6), ("Recrutement d'un ingénieur méthodes en VTE",),
        (Kind.RECRUITMENT_TRAINING,),
    ),
    "hdfid": Call(
        "HDFID, Région Hauts-de-France — Accompagnement industrie du futur",
        "Offre HDFID — accompagnement industrie du futur", (), (50, 400), (3, 6),
        ("Jumeau numérique de l'atelier", "Cellule robotisée et vision industrielle"),
        (Kind.PRODUCTIVE_INVESTMENT, Kind.INNOVATION),
    ),
    "bdt": Call(
        "Banque des Territoires — Sociétés de projets",
        "Sociétés de projets — Banque des Territoires", (), (1000, 4000), (3, 5),
        ("Bâtiment industriel en société de projet",), (Kind.REAL_ESTATE,),
    ),
    "decarb_flash": Call(
        "ADEME — Décarbonation des procédés (DECARB FLASH)", "",
        ("10", "11", "17", "20", "23", "24", "25"), (150, 1500), (3, 6), DECARBONATION,
        (Kind.DECARBONISATION,),
    ),
    "premiere_usine": Call(
        "France 2030 — Première usine (Bpifrance)", "", (), (500, 3000), (4, 8), PRODUCTIVE,
        (Kind.PRODUCTIVE_INVESTMENT, Kind.INNOVATION),
    ),
    "innovation": Call(
        "Bpifrance — Aide pour le développement de l'innovation", "", (), (80, 600), (2, 4),
        ("Prototype et essais d'une nouvelle gamme",), (Kind.INNOVATION,),
    ),
}  # fmt: skip
PIPELINE_CALLS = ["fonds_ti", "zibac", "ftj", "auto2", "ti40", "vte", "hdfid", "bdt",
                  "decarb_flash", "premiere_usine", "innovation", "rev3"]  # fmt: skip
PIPELINE_WEIGHTS = [5, 2, 4, 2, 1, 2, 2, 1, 3, 2, 2, 3]

# The other laureates at 30/06/2022 (24 of the 28 outside the fonds TI: 4 were the team's).
OTHER_LAUREATES = (
    ["decarb"] * 6
    + ["efficacite"] * 3
    + ["resilience"] * 4
    + ["auto"] * 6
    + ["idf"] * 2
    + ["ami"] * 2
    + ["rev3"]
)
REFUSED_CALLS = (
    ["fonds_ti"] * 20
    + ["decarb"] * 8
    + ["efficacite"] * 4
    + ["resilience"] * 6
    + ["auto"] * 7
    + ["idf"] * 3
    + ["ami"] * 1
    + ["rev3"] * 2
)

# The team's applications of 2021-2022: call, filed, requested, final status, decided, granted,
# investment, jobs (amounts in k€). At 30/04/2022: 13 filed, 4 accepted for 1 200 k€, 8 in
# review for 3 400 k€.
TEAM_BILAN = [
    ("fonds_ti", (2021, 2, 15), 380, Status.ACCEPTED, (2021, 5, 20), 350, 4200, 45),
    ("rev3", (2021, 4, 12), 120, Status.ACCEPTED, (2021, 7, 8), 100, 900, 12),
    ("idf", (2021, 6, 1), 200, Status.ACCEPTED, (2021, 9, 14), 200, 750, 20),
    ("fonds_ti", (2021, 9, 20), 600, Status.ACCEPTED, (2022, 1, 27), 550, 6800, 60),
    ("decarb", (2021, 5, 10), 950, Status.REFUSED, (2021, 10, 5), None, 3900, 35),
    ("fonds_ti", (2021, 11, 15), 750, Status.ACCEPTED, (2022, 5, 19), 700, 9500, 85),
    ("resilience", (2021, 12, 6), 900, Status.ACCEPTED, (2022, 6, 23), 820, 6100, 70),
    ("rev3", (2022, 1, 17), 150, Status.ACCEPTED, (2022, 6, 9), 150, 1200, 18),
    ("auto", (2022, 2, 7), 600, Status.REFUSED, (2022, 6, 16), None, 2800, 30),
    ("fonds_ti", (2022, 2, 28), 400, Status.ACCEPTED, (2022, 9, 22), 380, 4600, 40),
    ("efficacite", (2022, 3, 14), 250, Status.ACCEPTED, (2022, 10, 13), 230, 1100, 25),
    ("ami", (2022, 3, 28), 150, Status.WITHDRAWN, (2022, 11, 8), None, 450, 0),
    ("idf", (2022, 4, 19), 200, Status.ACCEPTED, (2022, 7, 21), 180, 700, 15),
    ("fonds_ti", (2022, 5, 23), 500, Status.ACCEPTED, (2022, 12, 15), 450, 5200, 50),
    ("decarb", (2022, 6, 13), 1800, Status.ACCEPTED, (2023, 3, 9), 1500, 8400, 40),
]

# The team's pipeline after 2022, relative to today: final status and how many.
PIPELINE = [(Status.ACCEPTED, 10), (Status.REFUSED, 5), (Status.WITHDRAWN, 3),
            (Status.REVIEW, 5), (Status.BUILDING, 4), (Status.DRAFT, 3)]  # fmt: skip
LATER_LAUREATES = 6  # official laureates after 2022 the team did not support

REVIEW_REASONS = ["Dossier complet, pris en instruction", "Passage en instruction",
                  "Dossier déclaré complet par l'instructeur"]  # fmt: skip
ACCEPT_REASONS = ["Lauréat du comité de sélection", "Décision favorable notifiée à l'entreprise",
                  "Aide accordée, convention à signer"]  # fmt: skip
REFUSE_REASONS = [
    "Projet non retenu : effet incitatif non démontré (travaux déjà engagés)",
    "Projet non retenu : enveloppe de l'appel épuisée",
    "Projet non retenu : dépenses éligibles insuffisantes",
    "Projet non retenu : projet jugé insuffisamment mature",
]
WITHDRAW_REASONS = ["L'entreprise a reporté son projet",
                    "Pièces complémentaires non fournies dans les délais",
                    "Projet abandonné après le changement de dirigeant"]  # fmt: skip
TIME_SPENT = ["Montage du dossier avec le dirigeant", "Relecture du plan de financement",
              "Réunion avec le chargé d'affaires de l'instructeur",
              "Préparation de la lettre de soutien de l'agglomération",
              "Suivi de l'instruction et réponse aux questions", "Point sur les devis"]  # fmt: skip
COMMENTS = ["Dossier monté avec l'agglomération ; lettre de soutien jointe.",
            "Plan de financement complété par un prêt Bpifrance.",
            "Entreprise rencontrée lors de la tournée des sites de l'EPCI.",
            "", "", ""]  # fmt: skip

K = Decimal(1000)


@dataclass
class Spec:
    """One application to create: what it is, then its history."""

    order: int  # the rank of its Démarches simplifiées number
    call: Call
    supported: bool
    filed: dt.date | None
    establishment: Establishment | None = None
    status: str = Status.BUILDING  # the status it is created in
    steps: list[tuple[str, dt.date, str]] = field(default_factory=list)
    requested: Decimal | None = None
    granted: Decimal | None = None
    investment: Decimal | None = None
    jobs: int | None = None
    visibility: str = Visibility.EPCI
    title: str = ""
    project: Project | None = None
    closes_on: dt.date | None = None
    documents_due_on: dt.date | None = None
    comment: str = ""
    historic: bool = True

    @property
    def final(self) -> str:
        return self.steps[-1][0] if self.steps else self.status

    @property
    def decided(self) -> dt.date | None:
        return self.steps[-1][1] if self.final in {
            Status.ACCEPTED, Status.REFUSED, Status.WITHDRAWN
        } else None  # fmt: skip


def _days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


def _past(day: dt.date) -> dt.date:
    return working_day(day)


def _decision_steps(rng, final, filed, decided, *, today):
    """En instruction a week or three after filing, then the decision."""
    review = _past(min(_days(filed, rng.randint(7, 25)), _days(decided, -7)))
    review = max(review, filed)
    reasons = {Status.ACCEPTED: ACCEPT_REASONS, Status.REFUSED: REFUSE_REASONS,
               Status.WITHDRAWN: WITHDRAW_REASONS}  # fmt: skip
    steps = [(Status.REVIEW, review, rng.choice(REVIEW_REASONS))]
    if final in reasons:
        steps.append((final, min(decided, today), rng.choice(reasons[final])))
    return steps


def _round(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def _scale(weights: list[float], total: Decimal, step: int) -> list[Decimal]:
    """`total` shared in proportion to `weights`, rounded to `step`, exact in sum."""
    whole = sum(weights)
    shares = [_round(total * Decimal(w / whole), step) for w in weights]
    shares[-1] = total - sum(shares[:-1])
    return shares


class _Picker:
    """Establishments for the calls: industrial ones fitting the call's NAF, preferring the
    accompanied companies (met before the filing) for the team's recent applications."""

    def __init__(self, territory, rng):
        self.rng = rng
        self.pool = list(
            Establishment.objects.in_territory(territory)
            .active()
            .filter(naf_section="C")
            .exclude(company__size_category="GE")  # not the flagships the roadmap names
            .select_related("company")
            .order_by("siret")
        )
        rng.shuffle(self.pool)
        projects = (
            Project.objects.in_territory(territory)
            .filter(establishment__in=[e.pk for e in self.pool])
            .select_related("establishment__company")
            .order_by("pk")
        )
        self.projects = list(projects)
        rng.shuffle(self.projects)
        firsts = (
            Interaction.objects.filter(establishment__in={p.establishment_id for p in projects})
            .values("establishment")
            .annotate(first=Min("occurred_on"))
        )
        self.met_on = {row["establishment"]: row["first"] for row in firsts}
        self.used_projects: set[int] = set()
        self.visible: dict[int, set[int]] = {}

    def pick(self, call: Call, bands, *, exclude=frozenset()) -> Establishment:
        for naf_ok, band_ok in ((True, True), (False, True), (True, False), (False, False)):
            candidates = [
                e
                for e in self.pool
                if e.company_id not in exclude
                and (not naf_ok or call.fits(e.naf_code))
                and (not band_ok or e.headcount_band in bands)
            ]
            if candidates:
                return self.rng.choice(candidates)
        return self.rng.choice(self.pool)

    def _visible(self, user) -> set[int]:
        if user.pk not in self.visible:
            ids = Project.objects.visible_to(user).filter(pk__in=[p.pk for p in self.projects])
            self.visible[user.pk] = set(ids.values_list("pk", flat=True))
        return self.visible[user.pk]

    def project_for(self, call: Call, day: dt.date, acting_user) -> Project | None:
        """An accompanied company's project this call finances, met a fortnight before `day`."""
        for fitting in (True, False):
            for project in self.projects:
                met = self.met_on.get(project.establishment_id)
                if (project.pk in self.used_projects or met is None
                        or met > _days(day, -14) or (fitting and project.kind not in call.kinds)
                        or project.pk not in self._visible(acting_user)):  # fmt: skip
                    continue
                self.used_projects.add(project.pk)
                return project
        return None


def _bilan_specs(rng, picker: _Picker, today: dt.date) -> list[Spec]:
    """The applications of 2021-2022 that make the roadmap's bilan."""
    specs: list[Spec] = []
    laureates: dict[int, set[str]] = {}  # company → the calls it won by 30/06/2022
    by_company: dict[int, Establishment] = {}

    team_companies: set[int] = set()
    for key, filed, requested, final, decided, granted, investment, jobs in TEAM_BILAN:
        call = CALLS[key]
        establishment = picker.pick(call, PME_BANDS, exclude=team_companies)
        team_companies.add(establishment.company_id)
        filed, decided = dt.date(*filed), dt.date(*decided)
        spec = Spec(
            order=0, call=call, supported=True, filed=filed, establishment=establishment,
            steps=_decision_steps(rng, final, filed, decided, today=today),
            requested=requested * K, granted=granted * K if granted else None,
            investment=investment * K, jobs=jobs or None, title=rng.choice(call.titles),
            visibility=rng.choices([Visibility.EPCI, Visibility.TERRITORY], [3, 1])[0],
            comment=rng.choice(COMMENTS),
        )  # fmt: skip
        specs.append(spec)
        if final == Status.ACCEPTED and decided <= TERRITORY_ON:
            laureates.setdefault(establishment.company_id, set()).add(key)
            by_company[establishment.company_id] = establishment

    # The official laureates the team did not support, by 30/06/2022.
    team_accepted = [s for s in specs if s.final == Status.ACCEPTED and s.decided <= TERRITORY_ON]
    team_fonds = [s for s in team_accepted if s.call is CALLS["fonds_ti"]]
    keys = ["fonds_ti"] * (FONDS_TI_ACCEPTED - len(team_fonds)) + OTHER_LAUREATES
    rng.shuffle(keys)
    repeats = 53 - LAUREATE_COMPANIES  # laureates of two calls
    others: list[Spec] = []
    for n, key in enumerate(keys):
        call = CALLS[key]
        if n >= len(keys) - repeats:
            twice = [c for c, won in sorted(laureates.items()) if key not in won and len(won) == 1]
            fitting = [c for c in twice if call.fits(by_company[c].naf_code)] or twice
            establishment = by_company[rng.choice(fitting)]
        else:
            establishment = picker.pick(call, LARGE_BANDS, exclude=set(laureates) | team_companies)
            by_company[establishment.company_id] = establishment
        laureates.setdefault(establishment.company_id, set()).add(key)
        filed = _past(_days(FIRST_FILING, rng.randint(0, 460)))
        decided = _past(min(_days(filed, rng.randint(75, 220)),
                            _days(TERRITORY_ON, -rng.randint(0, 20))))  # fmt: skip
        decided = max(decided, _days(filed, 30))
        others.append(Spec(
            order=0, call=call, supported=False, filed=filed, establishment=establishment,
            steps=_decision_steps(rng, Status.ACCEPTED, filed, decided, today=today),
            visibility=Visibility.TERRITORY, title=rng.choice(call.titles),
        ))  # fmt: skip
    _amounts(rng, others, team_accepted)
    specs += others

    # Their unsuccessful applications: as many as the accepted, for a 50 % rate.
    finals = [Status.REFUSED] * REFUSED_OTHERS + [Status.WITHDRAWN] * WITHDRAWN_OTHERS
    calls = REFUSED_CALLS[:]
    rng.shuffle(calls)
    for final, key in zip(finals, calls, strict=True):
        call = CALLS[key]
        establishment = picker.pick(call, ANY_BANDS)
        filed = _past(_days(FIRST_FILING, rng.randint(0, 480)))
        decided = _past(min(_days(filed, rng.randint(45, 200)), TERRITORY_ON))
        decided = max(decided, _days(filed, 21))
        aid = Decimal(rng.randint(*call.aid)) * K
        specs.append(Spec(
            order=0, call=call, supported=False, filed=filed, establishment=establishment,
            steps=_decision_steps(rng, final, filed, decided, today=today), requested=aid,
            investment=_round(aid * Decimal(rng.uniform(*call.leverage)), 10_000),
            jobs=rng.choice([None, 5, 10, 20, 35, 60]), title=rng.choice(call.titles),
        ))  # fmt: skip
    return specs


BAND_SIZE = {"11": 15, "12": 35, "21": 75, "22": 150, "31": 225, "32": 375, "41": 750}


def _amounts(rng, others: list[Spec], team: list[Spec]) -> None:
    """The other laureates' amounts, drawn in each call's ranges then scaled so that the
    territory's totals at 30/06/2022 are the roadmap's."""
    for group, granted, investment in (
        ([s for s in others if s.call is CALLS["fonds_ti"]], FONDS_TI_GRANTED,
         FONDS_TI_INVESTMENT),
        ([s for s in others if s.call is not CALLS["fonds_ti"]], OTHER_GRANTED,
         OTHER_INVESTMENT),
    ):  # fmt: skip
        fonds = group[0].call is CALLS["fonds_ti"]
        mine = [s for s in team if (s.call is CALLS["fonds_ti"]) == fonds]
        size = [BAND_SIZE.get(s.establishment.headcount_band, 50) for s in group]
        aids = [
            rng.uniform(*s.call.aid) * (0.6 + n / 300) for s, n in zip(group, size, strict=True)
        ]
        leverages = [rng.uniform(*s.call.leverage) for s in group]
        grants = _scale(aids, granted - sum(s.granted for s in mine), 1000)
        invests = _scale([a * x for a, x in zip(aids, leverages, strict=True)],
                         investment - sum(s.investment for s in mine), 10_000)  # fmt: skip
        for spec, grant, invest in zip(group, grants, invests, strict=True):
            spec.granted = grant
            spec.requested = _round(grant * Decimal(rng.uniform(1.0, 1.3)), 1000)
            spec.investment = max(invest, 2 * grant)
    people = [BAND_SIZE.get(s.establishment.headcount_band, 50) * rng.uniform(0.3, 0.8)
              for s in others]  # fmt: skip
    jobs = _scale(people, Decimal(JOBS - sum(s.jobs or 0 for s in team)), 1)
    for spec, count in zip(others, jobs, strict=True):
        spec.jobs = int(count)


def _windows(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The next closing window of each call in the catalogue: (opens, closes)."""
    found: dict[str, tuple[dt.date, dt.date]] = {}
    titles = {c.scheme: key for key, c in CALLS.items() if c.scheme}
    windows = CallWindow.objects.filter(scheme__title__in=titles, closes_on__gte=today)
    for window in windows.select_related("scheme").order_by("closes_on"):
        found.setdefault(titles[window.scheme.title], (window.opens_on, window.closes_on))
    return found


def _pipeline_specs(rng, picker: _Picker, manager, today: dt.date) -> list[Spec]:
    """The team's applications after 2022, and the later official laureates."""
    specs: list[Spec] = []
    windows = _windows(today)
    open_now = [k for k, (opens, _) in windows.items() if opens <= today] or ["fonds_ti"]
    coming = [k for k in windows if k not in open_now] or open_now
    floor = PIPELINE_FROM
    for final, count in PIPELINE:
        for _ in range(count):
            if final == Status.DRAFT:
                key, filed = rng.choice(coming + open_now), None
            elif final == Status.BUILDING:
                key = rng.choice(open_now)
                filed = _past(_days(today, -rng.randint(5, 35)))
            else:
                key = rng.choices(PIPELINE_CALLS, PIPELINE_WEIGHTS)[0]
                back = rng.randint(45, 220) if final == Status.REVIEW else rng.randint(250, 1250)
                filed = max(_past(_days(today, -back)), floor)
            call = CALLS[key]
            spec = Spec(order=0, call=call, supported=True, filed=filed, historic=False,
                        visibility=rng.choices([Visibility.EPCI, Visibility.TERRITORY], [4, 1])[0],
                        comment=rng.choice(COMMENTS))  # fmt: skip
            if final == Status.DRAFT:
                spec.status = Status.DRAFT
            elif final == Status.REVIEW:
                spec.steps = [(Status.REVIEW, _past(min(_days(filed, rng.randint(7, 20)), today)),
                               rng.choice(REVIEW_REASONS))]  # fmt: skip
            elif final != Status.BUILDING:
                decided = _past(min(_days(filed, rng.randint(90, 220)), _days(today, -15)))
                spec.steps = _decision_steps(rng, final, filed, max(decided, filed), today=today)
            if final in {Status.DRAFT, Status.BUILDING}:
                closes = windows.get(key, (None, _days(today, rng.randint(14, 40))))[1]
                spec.closes_on = closes
                spec.documents_due_on = min(working_day(_days(today, rng.randint(2, 10)),
                                                        forward=True), closes)  # fmt: skip
            specs.append(spec)
    # One en instruction asked for more documents; one refused, then reopened and accepted.
    review = next(s for s in specs if s.final == Status.REVIEW)
    review.documents_due_on = working_day(_days(today, 6), forward=True)
    reopened = min((s for s in specs if s.final == Status.REFUSED), key=lambda s: s.filed)
    refused_on = reopened.steps[-1][1]
    reopened.steps[-1] = (Status.REFUSED, refused_on,
                          "Projet non retenu : plan de financement incomplet")  # fmt: skip
    reopened.steps += [
        (Status.REVIEW, _past(min(_days(refused_on, 30), today)),
         "Recours gracieux : dossier réexaminé avec le plan de financement complété"),
        (Status.ACCEPTED, _past(min(_days(refused_on, 140), _days(today, -10))),
         "Décision favorable après réexamen"),
    ]  # fmt: skip
    for spec in specs:
        anchor = spec.filed or today
        spec.project = picker.project_for(spec.call, anchor, manager)
        if spec.project is not None:
            spec.establishment = spec.project.establishment
            spec.title = spec.project.title
        else:
            spec.establishment = picker.pick(spec.call, PME_BANDS)
            spec.title = rng.choice(spec.call.titles)
        _draw_amounts(rng, spec)

    for _ in range(LATER_LAUREATES):
        key = rng.choice(["fonds_ti", "fonds_ti", "ftj", "decarb_flash", "premiere_usine"])
        call = CALLS[key]
        filed = max(_past(_days(today, -rng.randint(700, 1450))), floor)
        decided = _past(min(_days(filed, rng.randint(90, 200)), _days(today, -30)))
        spec = Spec(
            order=0, call=call, supported=False, filed=filed, historic=False,
            establishment=picker.pick(call, LARGE_BANDS), visibility=Visibility.TERRITORY,
            steps=_decision_steps(rng, Status.ACCEPTED, filed, decided, today=today),
            title=rng.choice(call.titles),
        )  # fmt: skip
        _draw_amounts(rng, spec)
        specs.append(spec)
    return specs


def _draw_amounts(rng, spec: Spec) -> None:
    call = spec.call
    if spec.project is not None and spec.project.investment_amount:
        spec.investment = spec.project.investment_amount
        aid = spec.investment * Decimal(rng.uniform(0.12, 0.3))  # the aid rate asked for
        spec.requested = min(max(_round(aid, 1000), K), Decimal(call.aid[1]) * K)
    else:
        spec.requested = Decimal(rng.randint(*call.aid)) * K
        spec.investment = _round(spec.requested * Decimal(rng.uniform(*call.leverage)), 10_000)
    if spec.final == Status.ACCEPTED:
        spec.granted = _round(spec.requested * Decimal(rng.uniform(0.75, 1.0)), 1000)
    spec.jobs = rng.choice([None, 3, 8, 12, 20, 35])


def _payments(rng, spec: Spec, today: dt.date) -> list[tuple[dt.date, Decimal, str]]:
    """An advance at the agreement, an instalment on the first statements, the balance when
    the project is done (sometimes a little under the aid: fewer expenses than planned)."""
    decided, granted = spec.decided, spec.granted
    advance = _round(granted * Decimal("0.3"), 1)
    instalment = _round(granted * Decimal("0.4"), 1)
    balance = granted - advance - instalment
    if rng.random() < 0.3:
        balance = _round(balance * Decimal(rng.uniform(0.8, 0.97)), 1)
    plan = [
        (_days(decided, rng.randint(20, 60)), advance, "Avance à la signature de la convention"),
        (_days(decided, rng.randint(240, 420)), instalment, "Acompte sur justificatifs"),
        (_days(decided, rng.randint(600, 900)), balance, "Solde"),
    ]
    return [(_past(day), amount, label) for day, amount, label in plan if day <= today]


def _times(rng, spec: Spec, today: dt.date) -> list[tuple[dt.date, int, str]]:
    start = _days(spec.filed or today, -rng.randint(20, 60))
    end = min(spec.decided or today, today)
    span = max((end - start).days, 1)
    days = sorted(_past(_days(start, rng.randint(0, span))) for _ in range(rng.randint(2, 4)))
    return [(min(d, today), rng.choice([30, 45, 60, 90, 120, 180]), rng.choice(TIME_SPENT))
            for d in days]  # fmt: skip


def _number(spec: Spec) -> int:
    """The Démarches simplifiées number: increasing with the filing, stable from run to run."""
    return (2_418_503 if spec.historic else 6_120_077) + spec.order * 13_577


def _reference(spec: Spec, today: dt.date) -> str:
    return f"FR-{(spec.filed or today).year}-DS-{_number(spec):07d}"


def _create(spec: Spec, manager, schemes, rng, today: dt.date) -> int:
    """The team's applications step by step (filing, instruction, decision, the aid granted,
    payments, time spent); the others as the team learns them — from the published list of
    laureates or from the EPCI — in their final status, with that one history line."""
    scheme = schemes.get(spec.call.scheme)
    fields = {
        "reference": _reference(spec, today), "title": spec.title, "scheme": scheme,
        "funder": "" if scheme else spec.call.label, "project": spec.project,
        "supported": spec.supported, "filed_on": spec.filed, "closes_on": spec.closes_on,
        "documents_due_on": spec.documents_due_on, "amount_requested": spec.requested,
        "investment": spec.investment, "jobs": spec.jobs, "comment": spec.comment,
    }  # fmt: skip
    if not spec.supported:
        final, decided, reason = spec.steps[-1]
        if final == Status.ACCEPTED:
            reason = f"Lauréat de la liste officielle publiée le {decided:%d/%m/%Y}"
        else:
            reason = f"Signalé par l'EPCI — {reason[0].lower()}{reason[1:]}"
        services.application_create(
            acting_user=manager, establishment=spec.establishment, status=final,
            visibility=spec.visibility, reason=reason, decided_on=decided,
            amount_granted=spec.granted, **fields,
        )  # fmt: skip
        return 2
    application = services.application_create(
        acting_user=manager, establishment=spec.establishment, status=spec.status,
        visibility=spec.visibility,
        reason="Dossier déposé sur Démarches simplifiées" if spec.filed
        else "Dossier en préparation avec l'entreprise", **fields,
    )  # fmt: skip
    created = 2  # the application and its first history line
    for status, day, reason in spec.steps:
        services.application_set_status(acting_user=manager, application=application,
                                        status=status, effective_on=day, reason=reason)  # fmt: skip
        created += 1
    if spec.final == Status.ACCEPTED:
        services.application_update(acting_user=manager, application=application,
                                    amount_granted=spec.granted)  # fmt: skip
        for day, amount, label in _payments(rng, spec, today):
            services.payment_add(acting_user=manager, application=application, paid_on=day,
                                 amount=amount, label=label)  # fmt: skip
            created += 1
    for day, minutes, description in _times(rng, spec, today):
        services.support_time_add(acting_user=manager, application=application, spent_on=day,
                                  minutes=minutes, description=description)  # fmt: skip
        created += 1
    return created


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    manager, _agents = _team(territory)
    if manager is None:
        out.write("Dossiers : pas de chef de projet TI de démonstration, rien à créer.")
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    picker = _Picker(territory, rng)
    if not picker.pool:
        out.write("Dossiers : aucun établissement industriel dans le territoire, rien à créer.")
        return 0
    historic = _bilan_specs(rng, picker, today)
    pipeline = _pipeline_specs(rng, picker, manager, today)
    for specs in (historic, pipeline):
        specs.sort(key=lambda s: (s.filed or today, s.supported))
        for n, spec in enumerate(specs):
            spec.order = n
    existing = {
        ref.rsplit("-DS-", 1)[-1]
        for ref in Application.objects.filter(reference__contains="-DS-").values_list(
            "reference", flat=True
        )
    }
    titles = {c.scheme for c in CALLS.values() if c.scheme}
    schemes = {s.title: s for s in AidScheme.objects.filter(title__in=titles)}
    created = written = 0
    for spec in historic + pipeline:
        if f"{_number(spec):07d}" in existing:
            continue
        created += _create(spec, manager, schemes, rng, today)
        written += 1
    if written:
        out.write(f"Dossiers de candidature de démonstration : {written} créés.")
    return created
