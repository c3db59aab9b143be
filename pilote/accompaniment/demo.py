"""Demo accompaniment, in the proportions of the roadmap's « bilan » (2021-2022): more than 200
contacts leading to 43 accompanied industrial companies, mostly PMEs of 30 to 200 people
(headcount bands 12, 21, 22), over the last two years — with their meetings on the interview
guide, needs, projects, TE/IDF diagnostics, referrals and follow-up actions, and a few
exchanges planned next week (for the weekly digest).

Everything is written through the services (permissions, audit) and seeded. It runs only on a
territory without any interaction, so a second run creates nothing and real data is never
mixed with demo meetings. Needs the demo establishments (companies) and accounts (accounts).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import (
    ActionStatus,
    DiagnosticKind,
    DiagnosticStatus,
    Horizon,
    InteractionKind,
    Level,
    Maturity,
    Partner,
    ProjectKind,
    QuestionType,
    ReferralOutcome,
    Theme,
    Urgency,
)
from pilote.accompaniment.models import Answer, Interaction
from pilote.accompaniment.services.interactions import _typed_value
from pilote.accounts.enums import Role
from pilote.accounts.models import Membership
from pilote.companies.models import Establishment
from pilote.core import audit
from pilote.core.enums import Visibility
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

SEED = 20210101
ACCOMPANIED = 43  # « 43 entreprises industrielles ont fait l'objet d'un accompagnement »
CORE_SHARE = 36  # of them PMEs of 30 to 200 people: « dans la majorité des cas »
CORE_BANDS = ("12", "21", "22")  # 20-49, 50-99, 100-199 salariés
OTHER_BANDS = ("11", "31", "32")
ONE_OFF_CONTACTS = 40  # phone calls and emails that went no further
REINFORCED = 14  # « support au montage de dossiers » (accompagnement renforcé)
PLANNED_NEXT_WEEK = 6
# Their times, spread over the working day.
PLANNED_TIMES = [(9, 30), (14, 0), (11, 0), (16, 30), (8, 45), (15, 15)]
CURRENT_ACTIONS = 18  # companies whose next step is due around this week
DAYS_BACK = 730
# An action still open is at most this late: older ones were done (a team does not leave a
# promised call hanging for months).
MAX_DAYS_LATE = 35

# --- What the companies of the Hainaut-Douaisis-Cambrésis say, by filière -----------------


@dataclass(frozen=True)
class Filiere:
    name: str
    projects: list[tuple[str, str, str, int, int]]  # kind, title, description, k€ min/max
    needs: list[tuple[str, str]]  # theme, description


FILIERES = {
    "automobile": Filiere(
        "automobile",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Ligne d'emboutissage pour pièces de véhicules électriques",
                "Presse 800 t et outillages pour les carters de batterie.",
                900,
                4200,
            ),
            (
                ProjectKind.INNOVATION,
                "Qualification d'une pièce en aluminium recyclé",
                "Essais avec un constructeur, passage en série visé.",
                150,
                600,
            ),
            (
                ProjectKind.RECRUITMENT_TRAINING,
                "Plan de formation aux métiers de l'électrification",
                "Habilitations électriques et montée en compétences de 40 opérateurs.",
                60,
                180,
            ),
        ],
        [
            (
                Theme.PRODUCTION,
                "Baisse des volumes thermiques : diversification à trouver hors automobile.",
            ),
            (
                Theme.EMPLOYMENT,
                "Difficultés à recruter des régleurs de presse et des techniciens de maintenance.",
            ),
        ],
    ),
    "ferroviaire": Filiere(
        "ferroviaire",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Extension de l'atelier de câblage ferroviaire",
                "Nouveau bâtiment de 2 000 m² pour suivre les commandes de rames.",
                1200,
                3500,
            ),
            (
                ProjectKind.EXPORT,
                "Homologation IRIS et prospection en Europe centrale",
                "Certification qualité ferroviaire exigée par les donneurs d'ordre.",
                80,
                250,
            ),
            (
                ProjectKind.INNOVATION,
                "Maintenance prédictive des bogies",
                "Capteurs embarqués et traitement des données avec un laboratoire.",
                200,
                700,
            ),
        ],
        [
            (Theme.EMPLOYMENT, "Pénurie de soudeurs qualifiés EN 15085 et de câbleurs."),
            (
                Theme.PRODUCTION,
                "Charge de travail très variable selon les appels d'offres des constructeurs.",
            ),
        ],
    ),
    "metallurgie": Filiere(
        "métallurgie",
        [
            (
                ProjectKind.DECARBONISATION,
                "Remplacement du four de traitement thermique au gaz par un four électrique",
                "Baisse attendue de 60 % des émissions du site.",
                700,
                2500,
            ),
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Robotisation de la cellule de soudage",
                "Deux robots de soudage et un poste de parachèvement.",
                250,
                900,
            ),
            (
                ProjectKind.DECARBONISATION,
                "Récupération de la chaleur fatale des fours",
                "Réseau de chaleur interne pour chauffer les ateliers.",
                300,
                1200,
            ),
        ],
        [
            (
                Theme.ECOLOGICAL_TRANSITION,
                "Facture d'énergie multipliée par trois depuis 2022 : "
                "contrats à renégocier et consommation à réduire.",
            ),
            (Theme.EMPLOYMENT, "Départs en retraite de chaudronniers expérimentés sans relève."),
        ],
    ),
    "agroalimentaire": Filiere(
        "agroalimentaire",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Nouvelle ligne de conditionnement",
                "Ensacheuse et palettiseur pour la grande distribution.",
                400,
                1500,
            ),
            (
                ProjectKind.DECARBONISATION,
                "Pompe à chaleur sur les groupes froids",
                "Récupération de chaleur des chambres froides pour l'eau de lavage.",
                200,
                800,
            ),
            (
                ProjectKind.REAL_ESTATE,
                "Agrandissement de l'entrepôt frigorifique",
                "Recherche d'un terrain de 2 ha en zone d'activité.",
                1500,
                5000,
            ),
        ],
        [
            (
                Theme.ECOLOGICAL_TRANSITION,
                "Consommation d'eau élevée : étude de réutilisation des eaux de process.",
            ),
            (Theme.EMPLOYMENT, "Turn-over important sur les postes de conditionnement en équipe."),
        ],
    ),
    "verre": Filiere(
        "verre",
        [
            (
                ProjectKind.DECARBONISATION,
                "Four hybride électrique pour la fusion du verre",
                "Réduction de moitié de la consommation de gaz du four.",
                2000,
                9000,
            ),
            (
                ProjectKind.INNOVATION,
                "Intégration de calcin recyclé à 60 %",
                "Tri optique du calcin et essais de fusion.",
                300,
                900,
            ),
        ],
        [
            (
                Theme.ECOLOGICAL_TRANSITION,
                "Quotas carbone et prix du gaz : modèle économique du "
                "four à revoir avant sa réfection.",
            ),
            (Theme.INDUSTRY_OF_THE_FUTURE, "Contrôle qualité encore manuel en bout de ligne."),
        ],
    ),
    "plasturgie": Filiere(
        "plasturgie",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Deux presses à injecter électriques",
                "Remplacement de presses hydrauliques de 25 ans.",
                300,
                900,
            ),
            (
                ProjectKind.INNOVATION,
                "Pièces en matière biosourcée",
                "Développement avec un centre technique de la plasturgie.",
                100,
                400,
            ),
        ],
        [
            (Theme.ECOLOGICAL_TRANSITION, "Obligations de la loi AGEC sur la matière recyclée."),
            (Theme.EXPORT, "Clients belges demandeurs, mais pas de commercial export."),
        ],
    ),
    "textile": Filiere(
        "textile",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Métier à tisser jacquard numérique",
                "Montée en gamme sur les textiles techniques.",
                250,
                800,
            ),
            (
                ProjectKind.TRANSFER,
                "Reprise de l'entreprise par son directeur technique",
                "Le dirigeant part en retraite dans deux ans.",
                500,
                1500,
            ),
        ],
        [
            (Theme.OTHER, "Transmission de l'entreprise à préparer : dirigeant de 63 ans."),
            (Theme.EMPLOYMENT, "Savoir-faire de tisserand difficile à transmettre."),
        ],
    ),
    "mecanique": Filiere(
        "mécanique",
        [
            (
                ProjectKind.PRODUCTIVE_INVESTMENT,
                "Centre d'usinage 5 axes",
                "Pour fabriquer en interne des pièces aujourd'hui sous-traitées.",
                350,
                1100,
            ),
            (
                ProjectKind.INNOVATION,
                "Jumeau numérique de l'atelier",
                "Simulation des flux avant réimplantation de l'atelier.",
                80,
                300,
            ),
            (
                ProjectKind.EXPORT,
                "Salon Hannover Messe et prospection en Allemagne",
                "Premier stand collectif avec la Team France Export.",
                20,
                60,
            ),
        ],
        [
            (
                Theme.INDUSTRY_OF_THE_FUTURE,
                "Planning de production tenu sur tableur : ERP à choisir.",
            ),
            (Theme.EMPLOYMENT, "Recrutement d'usineurs et de programmeurs CN très difficile."),
        ],
    ),
}
GENERAL_NEEDS = [
    (Theme.OTHER, "Trésorerie tendue : délai de paiement des grands donneurs d'ordre."),
    (Theme.INNOVATION, "Pas de temps ni de ressource interne pour la veille sur les aides."),
    (Theme.PRODUCTION, "Bâtiment trop petit : recherche de foncier sur la zone d'activité."),
    (Theme.INDUSTRY_OF_THE_FUTURE, "Cybersécurité de l'atelier jamais évaluée."),
    (Theme.EXPORT, "Besoin d'aide pour répondre à un premier appel d'offres à l'étranger."),
    (Theme.EMPLOYMENT, "Besoin de former les chefs d'équipe au management."),
]  # fmt: skip

REFERRALS = [
    (Partner.BPIFRANCE, "", "Prêt industrie du futur pour financer le projet d'investissement."),
    (Partner.BPIFRANCE, "", "Candidature à l'appel à projets France 2030 « Industrie verte »."),
    (Partner.EEN, "", "Recherche de partenaires industriels en Belgique et aux Pays-Bas."),
    (Partner.HDFID, "", "Avance remboursable pour le programme de R&D."),
    (Partner.REGION, "", "Aide régionale à l'investissement des PME industrielles."),
    (Partner.INITIATIVE_PLATFORM, "", "Prêt d'honneur pour la reprise de l'entreprise."),
    (Partner.FRANCE_TRAVAIL, "", "Préparation opérationnelle à l'emploi pour 8 soudeurs."),
    (Partner.CCI, "", "Accompagnement à l'export par la Team France Export."),
    (Partner.LOCAL_SUPPLIER, "Chaudronnerie Dhaussy", "Sous-traitance de pièces chaudronnées."),
    (Partner.LOCAL_SUPPLIER, "Lenglet Automatismes", "Intégrateur robotique du territoire."),
    (Partner.OTHER, "Pôle i-Trans", "Adhésion au pôle de compétitivité ferroviaire."),
    (Partner.OTHER, "CD2E", "Accompagnement à l'écoconception."),
]  # fmt: skip

ACTIONS = [
    "Envoyer la fiche du dispositif et le calendrier de l'appel à projets",
    "Transmettre les coordonnées du chargé d'affaires Bpifrance",
    "Relire le plan de financement avant dépôt",
    "Relancer le dirigeant sur les devis fournisseurs",
    "Organiser la visite avec l'opérateur du diagnostic",
    "Vérifier l'éligibilité au fonds vert / ZIBAC",
    "Préparer la lettre de soutien de l'agglomération",
    "Faire un point sur l'avancement du dossier",
    "Proposer une date de restitution du diagnostic",
    "Mettre en relation avec le service foncier de l'agglomération",
    "Inviter l'entreprise à l'atelier « transition énergétique »",
    "Transmettre la liste des organismes de formation du territoire",
]
OPERATORS = {
    DiagnosticKind.ECOLOGICAL_TRANSITION: ["CCI Hauts-de-France", "ADEME", "CD2E"],
    DiagnosticKind.INDUSTRY_OF_THE_FUTURE: ["CETIM", "CCI Hauts-de-France", "HDFID"],
}
COMPANY_SUMMARY = (
    "Merci pour votre accueil et la visite du site. Nous avons noté votre projet "
    "« {project} » et les besoins dont vous nous avez fait part ; vous trouverez ci-dessous "
    "les suites que nous avons convenues ensemble."
)
SUMMARIES = [
    "Visite de l'atelier avec le dirigeant. Carnet de commandes solide, mais {need}",
    "Rencontre avec le dirigeant et le responsable de production. Projet principal : "
    "« {project} ».",
    "Point d'étape sur le projet « {project} » : devis reçus, plan de financement en cours.",
    "Échange téléphonique : l'entreprise confirme son intérêt, documents à transmettre.",
    "Présentation des dispositifs mobilisables ; le dirigeant souhaite être accompagné.",
]


def working_day(day: dt.date, *, forward: bool = False) -> dt.date:
    """`day`, or the Friday before it (the Monday after it, `forward`) if it is a weekend."""
    if day.weekday() < 5:
        return day
    if forward:
        return day + dt.timedelta(days=7 - day.weekday())
    return day - dt.timedelta(days=day.weekday() - 4)


def _filiere(naf: str) -> Filiere:
    prefix = naf[:2]
    if prefix == "29":
        return FILIERES["automobile"]
    if naf.startswith("30.2") or naf.startswith("33.17"):
        return FILIERES["ferroviaire"]
    if prefix in {"24", "25"}:
        return FILIERES["metallurgie"]
    if prefix in {"10", "11"}:
        return FILIERES["agroalimentaire"]
    if naf.startswith("23.1"):
        return FILIERES["verre"]
    if prefix in {"22", "20"}:
        return FILIERES["plasturgie"]
    if prefix in {"13", "14"}:
        return FILIERES["textile"]
    return FILIERES["mecanique"]


def _team(territory):
    members = Membership.objects.active().filter(territory=territory).select_related("user")
    manager = next((m.user for m in members if m.role == Role.TI_MANAGER), None)
    agents = {
        m.organisation.epci_id: m.user
        for m in members.filter(role=Role.EPCI_AGENT).select_related("organisation")
    }
    return manager, agents


def _pick(territory, rng: random.Random):
    """43 industrial establishments (36 of 30-200 people), and the one-off contacts."""
    base = (
        Establishment.objects.in_territory(territory)
        .active()
        .filter(naf_section="C", interactions__isnull=True)
        # Not the prospecting demo's visits: a past meeting would mark them « rencontré »
        # before the visit planned this week or next.
        .exclude(campaign_targets__planned_at__isnull=False)
        .select_related("company", "epci")
        .order_by("siret")
    )
    core = list(base.filter(headcount_band__in=CORE_BANDS))
    others = list(base.filter(headcount_band__in=OTHER_BANDS))
    rng.shuffle(core)
    rng.shuffle(others)
    accompanied = core[:CORE_SHARE] + others[: ACCOMPANIED - CORE_SHARE]
    if len(accompanied) < ACCOMPANIED:
        accompanied += core[CORE_SHARE : CORE_SHARE + ACCOMPANIED - len(accompanied)]
    taken = {e.pk for e in accompanied}
    rest = [e for e in core[CORE_SHARE:] + others if e.pk not in taken]
    return accompanied, rest[:ONE_OFF_CONTACTS]


class _Loader:
    def __init__(self, territory, manager, agents, rng, today):
        self.territory, self.manager, self.agents = territory, manager, agents
        self.rng, self.today = rng, today
        self.guide = services.guide_install_default(acting_user=None, territory=territory)
        self.questions = {q.key: q for q in self.guide.current_version.questions.all()}
        self.created = 0

    def _author(self, establishment):
        agent = self.agents.get(establishment.epci_id)
        return agent if agent is not None and self.rng.random() < 0.4 else self.manager

    def _participants(self, establishment):
        agent = self.agents.get(establishment.epci_id)
        if agent is not None and self.rng.random() < 0.6:
            return [self.manager, agent]
        return [self.manager]

    def interaction(self, establishment, *, author, kind, day, summary, guide=False, **extra):
        self.created += 1
        day = working_day(day, forward=day > self.today)
        return services.interaction_create(
            acting_user=author, establishment=establishment, kind=kind, occurred_on=day,
            participants=self._participants(establishment), summary=summary,
            time_spent_minutes=self.rng.choice([30, 60, 90, 120, 180, 240]),
            guide=self.guide if guide else None, **extra,
        )  # fmt: skip

    def answers(self, interaction, author, establishment, filiere, project_kind):
        rng = self.rng
        headcount = {"11": 15, "12": 35, "21": 70, "22": 140, "31": 230, "32": 380}
        values = {
            "effectif": headcount.get(establishment.headcount_band, 40) + rng.randint(-8, 12),
            "recrutements_prevus": rng.random() < 0.7,
            "metiers_en_tension": rng.sample(self.questions["metiers_en_tension"].choices[:7], 2),
            "projet_investissement": True,
            "taux_utilisation": rng.choice(self.questions["taux_utilisation"].choices[1:]),
            "activite_rd": rng.choice(self.questions["activite_rd"].choices),
            "part_export": rng.choice([0, 5, 12, 25, 40]),
            "projet_export": rng.random() < 0.4,
            "bilan_carbone": rng.random() < 0.3,
            "facture_energie": rng.randrange(80, 2500) * 1000,
            "leviers_te": rng.sample(self.questions["leviers_te"].choices, 2),
            "interet_diagnostic_te": project_kind == ProjectKind.DECARBONISATION
            or rng.random() < 0.4,
            "maturite_numerique": rng.choice(self.questions["maturite_numerique"].choices),
            "technologies_idf": rng.sample(self.questions["technologies_idf"].choices, 2),
            "interet_diagnostic_idf": rng.random() < 0.5,
        }
        if values["projet_export"]:
            values["zones_export"] = rng.choice(
                ["Belgique et Pays-Bas", "Allemagne", "Europe centrale", "Maghreb"]
            )
        # Bulk, with one audit event per meeting: 15 answers × 43 meetings through
        # `answer_save` would double the demo's time. Values are checked by the service's own
        # typing (`_typed_value`), visibility and authorship are the meeting's, as it does.
        answers = []
        for key, value in values.items():
            question = self.questions.get(key)
            if question is None:
                continue
            if question.type == QuestionType.SINGLE_CHOICE and value not in question.choices:
                continue
            answers.append(
                Answer(
                    interaction=interaction, question=question, epci_id=interaction.epci_id,
                    visibility=interaction.visibility, author=author,
                    author_organisation_id=interaction.author_organisation_id,
                    **_typed_value(question, value),
                )
            )  # fmt: skip
        Answer.objects.bulk_create(answers)
        audit.record(
            actor=author, action="answer.demo_bulk_create", obj=interaction,
            extra={"answers": len(answers), "questions": [a.question.key for a in answers]},
        )  # fmt: skip
        self.created += len(answers)

    def company(self, establishment, n: int):
        rng, today = self.rng, self.today
        filiere = _filiere(establishment.naf_code)
        author = self._author(establishment)
        project_spec = rng.choice(filiere.projects)
        need_spec = rng.choice(filiere.needs)
        first_day = today - dt.timedelta(days=rng.randint(60, DAYS_BACK - 30))
        visibility = rng.choices(
            [Visibility.EPCI, Visibility.TERRITORY, Visibility.PARTNERS], [7, 2, 1]
        )[0]
        if rng.random() < 0.5:  # a first phone call to book the meeting
            self.interaction(
                establishment, author=author, kind=InteractionKind.PHONE,
                day=first_day - dt.timedelta(days=rng.randint(7, 30)),
                summary="Prise de contact téléphonique, rendez-vous fixé sur site.",
            )  # fmt: skip
        meeting = self.interaction(
            establishment, author=author, kind=InteractionKind.SITE_VISIT, day=first_day,
            guide=True, visibility=visibility,
            summary=rng.choice(SUMMARIES[:2]).format(
                need=need_spec[1][0].lower() + need_spec[1][1:], project=project_spec[1]
            ),
            company_summary=COMPANY_SUMMARY.format(project=project_spec[1]),
        )  # fmt: skip
        self.answers(meeting, author, establishment, filiere, project_spec[0])
        record = {"acting_user": author, "establishment": establishment, "interaction": meeting}
        for theme, description in [need_spec, *rng.sample(GENERAL_NEEDS, rng.randint(0, 1))]:
            services.need_create(
                theme=theme, description=description,
                urgency=rng.choice([Urgency.LOW, Urgency.MEDIUM, Urgency.MEDIUM, Urgency.HIGH]),
                **record,
            )  # fmt: skip
            self.created += 1
        projects = [project_spec]
        if rng.random() < 0.35:
            projects.append(rng.choice([p for p in filiere.projects if p is not project_spec]
                                       or filiere.projects))  # fmt: skip
        for kind, title, description, low, high in projects:
            amount = Decimal(rng.randrange(low, high + 1)) * 1000
            services.project_create(
                kind=kind, title=title, description=description,
                investment_amount=amount + Decimal(rng.choice([0, 0, 250, 500])),
                jobs_created=rng.choice([None, 0, 2, 3, 5, 8, 12, 15]),
                jobs_kept=rng.choice([None, 10, 25, 40, 60, 90]),
                horizon=rng.choice(Horizon.values),
                maturity=rng.choice([Maturity.IDEA, Maturity.STUDY, Maturity.FINANCING,
                                     Maturity.READY, Maturity.UNDERWAY, Maturity.DONE]),
                visibility=Visibility.PARTNERS if rng.random() < 0.2 else None,
                **record,
            )  # fmt: skip
            self.created += 1
        if n % 3 != 2:  # about two companies in three are offered a diagnostic
            self.diagnostic(record, first_day, project_spec[0])
        for _ in range(rng.choice([0, 1, 1, 2])):
            partner, name, subject = rng.choice(REFERRALS)
            services.referral_create(
                partner=partner, partner_name=name, subject=subject,
                referred_on=min(first_day + dt.timedelta(days=rng.randint(0, 20)), today),
                outcome=rng.choice(ReferralOutcome.values), **record,
            )  # fmt: skip
            self.created += 1
        day = first_day
        for _ in range(rng.randint(2, 4)):  # follow-up exchanges
            day += dt.timedelta(days=rng.randint(15, 90))
            if day >= today:
                break
            self.interaction(
                establishment, author=author,
                kind=rng.choice([InteractionKind.PHONE, InteractionKind.MEETING,
                                 InteractionKind.VIDEO, InteractionKind.EMAIL,
                                 InteractionKind.OFFICE_HOURS]),
                day=day, visibility=visibility,
                summary=rng.choice(SUMMARIES[2:]).format(project=project_spec[1]),
            )  # fmt: skip
        titles = rng.sample(ACTIONS, rng.randint(2, 4))
        for title in titles[:-1]:
            self.action(record, title, first_day + dt.timedelta(days=rng.randint(10, 75)))
        if n < CURRENT_ACTIONS:  # the next step, due around this week (« mes actions », digest)
            self.action(record, titles[-1], today + dt.timedelta(days=rng.randint(-8, 12)))
        if n < REINFORCED:
            services.level_set(
                acting_user=author, establishment=establishment, level=Level.REINFORCED,
                changed_on=min(first_day + dt.timedelta(days=rng.randint(20, 60)), today),
                note=f"Montage du dossier « {project_spec[1]} »", interaction=meeting,
            )  # fmt: skip
            self.created += 1
        if n < PLANNED_NEXT_WEEK:  # a point planned next week (for the weekly digest)
            self.interaction(
                establishment, author=author, kind=InteractionKind.PHONE,
                day=today + dt.timedelta(days=1 + n), visibility=visibility,
                start_time=dt.time(*PLANNED_TIMES[n % len(PLANNED_TIMES)]),
                summary=f"Point d'étape prévu sur « {project_spec[1]} ».",
            )  # fmt: skip

    def diagnostic(self, record, first_day, project_kind):
        rng, today = self.rng, self.today
        kind = (
            DiagnosticKind.ECOLOGICAL_TRANSITION
            if project_kind == ProjectKind.DECARBONISATION or rng.random() < 0.5
            else DiagnosticKind.INDUSTRY_OF_THE_FUTURE
        )
        status = rng.choice([DiagnosticStatus.DONE, DiagnosticStatus.DONE,
                             DiagnosticStatus.ACCEPTED, DiagnosticStatus.OFFERED,
                             DiagnosticStatus.DECLINED])  # fmt: skip
        accepted = min(first_day + dt.timedelta(days=rng.randint(5, 30)), today)
        done = min(accepted + dt.timedelta(days=rng.randint(20, 90)), today)
        services.diagnostic_create(
            kind=kind, status=status, offered_on=first_day, operator=rng.choice(OPERATORS[kind]),
            accepted_on=accepted if status in {DiagnosticStatus.ACCEPTED, DiagnosticStatus.DONE}
            else None,
            done_on=done if status == DiagnosticStatus.DONE else None,
            report_on=min(done + dt.timedelta(days=15), today)
            if status == DiagnosticStatus.DONE else None,
            note="Restitution prévue avec le dirigeant et l'EPCI."
            if status != DiagnosticStatus.DECLINED else "Pas disponible avant la fin d'année.",
            **record,
        )  # fmt: skip
        self.created += 1

    def action(self, record, title, due):
        rng, today = self.rng, self.today
        due = working_day(due, forward=True)
        owner = rng.choice([self.manager, self.agents.get(record["establishment"].epci_id)])
        action = services.action_create(
            title=title, due_date=due, owner=owner or self.manager,
            status=ActionStatus.TODO, **record,
        )  # fmt: skip
        self.created += 1
        if due < today - dt.timedelta(days=MAX_DAYS_LATE) or (
            due < today - dt.timedelta(days=10) and rng.random() < 0.85
        ):
            services.action_update(
                acting_user=record["acting_user"], action=action, status=ActionStatus.DONE,
                done_on=due - dt.timedelta(days=rng.randint(0, 7)),
            )  # fmt: skip
        elif due < today and rng.random() < 0.5:
            services.action_update(
                acting_user=record["acting_user"], action=action, status=ActionStatus.IN_PROGRESS
            )

    def one_off(self, establishment):
        rng = self.rng
        self.interaction(
            establishment, author=self._author(establishment),
            kind=rng.choice([InteractionKind.PHONE, InteractionKind.PHONE, InteractionKind.EMAIL]),
            day=self.today - dt.timedelta(days=rng.randint(1, DAYS_BACK)),
            summary=rng.choice([
                "Présentation du programme Territoires d'industrie ; pas de projet à court terme.",
                "Envoi de la lettre d'information et du calendrier des appels à projets.",
                "Le dirigeant ne souhaite pas de rendez-vous pour l'instant ; à recontacter.",
                "Question sur les aides au recrutement : renvoyé vers France Travail.",
            ]),
        )  # fmt: skip


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    manager, agents = _team(territory)
    if manager is None:
        out.write("Accompagnement : pas de chef de projet TI de démonstration, rien à créer.")
        return 0
    if Interaction.objects.in_territory(territory).exists():
        return 0  # already loaded (or real data): never add demo meetings on top
    rng = random.Random(SEED)
    accompanied, contacts = _pick(territory, rng)
    if not accompanied:
        out.write(
            "Accompagnement : aucun établissement industriel dans le territoire (import SIRENE "
            "de démonstration absent) : pas d'échange de démonstration."
        )
        return 0
    loader = _Loader(territory, manager, agents, rng, timezone.localdate())
    for n, establishment in enumerate(accompanied):
        loader.company(establishment, n)
    for establishment in contacts:
        loader.one_off(establishment)
    return loader.created
