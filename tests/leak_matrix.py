"""The leak matrix (docs/rules.md): every role × every follow-up URL × every visibility.

Each capability registers its follow-up objects in `tests/<app>/leak_cases.py`:

    register(LeakCase(
        name="note",
        make=lambda world, *, epci, visibility, author: NoteFactory(...),  # returns the object
        marker=lambda obj: obj.title,          # text that only this object shows
        read_urls={"detail": lambda obj: reverse("notes:detail", args=[obj.pk])},
        restricted_urls={"edit": lambda obj: reverse("notes:edit", args=[obj.pk])},
        collection_urls={"list": lambda world: reverse("notes:list"), ...},  # lists, exports,
    ))                                                                         # feeds, digests

`tests/core/test_leak_matrix.py` then checks, for each actor of `tests/world.py`:

- read URLs answer 200 when the actor may see the object and 404 otherwise;
- restricted URLs (edit forms, history…) answer 404 when the actor may not see the object,
  and may still refuse (403/404) one they see;
- collection URLs (lists, exports, feeds, digests) show the marker exactly when the actor
  may see the object;
- sample URLs (dashboards) and related URLs (the establishment page of an object attached to
  an establishment) never show an object the actor may not see;
- POST URLs (edit, delete, status changes…) answer 404 to an actor who may not see the object,
  and leave it unchanged (its row, and not one audit event written); a positive control checks
  that the data sent does change the object when its editor sends it.

`tests/url_map.py` declares every URL name of the project either covered here or exempted
with a reason (tests/core/test_url_coverage.py).

What "may see" means is written below from the table of docs/rules.md, independently of the
application code.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from pilote.core.enums import CHOSEN, Visibility


def decode_any(content: bytes) -> str:
    """A response as text: HTML, CSV, iCalendar as they are; a spreadsheet's XML (XLSX)."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
    return content.decode("utf-8", errors="replace")


@dataclass
class LeakCase:
    name: str
    make: Callable
    marker: Callable
    read_urls: dict[str, Callable] = field(default_factory=dict)
    restricted_urls: dict[str, Callable] = field(default_factory=dict)
    collection_urls: dict[str, Callable] = field(default_factory=dict)
    # Pages that show only a selection (dashboards, "latest" panels): never an invisible object.
    sample_urls: dict[str, Callable] = field(default_factory=dict)
    # Pages about something the object is attached to (e.g. its establishment's page), built
    # from the object: they must never show it to whoever may not see it.
    related_urls: dict[str, Callable] = field(default_factory=dict)
    # Addresses that write on the object when POSTed to (edit, delete, status…): name →
    # (url of the object, data of the object). Data `None` sends the form the editor gets at
    # that address (a GET), its fields holding the marker edited.
    post_urls: dict[str, tuple[Callable, Callable | None]] = field(default_factory=dict)
    # Who may send them (the positive control): the TI manager, who edits everything.
    editor: str = "manager"
    # Collection responses that are not text (e.g. PDF) can give a decoder here.
    decode: Callable[[bytes], str] = decode_any
    # Records outside the follow-up rule (the governance of a territory, its partnership
    # agreement…) say who sees each specimen: (actor, epci, visibility, author) → bool, written
    # from their own docs table. None: the follow-up rule, `expected_visible`.
    visible: Callable[[str, str, str, str], bool] | None = None
    # Records that offer the fifth visibility « EPCI choisis » are also tried with
    # `CHOSEN_SPECIMENS` (their `make` shares each with the EPCIs of `CHOSEN_SHARES`).
    chosen: bool = False

    def sees(self, actor: str, spec: tuple) -> bool:
        return (self.visible or expected_visible)(actor, *spec)

    @property
    def specimens(self) -> list[tuple]:
        return SPECIMENS + CHOSEN_SPECIMENS if self.chosen else SPECIMENS


REGISTRY: dict[str, LeakCase] = {}


def register(case: LeakCase) -> LeakCase:
    REGISTRY[case.name] = case
    return case


def load_all_cases() -> dict[str, LeakCase]:
    """Import every `tests/<app>/leak_cases*.py`, which register their cases."""
    for path in sorted(Path(__file__).resolve().parent.glob("*/leak_cases*.py")):
        import_module(f"tests.{path.parent.name}.{path.stem}")
    return REGISTRY


# The objects every case is tried with: (EPCI of the object, visibility, author actor).
# All sit in territory A; e1 is agent_e1's EPCI.
SPECIMENS = [
    ("e1", Visibility.EPCI, "agent_e1"),
    ("e1", Visibility.TERRITORY, "agent_e1"),
    ("e1", Visibility.PARTNERS, "agent_e1"),
    ("e1", Visibility.PRIVATE, "agent_e1"),
    ("e1", Visibility.PRIVATE, "manager"),
    ("e2", Visibility.EPCI, "agent_e2"),
]

# « EPCI choisis »: the specimen led by e1 is shared with e2 too (two chosen EPCIs, seen by
# both); the one led by e2 with no other EPCI (not seen by e1's agent).
CHOSEN_SHARES = {"e1": ["e2"], "e2": []}
CHOSEN_SPECIMENS = [
    ("e1", CHOSEN, "agent_e1"),
    ("e2", CHOSEN, "agent_e2"),
]

_AUTHOR_ORG = {"agent_e1": "o1", "agent_e2": "o2", "manager": "cci"}


def expected_visible(actor: str, epci: str, visibility: str, author: str) -> bool:
    """docs/rules.md, spelled out for the actors of tests/world.py."""
    if actor == "manager":  # TI manager of territory A sees all of A's follow-up
        return True
    if actor in {"agent_e1", "agent_e2"}:
        own_epci = actor[-2:] == epci
        author_org_is_mine = _AUTHOR_ORG[author] == {"agent_e1": "o1", "agent_e2": "o2"}[actor]
        if visibility == Visibility.EPCI:
            return own_epci
        if visibility == CHOSEN:
            return own_epci or actor[-2:] in CHOSEN_SHARES[epci] or author_org_is_mine
        if visibility in {Visibility.TERRITORY, Visibility.PARTNERS}:
            return True
        return author_org_is_mine  # private
    if actor == "partner":  # never « EPCI choisis »: partners are no EPCI
        return visibility == Visibility.PARTNERS
    # admin (no follow-up), another territory's members, and accounts without membership
    return False
