"""The establishments' source for the global search (pilote.search), registered in ready():
the current territory's establishments by name or SIRET (`Establishment.objects.search`, the
FTS / pg_trgm index), or by commune."""

from pilote.companies.models import Establishment, normalise
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    territory = request.territory
    if territory is None:
        return Establishment.objects.none()
    epci_ids = list(territory.epcis.values_list("pk", flat=True))
    base = Establishment.objects.filter(epci_id__in=epci_ids)
    found = base.search(text)
    wanted = normalise(text)
    if wanted and not wanted.replace(" ", "").isdigit():
        communes = [
            code
            for code, name in territory.communes.values_list("pk", "name")
            if wanted in normalise(name)
        ]
        if communes:
            found = found | base.filter(commune_id__in=communes)
    return found.select_related("company", "commune").order_by("search_text", "pk")


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
