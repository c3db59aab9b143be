"""The directory's query: the territory's establishments, filtered as the form says."""

from django.db.models import F, QuerySet

from pilote.companies.enums import CORE_TARGET_BANDS, EstablishmentState
from pilote.companies.models import Establishment, TerritoryProfile, prefix_q
from pilote.companies.nomenclatures import DEFAULT_INDUSTRIAL_SECTIONS
from pilote.companies.registry import directory_orderings, followed_q

DEFAULTS = {"industrial": "on", "state": "open"}

ORDERINGS = {
    "name": ["search_text"],
    "-headcount": ["-band_rank", "search_text"],  # Establishment.band_rank, indexed
    "-created": [F("created_on").desc(nulls_last=True), "search_text"],
    "commune": ["commune__name", "search_text"],
}


def industrial_sections(territory) -> list[str]:
    profile = TerritoryProfile.objects.filter(territory=territory).first()
    return profile.industrial_sections if profile else DEFAULT_INDUSTRIAL_SECTIONS


def establishments(territory, user, filters: dict) -> QuerySet:
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
    qs = qs.search(filters.get("q", ""))
    sort = filters.get("sort") or "name"
    if sort in directory_orderings:
        return directory_orderings[sort].apply(qs, territory=territory, user=user)
    return qs.order_by(*ORDERINGS.get(sort, ORDERINGS["name"]))


def with_display(qs: QuerySet) -> QuerySet:
    return qs.select_related("company", "commune", "epci")
