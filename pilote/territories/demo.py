"""The official geography; the demo territory itself is created by accounts' demo, which
holds the service that creates territories."""

from pilote.territories.geography import load_geography

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
    return sum(report.created.values())
