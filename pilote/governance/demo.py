"""The demo's governance of Hainaut-Douaisis-Cambrésis (docs/governance.md#demo): the five
bodies of the roadmap with their members, two years of meetings (2025, 2026, and the next
ones planned into 2027) with their agendas, attendance, outcomes and minutes. Idempotent: a
body is made once (with its members), a meeting once (by body, title and day).

Meetings dated before today are held (one technical meeting of 2025 cancelled and moved),
the others planned; the COTECH meets only once in 2026, so the cadence shows it missing one.
Of the held meetings' minutes, the oldest are locked (the first COPIL's with an addendum),
the latest one is circulated for comments (with one), the one before it is a draft. Actions
belong to the TI manager and to the Valenciennes agent; the old ones are done, a few recent
ones overdue. Agenda items point to the demo's projects, applications, calls and indicators
when they exist. Everything is written through the services, as the system (no e-mail:
the minutes are circulated before anyone is invited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from pilote.accounts.models import Organisation, User
from pilote.core.enums import Visibility
from pilote.governance import minutes as minutes_services
from pilote.governance import services
from pilote.governance.enums import AttendanceStatus, BodyKind, MeetingStatus, OutcomeKind
from pilote.governance.models import Body, Meeting, Minutes
from pilote.territories.models import Territory

HDC_SLUG = "hainaut-douaisis-cambresis"
MANAGER = "cheffe.projet@pilote.demo"
AGENT = "agent.valenciennes@pilote.demo"  # the agent owning actions (CAVM)
PARTNER = "partenaire.etat@pilote.demo"  # comments the circulated minutes

COPIL = "Comité local de projet"
CONVENTION = "Comité de pilotage de la convention"
COTECH = "COTECH"
TECHNICAL = "Réunions techniques"
BILATERAL = "Points bilatéraux"

# name, kind, required per year (None: as needed), description, member organisations
BODIES = [
    (COPIL, BodyKind.STEERING, 1,
     "Le comité de pilotage du Territoire d'industrie : les binômes élus – industriels de "
     "chaque EPCI, l'État et la Région. Il fixe les orientations de la feuille de route.",
     ["CAVM", "CAPH", "CAMVS", "CAC", "CA2C", "CAD", "SP Valenciennes", "Région HdF"]),
    (CONVENTION, BodyKind.STEERING, 3,
     "Le comité de pilotage de la convention CCI – EPCI (« à minima 3 fois par an ») : "
     "budget, appels de fonds, programme de travail du chef de projet.",
     ["CCI GH", "CAVM", "CAPH", "CAMVS", "CAC", "CA2C", "CAD"]),
    (COTECH, BodyKind.TECHNICAL, 2,
     "Le comité technique : directeurs du développement économique des EPCI et "
     "sous-préfectures, animé par le chef de projet TI.",
     ["CCI GH", "CAVM", "CAPH", "CAMVS", "CAC", "CA2C", "CAD", "SP Valenciennes", "SP Douai",
      "SP Cambrai", "SP Avesnes"]),
    (TECHNICAL, BodyKind.TECHNICAL_MEETING, 4,
     "Chaque trimestre, l'équipe technique : suivi des projets, des dossiers et des "
     "indicateurs du programme.",
     ["CCI GH", "CAVM", "CAPH", "CAMVS", "CAC", "CA2C", "CAD"]),
    (BILATERAL, BodyKind.BILATERAL, None,
     "Selon les besoins, un point entre le chef de projet TI et un EPCI sur ses entreprises "
     "(confidentiel : lu par cet EPCI et les chefs de projet TI).",
     ["CCI GH"]),
]  # fmt: skip

# The elected – industrial pairs of the COPIL (fictitious people), by EPCI.
PAIRS = [
    ("CAVM", "Bernard Lecomte", "Anne-Sophie Parmentier", "fonderie"),
    ("CAPH", "Michel Dhainaut", "Olivier Caron", "ferroviaire"),
    ("CAMVS", "Christine Bourdon", "Patrick Lenglet", "métallurgie"),
    ("CAC", "Jean-Luc Mascaut", "Valérie Delcroix", "agroalimentaire"),
    ("CA2C", "Sylvie Demarcq", "Hervé Bricout", "textile technique"),
    ("CAD", "Frédéric Wallez", "Nathalie Coquelle", "logistique et automobile"),
]
DIRECTORS = [
    ("CAVM", "Stéphane Ledieu"), ("CAPH", "Aurélie Gosselin"), ("CAMVS", "Damien Fontaine"),
    ("CAC", "Hélène Vandenbussche"), ("CA2C", "Romain Delval"), ("CAD", "Céline Mortier"),
]  # fmt: skip
SUBPREFECTURES = [
    ("SP Valenciennes", "Sous-préfet de Valenciennes, référent Territoire d'industrie"),
    ("SP Douai", "Secrétaire générale de la sous-préfecture de Douai"),
    ("SP Cambrai", "Sous-préfet de Cambrai"),
    ("SP Avesnes", "Sous-préfète d'Avesnes-sur-Helpe"),
]


@dataclass
class Item:
    title: str
    link: str = ""  # "project", "application", "call" or an indicator code
    outcomes: list[tuple] = field(default_factory=list)  # (kind, text, owner, due in days, done)


@dataclass
class Plan:
    body: str
    day: dt.date
    title: str
    place: str = "CCI Grand Hainaut, Valenciennes"
    cancelled: bool = False
    epci: str = ""  # short name of the EPCI of a bilateral meeting
    items: list[Item] = field(default_factory=list)


D = dt.date
M, A = "manager", "agent"  # owners of actions
DEC, ACT, INFO = OutcomeKind.DECISION, OutcomeKind.ACTION, OutcomeKind.INFORMATION


def _info(text: str) -> tuple:
    return (INFO, text, None, 0, False)


def _dec(text: str) -> tuple:
    return (DEC, text, None, 0, False)


def _act(text: str, owner: str, due_in: int, done: bool) -> tuple:
    """An action for `owner`, due `due_in` days after the meeting (`done`: done by then)."""
    return (ACT, text, owner, due_in, done)


def _copil(year: int, day: dt.date) -> Plan:
    return Plan(
        COPIL,
        day,
        f"Comité local de projet {year}",
        "Hôtel de ville de Valenciennes",
        items=[
            Item(
                "Bilan de l'année du Territoire d'industrie",
                "projects",
                [
                    _info(f"Bilan {year - 1} : entreprises rencontrées, projets accompagnés."),
                ],
            ),
            Item(
                "Feuille de route : orientations",
                "",
                [
                    _dec(
                        f"La feuille de route {year} est adoptée, l'axe « compétences » renforcé."
                    ),
                    _act(
                        "Diffuser la feuille de route adoptée aux binômes et aux partenaires.",
                        M,
                        21,
                        True,
                    ),
                ],
            ),
            Item(
                "Appels à projets en cours",
                "call",
                [
                    _dec("Les EPCI relaient l'appel à projets auprès de leurs industriels."),
                ],
            ),
        ],
    )


def _convention(day: dt.date, n: int) -> Plan:
    year = day.year
    items = [
        Item(
            "Exécution du budget de la convention",
            "",
            [
                (
                    INFO,
                    "Point sur les dépenses réalisées et les participations reçues.",
                    None,
                    0,
                    False,
                ),
            ],
        ),
        Item(
            "Programme de travail du chef de projet",
            "filed",
            [
                _dec(f"Le programme de travail du {n}ᵉ trimestre est validé."),
                _act("Transmettre le tableau des dossiers déposés à chaque EPCI.", M, 30, True),
            ],
        ),
    ]
    if n == 2:
        items.append(
            Item(
                "Appels de fonds",
                "",
                [
                    _dec(f"Les appels de fonds {year} sont émis sur le budget prévisionnel."),
                    _act(
                        "Faire voter la participation au prochain conseil communautaire.",
                        A,
                        45,
                        False,
                    ),
                ],
            )
        )
    return Plan(CONVENTION, day, f"Comité de pilotage de la convention — {n}/{year}", items=items)


def _cotech(day: dt.date) -> Plan:
    return Plan(
        COTECH,
        day,
        f"COTECH — {day:%m/%Y}",
        "Sous-préfecture de Valenciennes",
        items=[
            Item(
                "Projets industriels en cours",
                "project",
                [
                    _info("Tour de table des projets d'investissement suivis par les EPCI."),
                    _act(
                        "Préparer une fiche foncier pour les projets d'extension signalés.",
                        A,
                        60,
                        False,
                    ),
                ],
            ),
            Item(
                "Indicateurs du programme",
                "projects_jobs_created",
                [
                    _dec("Les indicateurs d'emplois créés seront consolidés chaque trimestre."),
                ],
            ),
        ],
    )


def _technical(day: dt.date, cancelled: bool = False) -> Plan:
    return Plan(
        TECHNICAL,
        day,
        f"Réunion technique — {day:%m/%Y}",
        "Visioconférence",
        cancelled=cancelled,
        items=[]
        if cancelled
        else [
            Item(
                "Dossiers de financement",
                "application",
                [
                    _info("Revue des dossiers en instruction et des pièces manquantes."),
                    _act("Relancer les porteurs des dossiers incomplets.", M, 14, False),
                ],
            ),
            Item(
                "Indicateurs du trimestre",
                "needs",
                [
                    _dec("Le tableau de bord trimestriel est partagé avec les partenaires."),
                    _act("Mettre à jour les fiches des indicateurs du programme.", M, 90, False),
                ],
            ),
        ],
    )


def _bilateral(day: dt.date, epci: str, name: str) -> Plan:
    return Plan(
        BILATERAL,
        day,
        f"Point bilatéral — {name}",
        f"Siège de {name}",
        epci=epci,
        items=[
            Item(
                "Entreprises suivies par l'EPCI",
                "project",
                [
                    _info("Point sur les entreprises rencontrées depuis le dernier échange."),
                    _dec(
                        f"Une visite conjointe des deux sites prioritaires de {name} est organisée."
                    ),
                    _act(
                        "Proposer deux dates de visite conjointe.",
                        A if epci == "CAVM" else M,
                        20,
                        False,
                    ),
                ],
            ),
        ],
    )


PLANS = [
    _copil(2025, D(2025, 6, 26)),
    _copil(2026, D(2026, 6, 25)),
    _copil(2027, D(2027, 6, 24)),
    _convention(D(2025, 3, 13), 1),
    _convention(D(2025, 6, 12), 2),
    _convention(D(2025, 10, 16), 3),
    _convention(D(2026, 2, 12), 1),
    _convention(D(2026, 6, 11), 2),
    _convention(D(2026, 12, 17), 3),
    _convention(D(2027, 3, 11), 1),
    _cotech(D(2025, 4, 10)),
    _cotech(D(2025, 11, 13)),
    _cotech(D(2026, 5, 7)),  # the second COTECH of 2026 was never scheduled: missing
    _cotech(D(2027, 4, 8)),
    _technical(D(2025, 1, 21)),
    _technical(D(2025, 4, 22)),
    _technical(D(2025, 7, 8), cancelled=True),
    _technical(D(2025, 9, 9)),
    _technical(D(2025, 10, 7)),
    _technical(D(2026, 1, 20)),
    _technical(D(2026, 4, 21)),
    _technical(D(2026, 7, 7)),
    _technical(D(2026, 10, 6)),
    _technical(D(2027, 1, 19)),
    _bilateral(D(2025, 5, 20), "CAVM", "Valenciennes Métropole"),
    _bilateral(D(2025, 9, 23), "CAPH", "La Porte du Hainaut"),
    _bilateral(D(2026, 3, 17), "CAMVS", "Maubeuge Val de Sambre"),
    _bilateral(D(2026, 9, 29), "CAVM", "Valenciennes Métropole"),
    _bilateral(D(2026, 12, 15), "CAD", "Douaisis Agglo"),
]

# An action due more than this many days ago is done; later ones are still open (overdue
# once their date has passed).
DONE_AFTER = 90
HOURS = {COPIL: 17, CONVENTION: 10, COTECH: 14, TECHNICAL: 9, BILATERAL: 11}
LENGTH = {COPIL: 2, CONVENTION: 2, COTECH: 3, TECHNICAL: 2, BILATERAL: 1}  # hours
ADDENDUM = (
    "Addendum : la participation de la Région annoncée au point 3 est de 15 000 € et non "
    "de 12 000 €, comme l'a précisé la Région après la séance."
)
COMMENT = "Au point 2, préciser que l'État accompagnera aussi les projets de décarbonation."


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _orgs() -> dict[str, Organisation]:
    return {o.short_name or o.name: o for o in Organisation.objects.all()}


def _body(territory, position, spec, orgs, users) -> tuple[Body, int]:
    name, kind, required, description, members = spec
    body = Body.objects.filter(territory=territory, name=name).first()
    if body is not None:
        return body, 0
    body = services.body_create(
        acting_user=None, territory=territory, name=name, kind=kind, description=description,
        required_per_year=required, position=position,
        organisations=[orgs[m] for m in members if m in orgs],
    )  # fmt: skip
    created = 1
    rows = []
    if name == COPIL:
        for epci, elected, industrial, sector in PAIRS:
            rows.append({"name": elected, "role": "Vice-président(e) au développement économique",
                         "organisation": orgs.get(epci)})  # fmt: skip
            rows.append({"name": industrial, "role": f"Binôme industriel ({sector})"})
        rows.append({"name": "Jean-Marc Vasseur", "role": "Sous-préfet référent",
                     "organisation": orgs.get("SP Valenciennes")})  # fmt: skip
    if name in {COTECH, CONVENTION, TECHNICAL}:
        for epci, director in DIRECTORS:
            agent = users.get(f"agent_{epci}")
            if name == TECHNICAL and agent is not None:
                rows.append({"user": agent, "role": "Chargé(e) de mission développement "
                             "économique", "organisation": orgs.get(epci)})  # fmt: skip
            else:
                rows.append({"name": director, "role": "Directeur(rice) du développement "
                             "économique", "organisation": orgs.get(epci)})  # fmt: skip
    if name == COTECH:
        for short, role in SUBPREFECTURES:
            rows.append({"name": role.split(",")[0], "role": role, "organisation": orgs.get(short)})
    if users.get(M) is not None:
        rows.insert(0, {"user": users[M], "role": "Cheffe de projet Territoire d'industrie",
                        "organisation": orgs.get("CCI GH")})  # fmt: skip
    for position, row in enumerate(rows, start=1):
        services.member_add(acting_user=None, body=body, position=position, **row)
        created += 1
    return body, created


class _Links:
    """The demo's records an agenda item may point to, visible to the territory (projects and
    applications shared with the territory, of the meeting's EPCI for a bilateral one)."""

    def __init__(self, territory):
        from pilote.accompaniment.models import Project
        from pilote.aids.models import CallWindow
        from pilote.applications.models import Application

        shared = [Visibility.TERRITORY, Visibility.PARTNERS]
        epcis = territory.epcis.all()
        self.projects = list(
            Project.objects.filter(epci__in=epcis, visibility__in=shared).order_by("pk")[:40]
        )
        self.applications = list(
            Application.objects.filter(epci__in=epcis, visibility__in=shared).order_by("pk")[:40]
        )
        self.calls = list(CallWindow.objects.order_by("-closes_on", "pk")[:10])
        self.n = 0

    def pick(self, rows, epci=None):
        if epci is not None:
            rows = [r for r in rows if r.epci_id == epci.pk]
        if not rows:
            return None
        self.n += 1
        return rows[self.n % len(rows)]

    def of(self, link: str, epci) -> dict:
        from pilote.indicators.indicators import LABELS

        if link == "project":
            return {"project": self.pick(self.projects, epci)}
        if link == "application":
            return {"application": self.pick(self.applications, epci)}
        if link == "call":
            return {"call": self.pick(self.calls)}
        if link in LABELS:
            return {"indicator": link}
        return {}


def _meeting(plan: Plan, body: Body, epcis, users, links: _Links, today):
    """The planned meeting, its agenda and (once past) its outcomes: (meeting, created), the
    meeting None when it exists already."""
    starts_at = _at(plan.day, HOURS[plan.body])
    if Meeting.objects.filter(body=body, title=plan.title, starts_at=starts_at).exists():
        return None, 0
    past = plan.day < today
    status = (
        MeetingStatus.CANCELLED if plan.cancelled
        else MeetingStatus.HELD if past else MeetingStatus.PLANNED
    )  # fmt: skip
    epci = epcis.get(plan.epci)
    meeting = services.meeting_create(
        acting_user=None, body=body, title=plan.title, starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=LENGTH[plan.body]), place=plan.place,
        status=status, epci=epci,
        notes="Reportée au 9 septembre (congés d'été)." if plan.cancelled else "",
    )  # fmt: skip
    created = 1
    for item_plan in plan.items:
        item = services.agenda_item_create(
            acting_user=None, meeting=meeting, title=item_plan.title,
            presenter="Claire Delattre, cheffe de projet TI", duration_minutes=30,
            **links.of(item_plan.link, epci),
        )  # fmt: skip
        created += 1
        if not past:
            continue  # the outcomes of a meeting to come are not known yet
        for kind, text, owner, due_in, done in item_plan.outcomes:
            user = users.get(owner) if owner else None
            if kind == ACT and user is None:
                continue
            outcome = services.outcome_create(
                acting_user=None, item=item, kind=kind, text=text, owner=user,
                due_on=plan.day + dt.timedelta(days=due_in) if kind == ACT else None,
            )  # fmt: skip
            created += 1
            due = outcome.due_on
            # Old actions are done; recent ones open (overdue once their date passed).
            if kind == ACT and (
                done or (due is not None and due < today - dt.timedelta(days=DONE_AFTER))
            ):
                services.outcome_mark_done(
                    acting_user=None, outcome=outcome, done_on=min(due, today)
                )
    return meeting, created


def _attendance(meeting: Meeting, users) -> int:
    created = services.attendees_from_members(acting_user=None, meeting=meeting)
    if meeting.epci_id is not None:
        agent = next(
            (u for key, u in users.items()
             if key.startswith("agent_") and u.memberships.filter(
                 organisation__epci_id=meeting.epci_id).exists()),
            None,
        )  # fmt: skip
        name = agent.get_full_name() if agent else "Chargé(e) de mission de l'EPCI"
        services.attendee_add(
            acting_user=None, meeting=meeting, name=name,
            email=agent.email if agent else "", organisation_name=meeting.epci.name,
        )  # fmt: skip
        created += 1
    if meeting.status == MeetingStatus.HELD:
        for n, attendee in enumerate(meeting.attendees.order_by("pk")):
            status = AttendanceStatus.EXCUSED if n % 5 == 3 else AttendanceStatus.PRESENT
            services.attendance_mark(acting_user=None, attendee=attendee, status=status)
    return created


def _minutes_text(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at)
    lines = [f"# {meeting.title}", "", f"Réunion du {day:%d/%m/%Y}, {meeting.place}.", ""]
    for item in meeting.agenda_items.order_by("position"):
        lines += [f"## {item.position}. {item.title}", ""]
        for outcome in item.outcomes.order_by("pk"):
            lines.append(f"- **{outcome.get_kind_display()}** : {outcome.text}")
        lines.append("")
    return "\n".join(lines)


def _after(meeting: Meeting, days: int) -> dt.datetime:
    """`days` after the meeting at 10:00, never later than now."""
    day = timezone.localtime(meeting.starts_at).date() + dt.timedelta(days=days)
    return min(_at(day, 10), timezone.now())


def _backdate(minutes: Minutes, **stamps: dt.datetime) -> None:
    """The services stamp the demo's minutes with today; a demo of two years dates them
    after their meeting. A queryset update, past the lock guard: demo data only."""
    Minutes.objects.filter(pk=minutes.pk).update(**stamps)


def _record(meeting: Meeting, rank: int | None, first_year: int, users) -> int:
    """Attendance and minutes of a new meeting. `rank`: for a held one, 0 for the latest held
    (circulated, with a comment), 1 for the one before (a draft), more for the older ones
    (locked; the first COPIL's with an addendum). The minutes are circulated before anyone
    is invited, so that no e-mail is queued."""
    if meeting.status == MeetingStatus.CANCELLED:
        return 0
    created = 0
    minutes = None
    if rank is not None:
        minutes = minutes_services.minutes_save(
            acting_user=None, meeting=meeting, text=_minutes_text(meeting)
        )
        created += 1
        if rank != 1:
            minutes = minutes_services.minutes_circulate(
                acting_user=None, minutes=minutes, notify=False
            )
            _backdate(minutes, circulated_at=_after(meeting, 4))
    created += _attendance(meeting, users)
    if minutes is None or rank == 1:
        return created
    if rank == 0:
        commenter = users.get("partner") or users.get(M)
        if commenter is not None:
            minutes_services.minutes_comment(acting_user=commenter, minutes=minutes, text=COMMENT)
            created += 1
        return created
    minutes = minutes_services.minutes_approve(acting_user=None, minutes=minutes)
    minutes = minutes_services.minutes_lock(acting_user=None, minutes=minutes)
    _backdate(minutes, approved_at=_after(meeting, 25), locked_at=_after(meeting, 26))
    if meeting.body.name == COPIL and timezone.localtime(meeting.starts_at).year == first_year:
        minutes_services.addendum_add(acting_user=None, minutes=minutes, text=ADDENDUM)
        created += 1
    return created


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    today = timezone.localdate()
    orgs = _orgs()
    by_email = {u.email: u for u in User.objects.filter(email__endswith="@pilote.demo")}
    users = {M: by_email.get(MANAGER), A: by_email.get(AGENT), "partner": by_email.get(PARTNER)}
    for user in by_email.values():
        membership = user.memberships.select_related("organisation").first()
        if membership and membership.organisation.epci_id:
            users[f"agent_{membership.organisation.short_name}"] = user
    users = {k: v for k, v in users.items() if v is not None}
    epcis = {o.short_name: o.epci for o in orgs.values() if o.epci_id}
    created = 0
    bodies = {}
    for position, spec in enumerate(BODIES, start=1):
        bodies[spec[0]], n = _body(territory, position, spec, orgs, users)
        created += n
    links = _Links(territory)
    new = []
    for plan in sorted(PLANS, key=lambda p: p.day):
        meeting, n = _meeting(plan, bodies[plan.body], epcis, users, links, today)
        created += n
        if meeting is not None:
            new.append(meeting)
    held = [m for m in new if m.status == MeetingStatus.HELD]
    ranks = {m.pk: rank for rank, m in enumerate(reversed(held))}
    first_year = timezone.localtime(held[0].starts_at).year if held else 0
    for meeting in new:
        created += _record(meeting, ranks.get(meeting.pk), first_year, users)
    meetings = Meeting.objects.filter(body__territory=territory).count()
    out.write(f"Gouvernance : {len(bodies)} instances, {meetings} réunions.")
    return created
