"""« Ma semaine » (`/accompagnement/ma-semaine/`): the user's visits and planned exchanges of
the next seven days, their overdue actions (the weekly digest, `digest.digest_for`, read
through `visible_to`), and the sections later capabilities add here without being imported:
each function of `sections`, `(user, today) -> WeekSection | None`, is appended in its app's
`ready()` (aids: the calls closing within seven days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WeekSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)


sections: list[Callable[[object, dt.date], WeekSection | None]] = []


def extra_sections(user, today: dt.date) -> list[WeekSection]:
    return [s for source in sections if (s := source(user, today)) is not None]
