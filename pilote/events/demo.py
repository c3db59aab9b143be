"""Demo events of Hainaut-Douaisis-Cambrésis: « une dizaine d'événements collectifs » in
2021–2022 (thematic workshops for the EPCIs, business clubs, factory visits) with their
registrations and attendance, a few since, and two to come (one open to registration).

Written through `pilote.events.services` by the demo TI manager (or the EPCI's agent for a
permanence); registrations by the team, without addresses (no email leaves), attached to
industrial establishments of the territory so that their timelines show the participations.
Keyed on (title, start): a second run creates nothing. Seeded."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from pilote.accompaniment.demo import _team
from pilote.companies.models import Establishment
from pilote.events import services
from pilote.events.enums import EventKind as K
from pilote.events.enums import EventStatus
from pilote.events.models import Event
from pilote.territories.models import Territory

HDC_SLUG = "hainaut-douaisis-cambresis"
SEED = 1305
FIRST = [
    "Camille",
    "Julien",
    "Sophie",
    "Karim",
    "Nathalie",
    "Thomas",
    "Élodie",
    "Mehdi",
    "Isabelle",
    "Pierre",
    "Laura",
    "Nicolas",
    "Sandrine",
    "Yann",
    "Céline",
    "Antoine",
]
LAST = [
    "Lefebvre",
    "Dubois",
    "Lambert",
    "Mercier",
    "Duhamel",
    "Delattre",
    "Caron",
    "Bouchez",
    "Leroy",
    "Delcourt",
    "Hennebelle",
    "Vasseur",
    "Masclet",
    "Lemaire",
    "Carlier",
    "Dupont",
]

# (date, hour, length in hours, kind, title, place, capacity, registered, attendance rate)
HISTORIC = [
    (
        dt.date(2021, 3, 18),
        9,
        3,
        K.WORKSHOP,
        "Atelier France Relance : financer sa décarbonation",
        "CCI Grand Hainaut, Valenciennes",
        30,
        24,
        0.8,
    ),
    (
        dt.date(2021, 5, 20),
        8,
        2,
        K.BUSINESS_CLUB,
        "Club des industriels du Douaisis",
        "Douaisis Agglo, Douai",
        None,
        18,
        0.85,
    ),
    (
        dt.date(2021, 6, 24),
        14,
        3,
        K.WORKSHOP,
        "Atelier recrutement et compétences industrielles",
        "Maison de l'emploi, Cambrai",
        25,
        25,
        0.7,
    ),
    (
        dt.date(2021, 9, 16),
        10,
        2,
        K.FACTORY_VISIT,
        "Visite d'usine : fonderie et industrie du futur",
        "Zone industrielle, Caudry",
        15,
        15,
        0.93,
    ),
    (
        dt.date(2021, 10, 14),
        9,
        3,
        K.WORKSHOP,
        "Atelier export : premiers pas à l'international",
        "CCI Grand Hainaut, Valenciennes",
        20,
        14,
        0.78,
    ),
    (
        dt.date(2021, 11, 25),
        18,
        2,
        K.BUSINESS_CLUB,
        "Club d'entreprises du Cambrésis",
        "Hôtel communautaire, Cambrai",
        None,
        22,
        0.72,
    ),
    (
        dt.date(2022, 1, 27),
        9,
        3,
        K.INFO_MEETING,
        "Réunion d'information : fonds Territoires d'industrie",
        "Sous-préfecture, Valenciennes",
        60,
        41,
        0.8,
    ),
    (
        dt.date(2022, 3, 17),
        14,
        3,
        K.WORKSHOP,
        "Atelier efficacité énergétique des ateliers",
        "Porte du Hainaut, Wallers",
        20,
        20,
        0.75,
    ),
    (
        dt.date(2022, 5, 19),
        10,
        2,
        K.FACTORY_VISIT,
        "Visite d'usine : ligne robotisée",
        "Parc d'activités, Douai",
        12,
        12,
        1.0,
    ),
    (
        dt.date(2022, 6, 23),
        9,
        3,
        K.WORKSHOP,
        "Atelier innovation et propriété industrielle",
        "CCI Grand Hainaut, Valenciennes",
        25,
        17,
        0.65,
    ),
    (
        dt.date(2022, 10, 13),
        18,
        2,
        K.BUSINESS_CLUB,
        "Club des industriels du Valenciennois",
        "Valenciennes Métropole",
        None,
        26,
        0.77,
    ),
]
SINCE = [
    (
        -400,
        9,
        3,
        K.WORKSHOP,
        "Atelier hydrogène et mobilité lourde",
        "CCI Grand Hainaut, Valenciennes",
        30,
        21,
        0.76,
    ),
    (
        -120,
        9,
        3,
        K.OFFICE_HOURS,
        "Permanence Territoire d'industrie",
        "Hôtel communautaire",
        None,
        6,
        1.0,
    ),
    (
        -30,
        18,
        2,
        K.BUSINESS_CLUB,
        "Club d'entreprises : bilan de l'année",
        "Douaisis Agglo, Douai",
        None,
        19,
        0.74,
    ),
    (
        12,
        9,
        3,
        K.WORKSHOP,
        "Atelier décarbonation : les aides de l'année",
        "CCI Grand Hainaut, Valenciennes",
        30,
        9,
        None,
    ),
    (
        40,
        10,
        2,
        K.FACTORY_VISIT,
        "Visite d'usine : recyclage des métaux",
        "Zone industrielle, Cambrai",
        15,
        0,
        None,
    ),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    manager, agents = _team(territory)
    if manager is None:
        out.write("Événements : pas de chef de projet TI de démonstration, rien à créer.")
        return 0
    rng = random.Random(SEED)
    pool = list(
        Establishment.objects.in_territory(territory)
        .active()
        .filter(naf_section="C")
        .select_related("company")
        .order_by("siret")[:400]
    )
    today = timezone.localdate()
    specs = [*HISTORIC, *((today + dt.timedelta(days=d), *rest) for d, *rest in SINCE)]
    created = 0
    for day, hour, hours, kind, title, place, capacity, n, rate in specs:
        starts_at = _at(day, hour)
        if Event.objects.filter(territory=territory, title=title, starts_at=starts_at).exists():
            continue
        author, epci = manager, None
        if kind == K.OFFICE_HOURS and agents:
            epci_id, author = sorted(agents.items())[0]
            epci = territory.epcis.get(pk=epci_id)
        event = services.event_create(
            acting_user=author,
            territory=territory,
            kind=kind,
            title=title,
            place=place,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            epci=epci,
            capacity=capacity,
            status=EventStatus.PUBLISHED,
            description="Organisé par l'équipe du Territoire d'industrie avec ses partenaires.",
        )
        created += 1
        for site in rng.sample(pool, min(n, len(pool))):
            registration, _ = services.registration_create(
                acting_user=author,
                event=event,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email="",
                organisation_name=site.company.display_name,
                establishment=site,
            )
            created += 1
            if rate is not None and day < today:
                services.attendance_mark(
                    acting_user=author, registration=registration, present=rng.random() < rate
                )
    out.write(f"Événements : {created} objets créés.")
    return created
