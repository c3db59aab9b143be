"""The directory's query: the territory's establishments, filtered as the form says."""

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from pilote.companies.enums import CORE_TARGET_BANDS, EstablishmentState
from pilote.companies.models import Establishment, TerritoryProfile, normalise, prefix_q
from pilote.companies.nomenclatures import DEFAULT_INDUSTRIAL_SECTIONS
from pilote.companies.registry import directory_orderings, followed_q

DEFAULTS = {"industrial": "on", "state": "open"}

# An establishment without a public name — a non-diffusible sole trader, shown « Entrepreneur
# individuel (non diffusible) » (Company.display_name) — has a search text of only its SIRET
# after a space (importer._search_text); a name starts with a letter or a digit. The name
# sort puts these last: a range of the name index, not a computed column.
NAMED_FROM = "0"  # search_text >= "0": a public name; below: none


def _name_hidden() -> ExpressionWrapper:
    return ExpressionWrapper(Q(search_text__lt=NAMED_FROM), output_field=BooleanField())


NAME_ORDER = ("name_hidden", "search_text")  # on the `name_hidden` alias (by_name)


def by_name(qs: QuerySet, *tiebreak: str) -> QuerySet:
    """`qs` in name order, the establishments without a public name last."""
    return qs.alias(name_hidden=_name_hidden()).order_by(*NAME_ORDER, *tiebreak)


def sorted_by_name(qs: QuerySet) -> bool:
    return tuple(qs.query.order_by) == NAME_ORDER


def page_by_name(qs: QuerySet, bottom: int, size: int, total: int | None) -> list:
    """Rows [bottom, bottom + size) of a `by_name` list, read as two ranges of the name index
    (estab_sorted_idx and its siblings walk `search_text` in order and stop at the page): the
    named establishments first, then, on the pages past them, those without a public name.
    `total` is the exact number of matches, or None when the count was capped. One query for
    a page of named establishments, at most three on the page where the two parts meet."""
    walk = qs.order_by("search_text")
    named = walk.filter(search_text__gte=NAMED_FROM)
    ids = named.values("pk")[bottom : bottom + size]
    rows = list(with_display(qs.filter(pk__in=ids)))
    if len(rows) == size or (total is not None and bottom + len(rows) >= total):
        return rows
    named_count = bottom + len(rows) if rows else named.order_by()[:bottom].count()
    start = bottom + len(rows) - named_count
    nameless = walk.filter(search_text__lt=NAMED_FROM)
    ids = nameless.values("pk")[start : start + size - len(rows)]
    return rows + list(with_display(qs.filter(pk__in=ids)))


MIN_COMMUNE_TEXT = 2  # one letter is in most communes' names (and the global search's minimum)


def matching(qs: QuerySet, territory, text: str, communes=None) -> QuerySet:
    """`qs` narrowed to what `text` finds: a name, SIRET or SIREN (`Establishment.objects.
    search`, the FTS / pg_trgm index), or a commune of the territory whose name holds it
    (accents and case aside, two characters at least). The directory's `q` and the global
    search's establishments both use it, so « voir tout » lists exactly what was found.
    `communes`: the territory's (code, name) pairs when the caller has read them already."""
    found = qs.search(text)
    wanted = normalise(text)
    if len(wanted) >= MIN_COMMUNE_TEXT and not wanted.replace(" ", "").isdigit():
        if communes is None:  # (code, name) of the territory's communes, when already read
            communes = territory.communes.values_list("pk", "name")
        codes = [code for code, name in communes if wanted in normalise(name)]
        if codes:
            found = found | qs.filter(commune_id__in=codes)
    return found


ORDERINGS = {
    "-headcount": ["-band_rank", "search_text"],  # Establishment.band_rank, indexed
    "-created": [F("created_on").desc(nulls_last=True), "search_text"],
    "commune": ["commune__name", "search_text"],
}


def industrial_sections(territory) -> list[str]:
    profile = TerritoryProfile.objects.filter(territory=territory).first()
    return profile.industrial_sections if profile else DEFAULT_INDUSTRIAL_SECTIONS


def establishments(territory, user, filters: dict, communes=None) -> QuerySet:
    epci_ids = list(territory.epcis.values_list("pk", flat=True))
    qs = Establishment.objects.filter(epci_id__in=epci_ids)
    if filters.get("epci"):
        qs = qs.filter(epci=filters["epci"])
    if filters.get("commune"):
        qs = qs.filter(commune=filters["commune"])
    if filters.get("sector"):
        qs = qs.filter(filters["sector"].naf_q())
    if filters.get("naf"):
        qs = qs.filter(prefix_q("naf_code", filters["naf"]))
    if filters.get("band"):
        qs = qs.filter(headcount_band__in=filters["band"])
    size = filters.get("size")
    if size == "core":
        qs = qs.filter(headcount_band__in=CORE_TARGET_BANDS)
    elif size:
        qs = qs.filter(company__size_category=size)
    if filters.get("industrial"):
        qs = qs.filter(naf_section__in=industrial_sections(territory))
    state = filters.get("state") or "open"
    if state == "open":
        qs = qs.filter(state=EstablishmentState.ACTIVE)
    elif state == "closed":
        qs = qs.filter(state=EstablishmentState.CLOSED)
    if filters.get("followed") == "followed":
        qs = qs.filter(followed_q(user))
    elif filters.get("followed") == "never":
        qs = qs.exclude(followed_q(user))
    qs = matching(qs, territory, filters.get("q", ""), communes)
    sort = filters.get("sort") or "name"
    if sort in directory_orderings:
        return directory_orderings[sort].apply(qs, territory=territory, user=user)
    if sort not in ORDERINGS:
        return by_name(qs)
    return qs.order_by(*ORDERINGS[sort])


def with_display(qs: QuerySet) -> QuerySet:
    return qs.select_related("company", "commune", "epci")
