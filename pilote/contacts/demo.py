"""A dozen fictitious contacts at PME of the demo territory, two per EPCI.

Written by the EPCI's agent (or the TI manager) through the service. Emails use the reserved
`.example` domain and phone numbers the ARCEP range kept for fiction (03 53 01 xx xx).
"""

from django.utils.text import slugify

from pilote.accounts.enums import Role
from pilote.accounts.models import Membership
from pilote.companies.enums import CORE_TARGET_BANDS, EstablishmentState
from pilote.companies.models import Establishment
from pilote.contacts import services
from pilote.contacts.enums import LegalBasis
from pilote.contacts.models import Contact
from pilote.core.enums import Visibility
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

LI = LegalBasis.LEGITIMATE_INTEREST
# first name, last name, role, legal basis, source, visibility, written by the TI manager
PEOPLE = [
    ("Céline", "Vandenbussche", "Directrice de site", LI, "Salon Industrie Lille 2026",
     Visibility.EPCI, False),
    ("Olivier", "Dequeker", "Responsable RH", LI, "Site web de l'entreprise",
     Visibility.EPCI, False),
    ("Farid", "Bensaïd", "DAF", LI, "Carte de visite (petit-déjeuner du club d'entreprises)",
     Visibility.TERRITORY, True),
    ("Anne-Sophie", "Lemaître", "Dirigeante", LegalBasis.CONSENT,
     "Formulaire d'inscription à l'atelier robotique", Visibility.EPCI, False),
    ("Grégory", "Wallart", "Directeur de site", LI, "Visite de la zone d'activités",
     Visibility.PARTNERS, False),
    ("Nathalie", "Duquesne", "Responsable qualité sécurité environnement", LI,
     "Annuaire du pôle de compétitivité", Visibility.EPCI, True),
    ("Jérôme", "Caulier", "Directeur industriel", LI, "Recommandation de Bpifrance",
     Visibility.EPCI, False),
    ("Hélène", "Ramette", "Responsable RH", LegalBasis.PUBLIC_INTEREST,
     "Réunion France Travail sur les métiers en tension", Visibility.TERRITORY, False),
    ("Mathieu", "Delval", "DAF", LegalBasis.CONTRACT, "Convention de diagnostic IDF",
     Visibility.EPCI, True),
    ("Sandrine", "Hottin", "Présidente", LI, "Salon Industrie Lille 2026",
     Visibility.EPCI, False),
    ("Yannick", "Plouvier", "Responsable maintenance", LI, "Carte de visite",
     Visibility.EPCI, False),
    ("Laurence", "Maes", "Directrice générale", LI, "Site web de l'entreprise",
     Visibility.PARTNERS, True),
]  # fmt: skip


def _targets(epci) -> list[Establishment]:
    """The EPCI's first two active industrial PME of 30 to 200 people, in SIRET order."""
    return list(
        Establishment.objects.filter(
            epci=epci,
            state=EstablishmentState.ACTIVE,
            naf_section="C",
            headcount_band__in=CORE_TARGET_BANDS,
        )
        .select_related("company", "epci")
        .order_by("siret")[:2]
    )


def load(*, out) -> int:
    territory = Territory.objects.get(slug=HDC_SLUG)
    if not Establishment.objects.in_territory(territory).exists():
        out.write("Contacts : aucun établissement dans le territoire, rien à créer.")
        return 0
    memberships = Membership.objects.active().filter(territory=territory).select_related("user")
    manager = memberships.filter(role=Role.TI_MANAGER).first()
    agents = {
        m.organisation.epci_id: m.user
        for m in memberships.filter(role=Role.EPCI_AGENT).select_related("organisation")
    }
    sites = [site for epci in territory.epcis.order_by("siren") for site in _targets(epci)]
    created = 0
    for person, site in zip(PEOPLE, sites, strict=False):
        first, last, role, basis, source, visibility, by_manager = person
        if Contact.objects.filter(first_name=first, last_name=last).exists():
            continue
        author = manager.user if by_manager and manager else agents.get(site.epci_id)
        if author is None:
            continue
        others = Establishment.objects.filter(
            company=site.company, epci__in=territory.epcis.all()
        ).exclude(pk=site.pk)
        domain = slugify(site.company.display_name)[:40].strip("-") or "entreprise"
        services.contact_create(
            acting_user=author,
            main_establishment=site,
            establishments=list(others),
            first_name=first,
            last_name=last,
            role=role,
            email=f"{slugify(first)}.{slugify(last)}@{domain}.example",
            phone=f"03 53 01 {10 + created:02d} {20 + 3 * created:02d}",
            legal_basis=basis,
            source=source,
            visibility=visibility,
        )
        created += 1
    return created
