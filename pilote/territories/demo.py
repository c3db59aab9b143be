from pilote.territories.geography import load_geography
from pilote.territories.models import Epci, Territory
from pilote.territories.services import territory_create

HDC_NAME = "Hainaut-Douaisis-Cambrésis"
HDC_SLUG = "hainaut-douaisis-cambresis"
# The six communautés d'agglomération named by the roadmap, by SIREN (data/geo/epci.csv).
HDC_EPCI_SIRENS = [
    "245901160",  # CA Valenciennes Métropole
    "200042190",  # CA de la Porte du Hainaut
    "200043396",  # CA Maubeuge Val de Sambre
    "200068500",  # CA de Cambrai
    "200030633",  # CA du Caudrésis et du Catésis
    "200044618",  # CA Douaisis Agglo
]


def load(*, out) -> int:
    report = load_geography()
    created = sum(report.created.values())
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        territory = territory_create(
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
    return created
