"""The home dashboard is a list of panels that apps contribute in their `dashboard.py`.

    @panel(roles=[Role.TI_MANAGER], order=20, template="notes/_dashboard.html")
    def recent_notes(request) -> dict | None:
        return {"notes": ...}   # None hides the panel

Panels are shown to the roles listed, in `order`. Later capabilities add their own panels
without touching the home view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    name: str
    roles: frozenset[str] | None  # None: every role
    order: int
    template: str
    build: Callable[[HttpRequest], dict | None]


_PANELS: dict[str, Panel] = {}


def panel(*, roles: Iterable[str] | None, template: str, order: int = 100):
    """Register a dashboard panel for the given roles (None: every role)."""

    def register(build: Callable[[HttpRequest], dict | None]):
        name = f"{build.__module__}.{build.__name__}"
        _PANELS[name] = Panel(
            name, None if roles is None else frozenset(roles), order, template, build
        )
        return build

    return register


def panels_for(request: HttpRequest) -> list[tuple[Panel, dict]]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    shown = []
    for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        if p.roles is None or membership.role in p.roles:
            context = p.build(request)
            if context is not None:
                shown.append((p, context))
    return shown
