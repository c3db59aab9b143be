"""The aid schemes' source for the global search (pilote.search), registered in ready(): the
catalogue is open data, every member reads it."""

from pilote.aids.models import AidScheme
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    return AidScheme.objects.search(text).order_by("title", "pk")


def hit(scheme: AidScheme) -> Hit:
    return Hit(scheme.title, scheme.get_absolute_url(), scheme.promise)


source = SearchSource(
    key="dispositifs",
    label="Dispositifs d'aide",
    order=60,
    covers="le catalogue des dispositifs d'aide (titre, promesse, porteur, programme)",
    find=find,
    hit=hit,
    list_name="aids:list",
    list_params=(("status", "all"),),
)
