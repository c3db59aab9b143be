"""The leak matrix covers the whole URL map: every URL name of the project is either reached
by a leak case (tests/<app>/leak_cases*.py) or exempted in tests/url_map.py with its reason.

A new page fails here until it is added to a leak case or to the exemptions; an exemption for
a page that no longer exists, or that a case now covers, fails too.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from pilote.core.enums import Visibility
from tests.leak_matrix import load_all_cases
from tests.url_map import EXEMPT, EXEMPT_NAMESPACES


def url_names(resolver=None, namespace: str | None = None, prefix: str = "") -> dict[str, str]:
    """Every URL name (« namespace:name ») → its pattern; an unnamed pattern is listed under
    « namespace:<sans nom> pattern » (it cannot be reversed, so nothing can cover it)."""
    names: dict[str, str] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= url_names(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<sans nom> {route}"
            names[f"{namespace}:{name}" if namespace else name] = route
    return names


def covered_names(world) -> dict[str, list[str]]:
    """URL name → the leak cases whose URLs reach it (one specimen of each case)."""
    covered: dict[str, list[str]] = {}
    for case in load_all_cases().values():
        obj = case.make(world, epci="e1", visibility=Visibility.EPCI, author="agent_e1")
        urls = [u(obj) for u in (*case.read_urls.values(), *case.restricted_urls.values())]
        urls += [u(obj) for u in case.related_urls.values()]
        urls += [u(world) for u in (*case.collection_urls.values(), *case.sample_urls.values())]
        urls += [post[0](obj) for post in case.post_urls.values()]
        for url in urls:
            covered.setdefault(resolve(url.split("?")[0]).view_name, []).append(case.name)
    return covered


def _exempted(name: str) -> bool:
    return name in EXEMPT or name.split(":")[0] in EXEMPT_NAMESPACES


def test_every_url_name_is_covered_by_the_leak_matrix_or_exempted(world):
    names = url_names()
    covered = covered_names(world)
    missing = sorted(n for n in names if n not in covered and not _exempted(n))
    assert missing == [], "Ni couvertes par un cas de fuite ni exemptées : " + ", ".join(
        f"{n} ({names[n]})" for n in missing
    )


def test_every_exemption_names_an_existing_url_not_covered_elsewhere(world):
    names = url_names()
    stale = sorted(n for n in EXEMPT if n not in names)
    assert stale == [], f"Exemptions d'adresses qui n'existent plus : {stale}"
    namespaces = {n.split(":")[0] for n in names if ":" in n}
    assert set(EXEMPT_NAMESPACES) <= namespaces
    covered = covered_names(world)
    redundant = sorted(n for n in EXEMPT if n in covered)
    assert redundant == [], (
        f"Exemptées mais couvertes par un cas (retirer l'exemption) : {redundant}"
    )
    assert all(reason.strip() for reason in (*EXEMPT.values(), *EXEMPT_NAMESPACES.values()))


def test_the_url_walk_sees_every_app():
    names = url_names()
    namespaces = {n.split(":")[0] for n in names if ":" in n}
    assert {"core", "accounts", "notes", "contacts", "companies", "prospecting"} <= namespaces
    assert {"territories", "accompaniment", "aids", "admin"} <= namespaces
    assert "healthz" in names
