"""Actions owned by a user that other capabilities keep (e.g. the actions decided in a
governance meeting), shown on « Mes actions » and counted on the dashboard panel.

Accompaniment imports none of them: each capability appends a provider to `providers` in its
`AppConfig.ready()`. A provider `(user, today) -> ActionSection | None` returns the user's
open actions of its kind, already limited to what the user may still see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActionSection:
    title: str  # the section's heading on « Mes actions »
    template: str  # renders `section` (this object) and `today`
    items: list = field(default_factory=list)  # the open actions, oldest due first
    overdue: int = 0  # how many of them are overdue

    @property
    def open(self) -> int:
        return len(self.items)


providers: list[Callable[[object, dt.date], ActionSection | None]] = []


def sections(user, today: dt.date) -> list[ActionSection]:
    """Every provider's section for `user` (those with no open action left out)."""
    found = (provider(user, today) for provider in providers)
    return [section for section in found if section is not None and section.items]
