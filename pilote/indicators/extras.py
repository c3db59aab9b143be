"""What later capabilities add to the programme's figures, registered from their
`AppConfig.ready` — the indicators import none of them (docs/indicators.md):

- `FIGURES`: a key of `indicators --json` → `(territory, as_of, reader) -> dict | None`
  (None: nothing to say, the key is left out); `reader` None is the command without
  `--reader`, every record counted;
- `PANELS`: functions `(territory, as_of, reader) -> dict | None` giving a panel of the
  programme's dashboard: ``{"template": …, **its context}``, computed for the reader.

The bilan's sections have their own list, `bilan.EXTRA_SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

FIGURES: dict[str, Callable] = {}
PANELS: list[Callable] = []


def figures(territory, as_of, reader) -> dict:
    """The registered figures at `as_of` as `reader` sees them, by key."""
    found = {}
    for key, compute in FIGURES.items():
        value = compute(territory, as_of, reader)
        if value is not None:
            found[key] = value
    return found


def panels(territory, as_of, reader) -> list[dict]:
    return [p for panel in PANELS if (p := panel(territory, as_of, reader)) is not None]
