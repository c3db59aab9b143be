"""The establishments' source for the global search (pilote.search), registered in ready():
the current territory's establishments by name or SIRET (`Establishment.objects.search`, the
FTS / pg_trgm index), or by commune — `directory.matching`, as the directory's `q`, so « voir
tout » (the directory, `?q=…&state=all`) lists exactly what was found. In name order, those
without a public name (non-diffusible sole traders) last, as in the directory."""

from pilote.companies import directory
from pilote.companies.models import Establishment
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    territory = request.territory
    if territory is None:
        return Establishment.objects.none()
    epci_ids = list(territory.epcis.values_list("pk", flat=True))
    found = directory.matching(Establishment.objects.filter(epci_id__in=epci_ids), territory, text)
    return directory.by_name(found.select_related("company", "commune"), "pk")


def hit(establishment: Establishment) -> Hit:
    parts = [establishment.siret, establishment.commune.name]
    if establishment.is_closed:
        parts.append("fermé")
    return Hit(establishment.display_name, establishment.get_absolute_url(), " · ".join(parts))


source = SearchSource(
    key="etablissements",
    label="Établissements",
    order=10,
    covers="les établissements de votre territoire (nom, SIRET ou SIREN, commune)",
    find=find,
    hit=hit,
    list_name="companies:directory",
    list_params=(("state", "all"),),
)
