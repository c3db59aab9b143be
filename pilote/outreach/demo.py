"""Demo newsletter of Hainaut-Douaisis-Cambrésis, faithful to the bilan of June 2022: « envoyée
à près de 90 personnes engagées pour le Territoire d'Industrie : industriels, élus, équipes »,
13 issues sent by 30/06/2022 (n° 1 in February 2020), then six a year up to today, the next
one ready to send and the one after in draft.

- The list (`services.mailing_list_create`), sent as « Territoire d'industrie
  Hainaut-Douaisis-Cambrésis » <lettre@pilote.demo>.
- About 90 subscribers active at 30/06/2022 (élus and teams of the six EPCIs, partners,
  industrials met at the launch, the workshops or through the online form), a slow growth
  since (about 140 today, the demo contacts with an e-mail among them), each with its legal
  basis and proof of consent; a few unsubscribed (on the do-not-contact list), three
  suspended after bounces (reason kept), two pending (public form, not confirmed). Every
  address is on a reserved `.example` domain.
- Every issue has the six sections, written as at its date (the figures are those of the
  indicators at that date, the portrait a laureate of the applications demo); one delivery
  per subscriber active at the issue's date (`failed` for the bounced addresses).

Rows are written directly (bulk) with their historic dates; keyed on the e-mail (subscribers)
and the number (issues): a second run creates nothing. Seeded.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from pilote.accompaniment.demo import _team
from pilote.applications.enums import Status
from pilote.applications.models import Application
from pilote.companies.models import Establishment
from pilote.contacts.models import Contact
from pilote.core.tokens import hash_token
from pilote.events.demo import HISTORIC as EVENTS_THEN
from pilote.events.demo import SINCE as EVENTS_SINCE
from pilote.indicators.indicators import Book, epcis_of, live_facts
from pilote.outreach import sections, services
from pilote.outreach.enums import (
    BlockReason,
    DeliveryStatus,
    IssueStatus,
    LegalBasis,
    SectionKind,
    Source,
    SubscriberKind,
    SubscriberStatus,
)
from pilote.outreach.models import Delivery, DoNotContact, Issue, MailingList, Section, Subscriber
from pilote.outreach.subscriptions import email_hash
from pilote.territories.demo import HDC_NAME, HDC_SLUG
from pilote.territories.models import Territory

SEED = 2022_06_30
BILAN_ON = dt.date(2022, 6, 30)
LAUNCH = dt.date(2020, 1, 13)  # the founding subscribers: from here to the first issue
ELECTIONS, ELECTIONS_END = dt.date(2026, 4, 15), dt.date(2026, 6, 1)  # new councils (2026)
SENDER_NAME = f"Territoire d'industrie {HDC_NAME}"
SENDER_EMAIL = "lettre@pilote.demo"
REPLY_TO = "cheffe.projet@pilote.demo"

# The 13 issues sent by 30/06/2022: a first year slowed by the lockdown, then six a year.
THEN = [dt.date(2020, 2, 13), dt.date(2020, 6, 18), dt.date(2020, 9, 24), dt.date(2020, 12, 10),
        dt.date(2021, 2, 11), dt.date(2021, 4, 15), dt.date(2021, 6, 17), dt.date(2021, 9, 23),
        dt.date(2021, 10, 28), dt.date(2021, 12, 9), dt.date(2022, 2, 10), dt.date(2022, 4, 14),
        dt.date(2022, 6, 23)]  # fmt: skip
# Then six a year, the Thursday on or after these days: (month, day).
SLOTS = [(2, 8), (4, 8), (6, 15), (9, 15), (10, 22), (12, 8)]

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
    "Valérie",
    "Stéphane",
    "Aurélie",
    "Franck",
    "Delphine",
    "Hervé",
    "Marion",
    "Ludovic",
    "Caroline",
    "Sébastien",
    "Virginie",
    "Arnaud",
    "Émilie",
    "Grégory",
    "Sabrina",
    "Christophe",
    "Anne",
    "Bruno",
    "Fatima",
    "Jean-Marc",
    "Martine",
    "Dominique",
    "Sylvie",
    "Rachid",
    "Pascal",
    "Agnès",
    "Benoît",
    "Hélène",
    "Guillaume",
    "Justine",
]
LAST = ["Lefebvre", "Dubois", "Lambert", "Mercier", "Duhamel", "Delattre", "Caron", "Bouchez",
        "Leroy", "Delcourt", "Hennebelle", "Vasseur", "Masclet", "Lemaire", "Carlier",
        "Dupont", "Vandenbussche", "Dequidt", "Dewailly", "Leclercq", "Wattiez", "Dufrasne",
        "Devos", "Lecomte", "Maton", "Plouvier", "Delhaye", "Decroix", "Fontaine", "Debève",
        "Hanot", "Willot", "Delannoy", "Cuvelier", "Dhainaut", "Bauduin", "Moreau", "Lenglet",
        "Descamps", "Ghesquière", "Taquet", "Bailleul", "Cordier", "Bultez", "Verdière",
        "Bouly", "Potier", "Ladrière"]  # fmt: skip
FICTIONAL = ["Forges du Hainaut", "Chaudronnerie de l'Escaut", "Plasturgie du Cambrésis",
             "Mécanique de précision du Douaisis", "Verrerie de la Sambre",
             "Tôlerie industrielle de Caudry", "Fonderie de l'Ostrevent",
             "Emballages du Valenciennois"]  # fmt: skip
ELECTED_ROLES = ["vice-président chargé du développement économique",
                 "conseiller communautaire délégué à l'industrie", "président"]  # fmt: skip
TEAM_ROLES = ["développeur économique", "chargée de mission industrie"]
# organisation, domain, legal basis
PARTNERS = [
    ("Sous-préfecture de Valenciennes", "valenciennes.sous-prefecture", LegalBasis.PUBLIC_INTEREST),
    ("Sous-préfecture de Douai", "douai.sous-prefecture", LegalBasis.PUBLIC_INTEREST),
    ("Sous-préfecture de Cambrai", "cambrai.sous-prefecture", LegalBasis.PUBLIC_INTEREST),
    ("Sous-préfecture d'Avesnes-sur-Helpe", "avesnes.sous-prefecture", LegalBasis.PUBLIC_INTEREST),
    ("SGAR Hauts-de-France", "sgar-hdf", LegalBasis.PUBLIC_INTEREST),
    ("Région Hauts-de-France", "region-hdf", LegalBasis.PUBLIC_INTEREST),
    ("Région Hauts-de-France", "region-hdf", LegalBasis.PUBLIC_INTEREST),
    ("Région Hauts-de-France", "region-hdf", LegalBasis.PUBLIC_INTEREST),
    ("Bpifrance", "bpifrance-lille", LegalBasis.LEGITIMATE_INTEREST),
    ("Bpifrance", "bpifrance-lille", LegalBasis.LEGITIMATE_INTEREST),
    ("CCI Grand Hainaut", "cci-grand-hainaut", LegalBasis.LEGITIMATE_INTEREST),
    ("CCI Grand Hainaut", "cci-grand-hainaut", LegalBasis.LEGITIMATE_INTEREST),
    ("ADEME Hauts-de-France", "ademe-hdf", LegalBasis.LEGITIMATE_INTEREST),
    ("Banque des Territoires", "banque-des-territoires-hdf", LegalBasis.LEGITIMATE_INTEREST),
    ("France Travail", "france-travail-hainaut", LegalBasis.LEGITIMATE_INTEREST),
    ("Business France", "business-france-hdf", LegalBasis.LEGITIMATE_INTEREST),
    ("UIMM Hainaut-Cambrésis", "uimm-hainaut", LegalBasis.LEGITIMATE_INTEREST),
    ("Enterprise Europe Network", "een-hdf", LegalBasis.LEGITIMATE_INTEREST),
    ("Pôle emploi", "pole-emploi-douai", LegalBasis.LEGITIMATE_INTEREST),
]  # fmt: skip
FOUNDING_PARTNERS = 14
FOUNDING_INDUSTRIALS = 18
INDUSTRIALS_BY_BILAN = 37  # workshops and online form, 2020–2022
INDUSTRIALS_SINCE = 34  # plus the demo contacts with an e-mail
BOUNCES = [  # (when, permanent, error)
    (dt.date(2021, 10, 1), True, "550 5.1.1 Recipient address rejected: User unknown"),
    (dt.date(2024, 3, 1), True, "550 5.1.1 Adresse inconnue (compte supprimé)"),
    (dt.date(2025, 8, 1), False, "452 4.2.2 Mailbox full"),
]


@dataclass
class Person:
    email: str
    first_name: str
    last_name: str
    organisation: str
    kind: str
    legal_basis: str
    consent_proof: str
    source: str
    subscribed_at: dt.datetime
    establishment: Establishment | None = None
    contact: Contact | None = None
    status: str = SubscriberStatus.ACTIVE
    confirmed_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    how: str = ""
    bounce_on: dt.date | None = None
    bounce_permanent: bool = True
    bounce_error: str = ""
    bounce_at: dt.datetime | None = None  # the issue it bounced on


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _thursday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def schedule(today: dt.date) -> tuple[list[dt.date], dt.date, dt.date]:
    """The dates of the sent issues (the 13 of the bilan, then six a year before today), of
    the next one (ready) and of the one after (draft)."""
    dates = list(THEN)
    year = 2022
    while True:
        for month, day in SLOTS:
            slot = _thursday(dt.date(year, month, day))
            if slot <= THEN[-1]:
                continue
            dates.append(slot)
            if len(dates) > len(THEN) and dates[-2] >= today:
                upcoming = [d for d in dates if d >= today]
                return [d for d in dates if d < today], upcoming[0], upcoming[1]
        year += 1


def _epci_domain(epci) -> str:
    slug = slugify(epci.name.replace("Communauté d'agglomération", "").replace("CA ", ""))
    for article in ("de-la-", "du-", "de-"):
        slug = slug.removeprefix(article)
    return slug or "agglo"


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.random() * max((end - start).days, 1)))


class Roster:
    """The subscribers to create, with their history (seeded, independent of the day)."""

    def __init__(self, territory, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.people: list[Person] = []
        self.emails: set[str] = set()
        self.names = [(f, n) for f in FIRST for n in LAST]
        rng.shuffle(self.names)
        self.epcis = list(territory.epcis.order_by("siren"))
        pool = list(
            Establishment.objects.in_territory(territory)
            .active()
            .filter(naf_section="C", company__is_person=False, diffusion="O")
            .select_related("company")
            .order_by("siret")[:600]
        )
        rng.shuffle(pool)
        self.sites = pool
        self.contacts = list(
            Contact.objects.filter(epci__in=self.epcis)
            .exclude(email="")
            .select_related("company", "main_establishment")
            .order_by("pk")
        )

    def _name(self) -> tuple[str, str]:
        return self.names.pop()

    def add(self, first, last, domain, **fields) -> Person | None:
        email = f"{slugify(first)}.{slugify(last)}@{domain}.example"
        if email in self.emails:
            return None
        self.emails.add(email)
        person = Person(email=email, first_name=first, last_name=last, **fields)
        self.people.append(person)
        return person

    def _site(self, n: int):
        if n < len(self.sites):
            site = self.sites[n]
            name = site.company.display_name[:200]
            return site, name, slugify(name)[:40].strip("-") or "entreprise"
        name = FICTIONAL[n % len(FICTIONAL)]
        return None, name, slugify(name)

    def build(self) -> list[Person]:
        rng, launch_end = self.rng, THEN[0] - dt.timedelta(days=3)
        for epci in self.epcis:
            domain = _epci_domain(epci)
            for role in ELECTED_ROLES[: 3 if epci == self.epcis[0] else 2]:
                first, last = self._name()
                self.add(first, last, domain, organisation=epci.name[:200],
                         kind=SubscriberKind.ELECTED, legal_basis=LegalBasis.PUBLIC_INTEREST,
                         consent_proof=f"Mission d'intérêt public : élu communautaire ({role}), "
                         "membre du comité de pilotage du Territoire d'industrie",
                         source=Source.TEAM,
                         subscribed_at=_at(_between(rng, LAUNCH, launch_end), 9))  # fmt: skip
            for role in TEAM_ROLES:
                first, last = self._name()
                self.add(first, last, domain, organisation=epci.name[:200],
                         kind=SubscriberKind.EPCI_TEAM, legal_basis=LegalBasis.PUBLIC_INTEREST,
                         consent_proof=f"Mission d'intérêt public : {role} de l'EPCI, "
                         "partenaire du programme",
                         source=Source.TEAM,
                         subscribed_at=_at(_between(rng, LAUNCH, launch_end), 9))  # fmt: skip
        for n, (organisation, domain, basis) in enumerate(PARTNERS):
            first, last = self._name()
            if n < FOUNDING_PARTNERS:
                day = _between(rng, LAUNCH, launch_end)
            else:
                day = _between(rng, BILAN_ON, self.today - dt.timedelta(days=30))
            proof = (
                "Mission d'intérêt public : service de l'État ou de la Région associé au "
                "comité de pilotage"
                if basis == LegalBasis.PUBLIC_INTEREST
                else "Intérêt légitime : partenaire du comité de pilotage, informé de l'envoi "
                f"et de son droit d'opposition par courriel du {_fr(day)}"
            )
            self.add(first, last, domain, organisation=organisation, kind=SubscriberKind.PARTNER,
                     legal_basis=basis, consent_proof=proof, source=Source.TEAM,
                     subscribed_at=_at(day, 9))  # fmt: skip
        # Industrials: the launch, then the workshops and the online form up to the bilan.
        workshops = [(day, title) for day, _h, _l, _k, title, *_ in EVENTS_THEN]
        workshops += [
            (self.today + dt.timedelta(days=d), title)
            for d, _h, _l, kind, title, *_ in EVENTS_SINCE
            if d < 0 and kind != "permanence"
        ]
        for i in range(FOUNDING_INDUSTRIALS + INDUSTRIALS_BY_BILAN + INDUSTRIALS_SINCE):
            first, last = self._name()
            site, organisation, domain = self._site(i)
            if i < FOUNDING_INDUSTRIALS:
                day = _between(rng, LAUNCH, launch_end)
                proof, source = (
                    f"Accord donné par courriel le {_fr(day)} en réponse à l'invitation de "
                    "l'équipe (réunion de lancement du Territoire d'industrie)",
                    Source.TEAM,
                )
            else:
                since = i >= FOUNDING_INDUSTRIALS + INDUSTRIALS_BY_BILAN
                start = BILAN_ON if since else THEN[0]
                end = self.today - dt.timedelta(days=15) if since else BILAN_ON
                held = [(d, t) for d, t in workshops if start < d <= end]
                if held and rng.random() < 0.45:
                    day, title = rng.choice(held)
                    proof = f"Bulletin d'inscription signé lors de « {title} » le {_fr(day)}"
                    source = Source.TEAM
                else:
                    day = _between(rng, start, end)
                    proof, source = (
                        f"Formulaire public d'inscription du {_fr(day)}",
                        Source.PUBLIC_FORM,
                    )
            moment = _at(day, 11 + rng.randrange(6), rng.randrange(60))
            person = self.add(first, last, domain, organisation=organisation,
                              kind=SubscriberKind.INDUSTRIAL, legal_basis=LegalBasis.CONSENT,
                              consent_proof=proof, source=source, subscribed_at=moment,
                              establishment=site)  # fmt: skip
            if person is not None and source == Source.PUBLIC_FORM:
                person.confirmed_at = moment + dt.timedelta(minutes=5 + rng.randrange(300))
                person.consent_proof += (
                    f" ; confirmé par lien {services.french_moment(person.confirmed_at)}"
                )
        # The demo contacts with an e-mail, added by the team in the last months.
        for contact in self.contacts:
            email = services.normalise_email(contact.email)
            if email in self.emails:
                continue
            self.emails.add(email)
            day = _between(
                rng, self.today - dt.timedelta(days=200), self.today - dt.timedelta(days=10)
            )
            self.people.append(
                Person(email=email, first_name=contact.first_name, last_name=contact.last_name,
                       organisation=contact.company.display_name[:200],
                       kind=SubscriberKind.INDUSTRIAL, legal_basis=LegalBasis.CONSENT,
                       consent_proof=f"Accord recueilli par l'équipe lors de l'échange du "
                       f"{_fr(day)} (case cochée sur la fiche de rendez-vous)",
                       source=Source.CONTACT, subscribed_at=_at(day, 15),
                       establishment=contact.main_establishment, contact=contact)
            )  # fmt: skip
        # New élus after the municipal elections of March 2026.
        for epci in self.epcis[:4]:
            if self.today < ELECTIONS_END:
                break
            first, last = self._name()
            domain = _epci_domain(epci)
            self.add(first, last, domain, organisation=epci.name[:200],
                     kind=SubscriberKind.ELECTED, legal_basis=LegalBasis.PUBLIC_INTEREST,
                     consent_proof="Mission d'intérêt public : élu communautaire installé après "
                     "les élections de mars 2026, membre du comité de pilotage",
                     source=Source.TEAM,
                     subscribed_at=_at(_between(rng, ELECTIONS, ELECTIONS_END)))  # fmt: skip
        self._history()
        return self.people

    def _history(self) -> None:
        """Unsubscriptions, bounces and the pending addresses of the online form."""
        rng = self.rng
        industrials = [p for p in self.people if p.kind == SubscriberKind.INDUSTRIAL]
        early = [p for p in industrials if p.subscribed_at.date() < dt.date(2021, 1, 1)]
        late = [p for p in industrials if p.subscribed_at.date() < dt.date(2024, 1, 1)]
        hows = ["lien en un clic", "lien en un clic",
                "à la demande de la personne (départ de l'entreprise)",
                "à la demande de la personne (courriel à l'équipe)"]  # fmt: skip
        chosen = rng.sample(early, min(2, len(early)))
        spans = [(dt.date(2021, 3, 1), dt.date(2022, 5, 1))] * 2
        rest = [p for p in late if p not in chosen]
        later = rng.sample(rest, min(5, len(rest)))
        spans += [(dt.date(2023, 1, 1), self.today - dt.timedelta(days=20))] * 5
        for person, (start, end) in zip(chosen + later, spans, strict=False):
            day = _between(
                rng, max(start, person.subscribed_at.date() + dt.timedelta(days=60)), end
            )
            person.status = SubscriberStatus.UNSUBSCRIBED
            person.unsubscribed_at = _at(day, 8 + rng.randrange(12), rng.randrange(60))
            person.how = rng.choice(hows)
        candidates = [p for p in industrials if p.status == SubscriberStatus.ACTIVE]
        for (day, permanent, error), person in zip(
            BOUNCES,
            [p for p in candidates if p.subscribed_at.date() < dt.date(2021, 6, 1)][1::7],
            strict=False,
        ):
            if day >= self.today:
                continue
            person.status = SubscriberStatus.SUSPENDED
            person.bounce_on, person.bounce_permanent, person.bounce_error = day, permanent, error
        for _ in range(2):
            first, last = self._name()
            site, organisation, domain = self._site(len(self.people) + 7)
            day = self.today - dt.timedelta(days=1 + len(self.people) % 2)
            self.add(first, last, domain, organisation=organisation,
                     kind=SubscriberKind.INDUSTRIAL, legal_basis=LegalBasis.CONSENT,
                     consent_proof=f"Formulaire public d'inscription du {_fr(day)}",
                     source=Source.PUBLIC_FORM, subscribed_at=_at(day, 18),
                     establishment=site, status=SubscriberStatus.PENDING)  # fmt: skip


# --- Content -------------------------------------------------------------------------------

EDITOS_THEN = [
    ("Le Territoire d'industrie lance sa lettre",
     "Six agglomérations, un programme et une équipe : voici la première lettre du Territoire "
     "d'industrie Hainaut-Douaisis-Cambrésis. Tous les deux mois, elle vous dira les appels à "
     "projets qui ferment, les rencontres à venir et ce que font les industriels du territoire."),
    ("Reprendre, ensemble",
     "Après le confinement, les ateliers reprennent et les usines aussi. L'équipe est restée "
     "joignable tout au long du printemps ; ce numéro fait le point sur les aides d'urgence et "
     "sur les projets qui ont tenu bon."),
    ("France Relance : le territoire est prêt",
     "Le plan de relance ouvre des guichets inédits pour l'industrie, dont un fonds réservé aux "
     "Territoires d'industrie. L'équipe vous aide à monter vos dossiers : appelez-nous avant de "
     "déposer."),
    ("Premiers lauréats, premiers chantiers",
     "Les premiers dossiers du fonds d'accélération des investissements industriels sont "
     "retenus. Bravo aux entreprises du territoire, et rendez-vous en 2021 pour la suite."),
    ("2021, l'année des investissements",
     "Les guichets de France Relance restent ouverts : décarbonation, modernisation, "
     "résilience. Nos ateliers reprennent en mars, à Valenciennes."),
    ("Décarboner sans attendre",
     "Les appels de l'ADEME et de Bpifrance sur la décarbonation ferment bientôt. Plusieurs "
     "entreprises du territoire se sont lancées : leur expérience est dans ce numéro."),
    ("Recruter et former",
     "Les carnets de commandes se remplissent, les postes restent vacants. Notre atelier "
     "compétences du 24 juin réunit industriels, France Travail et organismes de formation."),
    ("Une rentrée industrielle",
     "Visites d'usine, clubs d'entreprises, nouveaux lauréats : la rentrée est chargée. Merci "
     "aux industriels qui ouvrent leurs portes."),
    ("L'export, pas à pas",
     "Avec la CCI et Business France, l'atelier export du 14 octobre a aidé une quinzaine de PME "
     "à préparer leurs premiers salons à l'étranger."),
    ("Un an de relance sur le territoire",
     "Plus de quarante entreprises lauréates, des dizaines de millions d'euros d'aides : "
     "le bilan de l'année est dans les chiffres de ce numéro."),
    ("Le fonds Territoires d'industrie prolongé",
     "Le fonds d'accélération est prolongé en 2022. La réunion d'information du 27 janvier à la "
     "sous-préfecture a fait salle comble : retrouvez ici l'essentiel."),
    ("L'énergie, priorité des ateliers",
     "La hausse des prix de l'énergie pèse sur nos industriels. L'atelier efficacité "
     "énergétique du 17 mars a présenté les aides disponibles et les premiers gestes utiles."),
    ("Bilan à mi-parcours",
     "Cinquante-trois dossiers acceptés, plus de 63 millions d'euros d'aides et près de 4 000 "
     "emplois concernés : le territoire a su saisir la relance. Merci à chacun d'entre vous."),
]  # fmt: skip
EDITO_THEMES = {  # the later issues, by month of the issue: two themes taken in turn
    2: [("Une nouvelle année de projets", "Nouveaux appels, nouveaux ateliers : le programme "
         "de {year} est dans ce numéro."),
        ("Foncier industriel : des solutions", "Trouver un terrain ou un bâtiment reste "
         "difficile ; les agglomérations requalifient des friches pour de nouveaux projets.")],
    4: [("La Semaine de l'industrie", "Portes ouvertes, visites de classes, job dating : les "
         "usines du territoire se sont montrées aux jeunes et aux demandeurs d'emploi."),
        ("Recruter, toujours", "Les métiers de la maintenance et de la soudure restent en "
         "tension : ce numéro rassemble les solutions des partenaires de l'emploi.")],
    6: [("Avant l'été", "Plusieurs appels ferment avant la pause estivale : vérifiez vos dates "
         "et appelez-nous si un dossier est en cours."),
        ("Territoires d'industrie, nouvelle étape", "Le programme se poursuit jusqu'en 2027 "
         "avec de nouvelles priorités : compétences, foncier, décarbonation.")],
    9: [("Les aides de la rentrée", "La rentrée ouvre de nouveaux appels : décarbonation, "
         "compétences, diversification. L'équipe reste votre porte d'entrée."),
        ("Une rentrée industrielle", "Visites d'usine et clubs d'entreprises reprennent : "
         "le calendrier de l'automne est dans ce numéro.")],
    10: [("Industrie et sobriété énergétique", "Réduire la facture énergétique reste la "
          "première préoccupation des industriels rencontrés cette saison."),
         ("Décarboner, ensemble", "Zones d'activités bas carbone, chaleur partagée : les "
          "projets collectifs avancent sur le territoire.")],
    12: [("Bilan de l'année {year}", "Merci aux entreprises, aux élus et aux partenaires qui "
          "font vivre le Territoire d'industrie : voici les chiffres de l'année."),
         ("{year}, une année d'industrie", "Lauréats, ateliers, recrutements : retour sur "
          "une année de projets, et rendez-vous en janvier.")],
}  # fmt: skip
CALLS_THEN = [  # (closes on, title, funder)
    (
        dt.date(2020, 3, 31),
        "Appel à manifestation d'intérêt Industrie du futur",
        "Région Hauts-de-France",
    ),
    (
        dt.date(2020, 7, 15),
        "Prêts Rebond et aides d'urgence aux PME industrielles",
        "Bpifrance, Région Hauts-de-France",
    ),
    (
        dt.date(2020, 10, 15),
        "Décarbonation de l'industrie — efficacité énergétique (DECARB IND)",
        "ADEME",
    ),
    (
        dt.date(2020, 11, 17),
        "Fonds d'accélération des investissements industriels dans les territoires",
        "Bpifrance, Région Hauts-de-France",
    ),
    (dt.date(2020, 11, 17), "Résilience des secteurs critiques", "Bpifrance"),
    (
        dt.date(2021, 1, 26),
        "Fonds de modernisation des filières automobile et aéronautique",
        "Bpifrance",
    ),
    (
        dt.date(2021, 3, 31),
        "Fonds d'accélération des investissements industriels dans les territoires (relève)",
        "Bpifrance, Région Hauts-de-France",
    ),
    (dt.date(2021, 5, 11), "Décarbonation de l'industrie — chaleur biomasse (BCIAT)", "ADEME"),
    (dt.date(2021, 6, 30), "Aide en faveur de l'industrie du futur", "ASP"),
    (dt.date(2021, 7, 13), "Résilience des secteurs critiques — nouvelle vague", "Bpifrance"),
    (dt.date(2021, 10, 14), "Décarbonation de l'industrie — procédés (DECARB IND 2021)", "ADEME"),
    (
        dt.date(2021, 11, 30),
        "Rev3 — aide à l'investissement des PME industrielles",
        "Région Hauts-de-France",
    ),
    (dt.date(2022, 1, 18), "AMI Compétences et métiers d'avenir", "État (France 2030)"),
    (
        dt.date(2022, 3, 15),
        "Fonds d'accélération des investissements industriels dans les territoires — 2022",
        "Bpifrance, Région Hauts-de-France",
    ),
    (dt.date(2022, 5, 17), "Efficacité énergétique des procédés", "ASP"),
    (dt.date(2022, 7, 12), "Première usine", "Bpifrance, France 2030"),
]
CALLS_LATER = [  # title, funder
    ("Zones industrielles bas carbone (ZIBAC)", "ADEME"),
    (
        "Fonds de transition juste (FTJ) — Hauts-de-France",
        "Union européenne, Région Hauts-de-France",
    ),
    ("France 2030 — Diversification de la filière automobile", "Bpifrance"),
    (
        "Territoires d'industrie 4.0 : anticiper les compétences de demain",
        "ANCT, Région Hauts-de-France",
    ),
    ("VTE Territoires d'industrie", "Bpifrance, ANCT"),
    ("Offre HDFID — accompagnement industrie du futur", "HDFID, Région Hauts-de-France"),
    (
        "Fonds d'accélération des investissements industriels dans les territoires",
        "Bpifrance, Région Hauts-de-France",
    ),
    ("Décarbonation des procédés (DECARB FLASH)", "ADEME"),
]
RECURRING = [  # (month, day, line)
    (3, 25, "**Semaine de l'industrie** : portes ouvertes dans les usines du territoire"),
    (6, 28, "**Comité de pilotage du Territoire d'industrie**, Valenciennes"),
    (11, 28, "**Comité de pilotage du Territoire d'industrie**, Douai"),
    (10, 8, "**Salon des métiers de l'industrie**, Cambrai"),
]  # fmt: skip
EPCI_NEWS = [
    "**{epci}** agrandit sa zone d'activités : huit hectares viabilisés pour des projets "
    "industriels, premières cessions cette année.",
    "**{epci}** ouvre un guichet unique pour les entreprises : un seul interlocuteur pour le "
    "foncier, le recrutement et les aides.",
    "**{epci}** lance la requalification d'une friche industrielle en village d'entreprises.",
    "**{epci}** organise un job dating industriel avec France Travail : une trentaine de postes "
    "à pourvoir.",
    "**{epci}** soutient la création d'une école de production avec les industriels locaux.",
    "**{epci}** accompagne ses PME dans un diagnostic énergie gratuit, en lien avec la CCI.",
]
PORTRAIT_DEFAULT = (
    "**{name}**, à {city}, ouvre ses portes à la lettre : une industrie du territoire qui "
    "investit dans son outil de production, forme ses équipes et recrute. Sa direction raconte "
    "comment l'équipe du Territoire d'industrie l'a mise en relation avec les financeurs."
)


def _calls(issue_day: dt.date, rng: random.Random) -> str:
    horizon = issue_day + dt.timedelta(weeks=10)
    if issue_day <= BILAN_ON:
        found = [(d, t, f) for d, t, f in CALLS_THEN if issue_day < d <= horizon]
    else:
        found = sorted(
            (issue_day + dt.timedelta(days=rng.randrange(12, 60)), title, funder)
            for title, funder in rng.sample(CALLS_LATER, 3)
        )
    if not found:
        return (
            "Aucun appel à projets ne ferme dans les prochaines semaines : préparez vos dossiers."
        )
    return "\n".join(
        f"- **{title}** ({funder}) : clôture le {sections.french_date(day)}"
        for day, title, funder in found
    )


def _agenda(issue_day: dt.date, today: dt.date) -> str:
    horizon = issue_day + dt.timedelta(days=75)
    found = [(day, f"**{title}**, {place}") for day, _h, _l, _k, title, place, *_ in EVENTS_THEN]
    found += [
        (today + dt.timedelta(days=d), f"**{title}**, {place}")
        for d, _h, _l, _k, title, place, *_ in EVENTS_SINCE
    ]
    for year in range(issue_day.year, horizon.year + 1):
        found += [(dt.date(year, m, d), line) for m, d, line in RECURRING if year >= 2021]
    lines = sorted((d, line) for d, line in found if issue_day < d <= horizon)
    if not lines:
        return "Les rencontres reprennent bientôt : le calendrier paraîtra dans le prochain numéro."
    return "\n".join(f"- {sections.french_date(d)} : {line}" for d, line in lines[:4])


def _figures(book, territory, day: dt.date) -> str:
    if book is None:
        return ""
    found = book.figures(territory, day)
    wide, activity = found.territory_wide, found.activity
    lines = []
    if activity.get("establishments_met"):
        lines.append(f"**{sections.french_number(activity['establishments_met'])}** "
                     "établissements industriels rencontrés par l'équipe")  # fmt: skip
    if wide.get("accepted"):
        lines.append(f"**{sections.french_number(wide['accepted'])}** dossiers d'aide acceptés")
    if wide.get("laureate_companies"):
        lines.append(
            f"**{sections.french_number(wide['laureate_companies'])}** entreprises lauréates"
        )
    if wide.get("amount_granted"):
        lines.append(f"**{sections.french_euros(wide['amount_granted'])}** d'aides accordées")
    if not lines:
        return "Les premiers chiffres du programme paraîtront dans un prochain numéro."
    return f"Depuis le début du programme, au {sections.french_date(day)} :\n\n" + "\n".join(
        f"- {line}" for line in lines
    )


class Writer:
    def __init__(self, territory, manager, rng, today):
        self.territory, self.rng, self.today = territory, rng, today
        self.epcis = list(territory.epcis.order_by("name"))
        name = f"{manager.first_name} {manager.last_name}".strip() if manager else ""
        self.signatures = [
            f"{name or 'L’équipe'}, cheffe de projet Territoire d'industrie",
            "Jean-Pierre Leclercq, vice-président de Valenciennes Métropole, co-président du "
            "Territoire d'industrie",
            "Martine Dewailly, vice-présidente de Douaisis Agglo, co-présidente du Territoire "
            "d'industrie",
        ]
        self.laureates = list(
            Application.objects.filter(
                status=Status.ACCEPTED,
                decided_on__isnull=False,
                establishment__epci__in=self.epcis,
            )
            .select_related("establishment__company", "establishment__epci", "scheme")
            .order_by("decided_on", "pk")
        )
        self.portrayed: set[int] = set()
        self.book = Book(live_facts(territory, None), epcis_of(territory))

    def title_and_edito(self, number: int, day: dt.date) -> tuple[str, str]:
        if number <= len(EDITOS_THEN):
            title, text = EDITOS_THEN[number - 1]
        else:
            title, text = EDITO_THEMES[day.month][day.year % 2]
        title, text = title.format(year=day.year), text.format(year=day.year)
        return title, f"{text}\n\n*{self.signatures[number % len(self.signatures)]}*"

    def portrait(self, number: int, day: dt.date, sites: list) -> str:
        fitting = [a for a in self.laureates if a.decided_on < day and a.pk not in self.portrayed]
        if fitting:
            app = fitting[-1]
            self.portrayed.add(app.pk)
            site = app.establishment
            call = app.scheme.title if app.scheme_id else app.funder.split(" — ")[-1]
            text = (
                f"**{site.company.display_name}** ({site.city.title() or site.epci.name}) fait "
                f"partie des lauréats de l'appel « {call} » : "
                f"{sections.french_euros(app.amount_granted or 0)} d'aide pour un projet "
                f"« {(app.title or 'd investissement').lower()} »"
            )
            if app.investment:
                text += f" de {sections.french_euros(app.investment)} d'investissement"
            if app.jobs:
                text += f", avec {app.jobs} emplois à la clé"
            return text + (
                f". Sa direction revient sur un projet suivi par l'équipe et par "
                f"{site.epci.name}, du premier rendez-vous à la décision."
            )
        if sites:
            site = sites[number % len(sites)]
            return PORTRAIT_DEFAULT.format(
                name=site.company.display_name, city=site.city.title() or site.epci.name
            )
        return PORTRAIT_DEFAULT.format(name=FICTIONAL[number % len(FICTIONAL)], city="Caudry")

    def epci_news(self, number: int) -> str:
        if not self.epcis:
            return ""
        picked = [self.epcis[(2 * number + k) % len(self.epcis)] for k in range(2)]
        news = self.rng.sample(EPCI_NEWS, 2)
        return "\n\n".join(t.format(epci=e.name) for t, e in zip(news, picked, strict=False))

    def bodies(self, issue: Issue, day: dt.date, edito: str, sites: list, live: bool):
        bodies = {
            SectionKind.EDITO: edito,
            SectionKind.CALLS: _calls(day, self.rng),
            SectionKind.EVENTS: _agenda(day, self.today),
            SectionKind.PORTRAIT: self.portrait(issue.number, day, sites),
            SectionKind.EPCI_NEWS: self.epci_news(issue.number),
            SectionKind.FIGURES: _figures(self.book, self.territory, day),
        }
        if live:  # the issue to send: the live catalogue and figures, as the team would
            prefilled = sections.prefill(issue, self.today)
            if prefilled[SectionKind.CALLS] != sections.NO_CALLS:
                bodies[SectionKind.CALLS] = prefilled[SectionKind.CALLS]
            if prefilled[SectionKind.FIGURES]:
                bodies[SectionKind.FIGURES] = prefilled[SectionKind.FIGURES]
        return bodies


# --- Loading -------------------------------------------------------------------------------


def _mailing_list(territory, manager) -> tuple[MailingList, int]:
    found = MailingList.objects.filter(territory=territory).order_by("pk").first()
    if found is not None:
        return found, 0
    mailing_list = services.mailing_list_create(
        acting_user=manager, territory=territory, sender_name=SENDER_NAME
    )
    mailing_list.sender_email, mailing_list.reply_to = SENDER_EMAIL, REPLY_TO
    mailing_list.save(update_fields=["sender_email", "reply_to", "updated_at"])
    return mailing_list, 1


def _subscribers(mailing_list, people: list[Person]) -> int:
    existing = {e.lower() for e in mailing_list.subscribers.values_list("email", flat=True)}
    blocked = set(mailing_list.blocked.values_list("email_hash", flat=True))
    new = [p for p in people if p.email not in existing and email_hash(p.email) not in blocked]
    rows, entries = [], []
    for p in new:
        suspended_reason, soft = "", 0
        if p.bounce_on is not None:
            kind = "définitif" if p.bounce_permanent else "3 temporaires de suite"
            suspended_reason = f"Échec {kind} : {p.bounce_error}"
            soft = 0 if p.bounce_permanent else 3
            entries.append((p, BlockReason.BOUNCED, suspended_reason, p.bounce_at))
        if p.unsubscribed_at is not None:
            entries.append((p, BlockReason.UNSUBSCRIBED, p.how, p.unsubscribed_at))
        pending = p.status == SubscriberStatus.PENDING
        rows.append(
            Subscriber(
                mailing_list=mailing_list, email=p.email, first_name=p.first_name,
                last_name=p.last_name, organisation=p.organisation, kind=p.kind,
                contact=p.contact, establishment=p.establishment, legal_basis=p.legal_basis,
                consent_proof=p.consent_proof, source=p.source, status=p.status,
                confirmed_at=p.confirmed_at, unsubscribed_at=p.unsubscribed_at,
                soft_bounces=soft, suspended_reason=suspended_reason,
                confirmation_hash=hash_token(secrets.token_urlsafe(32)) if pending else "",
                confirmation_sent_at=p.subscribed_at if pending else None,
            )
        )  # fmt: skip
    Subscriber.objects.bulk_create(rows)
    by_email = {
        s.email: s for s in mailing_list.subscribers.filter(email__in=[p.email for p in new])
    }
    for p in new:
        s = by_email[p.email]
        s.created_at = p.subscribed_at
        s.updated_at = p.unsubscribed_at or p.confirmed_at or p.subscribed_at
        if p.bounce_at is not None:
            s.updated_at = p.bounce_at
    Subscriber.objects.bulk_update(by_email.values(), ["created_at", "updated_at"])
    blocks = [
        DoNotContact(mailing_list=mailing_list, email=p.email, email_hash=email_hash(p.email),
                     reason=reason, note=note[:300])
        for p, reason, note, _at in entries
    ]  # fmt: skip
    DoNotContact.objects.bulk_create(blocks)
    for block, (_p, _r, _n, at) in zip(blocks, entries, strict=True):
        block.created_at = block.updated_at = at or timezone.now()
    DoNotContact.objects.bulk_update(blocks, ["created_at", "updated_at"])
    return len(rows) + len(blocks)


def _deliveries(issue: Issue, sent_at: dt.datetime, people, subscribers) -> list[Delivery]:
    rows = []
    for p in people:
        s = subscribers.get(p.email)
        if s is None or p.status == SubscriberStatus.PENDING or p.subscribed_at > sent_at:
            continue
        if p.unsubscribed_at is not None and p.unsubscribed_at <= sent_at:
            continue
        if p.bounce_at is not None and sent_at > p.bounce_at:
            continue
        moment = sent_at + dt.timedelta(seconds=len(rows) / 10)
        failed = p.bounce_at == sent_at
        rows.append(
            Delivery(issue=issue, subscriber=s, email=p.email,
                     status=DeliveryStatus.FAILED if failed else DeliveryStatus.SENT,
                     attempts=3 if failed and not p.bounce_permanent else 1,
                     last_error=p.bounce_error if failed else "", claimed_at=moment,
                     sent_at=None if failed else moment)
        )  # fmt: skip
    return rows


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    manager, _agents = _team(territory)
    today = timezone.localdate()
    rng = random.Random(SEED)
    mailing_list, created = _mailing_list(territory, manager)
    roster = Roster(territory, rng, today)
    people = roster.build()
    sent_days, ready_day, draft_day = schedule(today)
    sent = [_at(d) for d in sent_days]
    for p in people:  # an address bounces once, on the first issue after its date
        if p.bounce_on is not None:
            p.bounce_at = next((t for t in sent if t.date() >= p.bounce_on), None)
    created += _subscribers(mailing_list, people)
    subscribers = {s.email.lower(): s for s in mailing_list.subscribers.all()}

    writer = Writer(territory, manager, random.Random(SEED + 1), today)
    existing = set(mailing_list.issues.values_list("number", flat=True))
    plan = [(d, IssueStatus.SENT) for d in sent_days]
    plan += [(ready_day, IssueStatus.READY), (draft_day, IssueStatus.DRAFT)]
    for number, (day, status) in enumerate(plan, start=1):
        title, edito = writer.title_and_edito(number, day)
        if number in existing:
            continue
        moment = _at(day) if status == IssueStatus.SENT else None
        issue = Issue.objects.create(
            mailing_list=mailing_list, number=number, title=title, status=status,
            published_on=day, sending_started_at=moment, author=manager,
        )  # fmt: skip
        bodies = writer.bodies(issue, day, edito, roster.sites, status == IssueStatus.READY)
        if status == IssueStatus.DRAFT:
            bodies = {SectionKind.EDITO: edito, **{k: "" for k in SectionKind if k != "edito"}}
            bodies[SectionKind.CALLS] = sections.calls(today)
        Section.objects.bulk_create(
            Section(issue=issue, kind=kind, title=kind.label, body=bodies.get(kind, ""), position=i)
            for i, kind in enumerate(SectionKind)
        )
        created += 1 + len(SectionKind)
        written = moment - dt.timedelta(days=12) if moment else _at(today - dt.timedelta(days=9))
        fields = {"created_at": written, "updated_at": moment or _at(today - dt.timedelta(days=2))}
        if moment is not None:
            rows = _deliveries(issue, moment, people, subscribers)
            Delivery.objects.bulk_create(rows, batch_size=500)
            created += len(rows)
            fields["sent_at"] = moment + dt.timedelta(seconds=len(rows) / 10 + 1)
            fields["updated_at"] = fields["sent_at"]
        Issue.objects.filter(pk=issue.pk).update(**fields)
    out.write(f"Lettre d'information : {created} objets créés.")
    return created
