from pilote.accounts.models import Membership
from pilote.core.enums import Visibility
from pilote.notes import services
from pilote.notes.models import Note

# author email, EPCI short name, visibility, title, body
NOTES = [
    (
        "agent.valenciennes@pilote.demo",
        "CAVM",
        Visibility.EPCI,
        "Zone d'activités de Rouvignies : disponibilités foncières",
        "Trois lots restent libres (2,4 ha au total). Deux industriels de la mécanique ont "
        "demandé des informations ; **à recontacter en janvier**.",
    ),
    (
        "cheffe.projet@pilote.demo",
        "CAVM",
        Visibility.PARTNERS,
        "Filière ferroviaire : besoins en soudeurs",
        "Les sous-traitants rencontrés signalent un manque de soudeurs qualifiés. "
        "Piste : AMI Compétences et métiers d'avenir, avec France Travail.",
    ),
    (
        "agent.porteduhainaut@pilote.demo",
        "CAPH",
        Visibility.TERRITORY,
        "Réseau de chaleur Trith-Saint-Léger / Prouvy",
        "Étude de faisabilité pour valoriser la chaleur fatale d'un site métallurgique. "
        "Intéresse aussi Valenciennes Métropole.",
    ),
    (
        "agent.maubeuge@pilote.demo",
        "CAMVS",
        Visibility.EPCI,
        "Friche industrielle de Louvroil",
        "Dossier de reconversion en cours : dépollution chiffrée à 1,1 M€, recherche de "
        "financements (fonds friches).",
    ),
    (
        "cheffe.projet@pilote.demo",
        "CAMVS",
        Visibility.PRIVATE,
        "Préparation du point bilatéral de décembre",
        "Points à aborder : calendrier de prospection 2027, permanences mensuelles à Maubeuge.",
    ),
    (
        "agent.cambrai@pilote.demo",
        "CAC",
        Visibility.EPCI,
        "Parc d'activités E2C : projet d'implantation logistique",
        "Contact pris avec un logisticien frigorifique ; 40 emplois annoncés. Confidentiel.",
    ),
    (
        "agent.caudresis@pilote.demo",
        "CA2C",
        Visibility.TERRITORY,
        "Club d'entreprises du Caudrésis : atelier robotique",
        "Le club propose d'accueillir un atelier de sensibilisation à la robotique au "
        "printemps. Voir avec la CCI pour les diagnostics IDF.",
    ),
    (
        "agent.douaisis@pilote.demo",
        "CAD",
        Visibility.PARTNERS,
        "Hydrogène vert : réunion des industriels électro-intensifs",
        "Réunion prévue avec trois industriels électro-intensifs et la Région pour "
        "mutualiser la demande d'hydrogène.",
    ),
]


def load(*, out) -> int:
    created = 0
    for email, short, visibility, title, body in NOTES:
        if Note.objects.filter(title=title).exists():
            continue
        membership = Membership.objects.select_related("user", "organisation", "territory").get(
            user__email=email
        )
        epci = membership.territory.epcis.get(organisation__short_name=short)
        services.note_create(
            acting_user=membership.user,
            epci=epci,
            title=title,
            body=body,
            visibility=visibility,
        )
        created += 1
    return created
