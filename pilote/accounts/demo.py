"""Demo organisations and one account per role (one EPCI agent per EPCI)."""

from pilote.accounts import services
from pilote.accounts.enums import OrganisationKind as Kind
from pilote.accounts.enums import Role
from pilote.accounts.models import Organisation, User
from pilote.territories.demo import HDC_EPCI_SIRENS, HDC_NAME, HDC_SLUG
from pilote.territories.models import Epci, Territory

DEMO_PASSWORD = "pilote-demo-2026"

# name, short name, kind, EPCI SIREN (for an EPCI)
ORGANISATIONS = [
    ("CCI Grand Hainaut", "CCI GH", Kind.CCI, None),
    ("Communauté d'agglomération Valenciennes Métropole", "CAVM", Kind.EPCI, "245901160"),
    ("Communauté d'agglomération de La Porte du Hainaut", "CAPH", Kind.EPCI, "200042190"),
    ("Communauté d'agglomération Maubeuge Val de Sambre", "CAMVS", Kind.EPCI, "200043396"),
    ("Communauté d'agglomération de Cambrai", "CAC", Kind.EPCI, "200068500"),
    ("Communauté d'agglomération du Caudrésis et du Catésis", "CA2C", Kind.EPCI, "200030633"),
    ("Communauté d'agglomération du Douaisis", "CAD", Kind.EPCI, "200044618"),
    ("Sous-préfecture de Valenciennes", "SP Valenciennes", Kind.SOUS_PREFECTURE, None),
    ("Sous-préfecture de Douai", "SP Douai", Kind.SOUS_PREFECTURE, None),
    ("Sous-préfecture de Cambrai", "SP Cambrai", Kind.SOUS_PREFECTURE, None),
    ("Sous-préfecture d'Avesnes-sur-Helpe", "SP Avesnes", Kind.SOUS_PREFECTURE, None),
    ("SGAR Hauts-de-France", "SGAR", Kind.SGAR, None),
    ("Région Hauts-de-France", "Région HdF", Kind.REGION, None),
    ("Bpifrance", "", Kind.OPERATOR, None),
    ("ADEME", "", Kind.OPERATOR, None),
    ("Banque des Territoires", "", Kind.OPERATOR, None),
    ("Business France", "", Kind.OPERATOR, None),
    ("France Travail", "", Kind.OPERATOR, None),
    ("Enterprise Europe Network", "EEN", Kind.OPERATOR, None),
    ("Opérateur de la plateforme Pilote", "Exploitation", Kind.OTHER, None),
]

# email, first name, last name, organisation short name, role
ACCOUNTS = [
    ("cheffe.projet@pilote.demo", "Claire", "Delattre", "CCI GH", Role.TI_MANAGER),
    ("agent.valenciennes@pilote.demo", "Julien", "Lemaire", "CAVM", Role.EPCI_AGENT),
    ("agent.porteduhainaut@pilote.demo", "Sophie", "Carpentier", "CAPH", Role.EPCI_AGENT),
    ("agent.maubeuge@pilote.demo", "Karim", "Benali", "CAMVS", Role.EPCI_AGENT),
    ("agent.cambrai@pilote.demo", "Émilie", "Dufour", "CAC", Role.EPCI_AGENT),
    ("agent.caudresis@pilote.demo", "Thomas", "Lefebvre", "CA2C", Role.EPCI_AGENT),
    ("agent.douaisis@pilote.demo", "Nadia", "Moreau", "CAD", Role.EPCI_AGENT),
    ("partenaire.etat@pilote.demo", "Marc", "Vasseur", "SP Valenciennes", Role.PARTNER),
    ("partenaire.region@pilote.demo", "Isabelle", "Roussel", "Région HdF", Role.PARTNER),
    ("admin@pilote.demo", "Paul", "Martin", "Exploitation", Role.ADMIN),
]


def load(*, out) -> int:
    created = 0
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        territory = services.territory_create(
            acting_user=None,
            name=HDC_NAME,
            slug=HDC_SLUG,
            epcis=list(Epci.objects.filter(siren__in=HDC_EPCI_SIRENS)),
        )
        created += 1
    out.write(
        f"Territoire {territory.name} : {territory.epcis.count()} EPCI, "
        f"{territory.communes.count()} communes."
    )
    by_short = {}
    for name, short, kind, siren in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = services.organisation_create(
                acting_user=None,
                name=name,
                short_name=short,
                kind=kind,
                epci=Epci.objects.get(siren=siren) if siren else None,
                territories=[territory],
            )
            created += 1
        by_short[short or name] = organisation
    for email, first_name, last_name, short, role in ACCOUNTS:
        if User.objects.filter(email=email).exists():
            continue
        user = services.user_create(
            acting_user=None,
            email=email,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        services.membership_grant(
            acting_user=None,
            user=user,
            organisation=by_short[short],
            territory=territory,
            role=role,
        )
        created += 2
    return created


def print_accounts(out) -> None:
    out.write("")
    out.write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD}) :")
    for email, _first, _last, short, role in ACCOUNTS:
        out.write(f"  {email:<36} {Role(role).label} — {short}")


def summary(out) -> None:
    """Printed by `load_demo` once every app is loaded."""
    print_accounts(out)
