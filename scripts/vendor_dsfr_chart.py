"""Vendor the State design system's charts, npm ``@gouvfr/dsfr-chart`` 2.0.4, patched for our CSP.

Usage (from the repository root)::

    python scripts/vendor_dsfr_chart.py                                  # npm pack in a temp dir
    python scripts/vendor_dsfr_chart.py --from-tarball gouvfr-dsfr-chart-2.0.4.tgz

It runs ``npm pack @gouvfr/dsfr-chart@2.0.4`` in a temporary directory (or reads the given
tarball), checks the tarball's SHA-256, and writes to ``static/vendor/dsfr-chart/``:

- ``DSFRChart.js``  the package's ``dist/DSFRChart/DSFRChart.js`` (ES module: every web component,
  Vue 3 and Chart.js in one file), with the patch below;
- ``DSFRChart.css`` the package's ``dist/DSFRChart/DSFRChart.css``, unchanged;
- ``LICENSE``       the package's licence (MIT), unchanged;
- ``README.md``     what this is, where it comes from, what the patch changes and why.

Why a patch: the page's CSP is ``style-src 'self'``, which forbids ``style="…"`` attributes that
come from HTML parsing. The charts' tooltips build their content with ``innerHTML`` and give
each colour dot a ``style="background-color:…"`` attribute: Chromium blocks it
(``style-src-attr``) and logs an error on every hover. The patch:

1. writes the colour as ``data-color="…"`` instead, and after the tooltip is filled sets
   ``element.style.backgroundColor`` through the CSSOM, which the CSP allows (``piloteDots``);
2. escapes what the tooltips insert as HTML: the title (the x label) is set with
   ``textContent`` instead of ``innerHTML``, the values and colours go through ``piloteEscape``;
3. in the line and scatter charts' tooltips, formats values the French way (``formatNumber``,
   as the bar chart already does: ``1 234 567``) and shows zero values (they were skipped);
4. draws the line chart's curves with Chart.js' monotone interpolation: its smoothing
   (``tension: 0.4``) overshot, so a cumulative count seemed to dip between two months.

Every replacement is an exact string (or an anchored regular expression) with an expected
number of occurrences: the script stops with an error if the bundle does not match, e.g. after
a version bump. Nothing else is changed. Standard library only; the output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@gouvfr/dsfr-chart"
VERSION = "2.0.4"
TARBALL = f"gouvfr-dsfr-chart-{VERSION}.tgz"
TARBALL_SHA256 = "666f5491d9bd957fee09ace4bf030c11679c5216daec30a6b53dd8d87a2116c0"
SOURCE_URL = f"https://registry.npmjs.org/{PACKAGE}/-/{TARBALL}"
REPOSITORY = "https://github.com/GouvernementFR/dsfr-chart"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "vendor" / "dsfr-chart"
JS = "package/dist/DSFRChart/DSFRChart.js"
CSS = "package/dist/DSFRChart/DSFRChart.css"
LICENSE = "package/LICENSE"

HELPERS = """\
/* Pilote patch (scripts/vendor_dsfr_chart.py): tooltips without style="…" attributes (CSP
   style-src 'self'), their colours set through the CSSOM, their text escaped. */
const piloteEntities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const piloteEscape = (value) => String(value).replace(/[&<>"']/g, (c) => piloteEntities[c]);
const piloteDots = (tooltip) => tooltip.querySelectorAll(".tooltip_dot[data-color]")
  .forEach((dot) => { dot.style.backgroundColor = dot.dataset.color; });
"""

TOOLTIP_ANCHOR = "const { offsetLeft: r, offsetTop: o } = this.chart.canvas"
TOOLTIP_ELEMENT = 'const i = (document.getElementById(this.databoxId + "-" + this.databoxType'

# (description, pattern, replacement, expected count, regex?)
PATCHES: list[tuple[str, str, str, int, bool]] = [
    (
        "colour dots: style attribute → data-color (escaped)",
        r'<span class="tooltip_dot" style="background-color:\$\{([^}]+)\};"></span>',
        r'<span class="tooltip_dot" data-color="${piloteEscape(\1)}"></span>',
        6,
        True,
    ),
    (
        "tooltip values: escaped",
        r'<p class="tooltip_place fr-mb-0">\$\{(\w+)\}</p>',
        r'<p class="tooltip_place fr-mb-0">${piloteEscape(\1)}</p>',
        6,
        True,
    ),
    ("tooltip title (bar chart): textContent", "u.innerHTML = d[0];", "u.textContent = d[0];", 1,
     False),
    ("tooltip titles: textContent", "f.innerHTML = d[0];", "f.textContent = d[0];", 4, False),
    ("tooltip title (pie chart): textContent", "f.innerHTML = d;", "f.textContent = d;", 1, False),
    (
        "colour dots: background colour through the CSSOM once the tooltip is filled",
        TOOLTIP_ANCHOR,
        "piloteDots(i);\n                " + TOOLTIP_ANCHOR,
        6,
        False,
    ),
    (
        "line and scatter tooltips: French number format",
        'const b = `${m}${this.unitTooltip ? " " + this.unitTooltip : ""}`;',
        'const b = `${this.formatNumber(m)}${this.unitTooltip ? " " + this.unitTooltip : ""}`;',
        2,
        False,
    ),
    (
        "line and scatter tooltips: zero values shown",
        "m && (g.innerHTML += `",
        "m != null && (g.innerHTML += `",
        2,
        False,
    ),
    (
        "line chart: monotone curves (a cumulative series never seems to go back)",
        "        pointHoverBorderColor: this.colorHover[i],\n        borderWidth: 2,\n"
        "        tension: 0.4\n      }));",
        "        pointHoverBorderColor: this.colorHover[i],\n        borderWidth: 2,\n"
        "        tension: 0.4,\n        cubicInterpolationMode: \"monotone\"\n      }));",
        1,
        False,
    ),
]  # fmt: skip


def fail(message: str) -> None:
    sys.exit(f"vendor_dsfr_chart: {message}")


def patch(source: str) -> str:
    for name in ("piloteEntities", "piloteEscape", "piloteDots"):
        if name in source:
            fail(f"{name} already in the bundle: is it patched already?")
    for description, pattern, replacement, expected, is_regex in PATCHES:
        if is_regex:
            source, count = re.subn(pattern, replacement, source)
        else:
            count = source.count(pattern)
            source = source.replace(pattern, replacement)
        if count != expected:
            fail(f"patch « {description} »: {count} occurrence(s), {expected} expected")
    # Each colouring call sits in a tooltip handler whose `i` is the tooltip element.
    for match in re.finditer(re.escape("piloteDots(i);"), source):
        handler = source[max(0, match.start() - 2500) : match.start()]
        if TOOLTIP_ELEMENT not in handler:
            fail(f"piloteDots(i) at offset {match.start()} is not in a tooltip handler")
    # Nothing left that parses a style attribute or inserts a label as HTML.
    for leftover in ('style="', "style='", "innerHTML = d"):
        if leftover in source:
            fail(f"« {leftover} » still in the patched bundle")
    return HELPERS + source


def fetch(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return workdir / TARBALL


def read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        fail(f"{name} missing from {TARBALL}")
    return member.read()


def readme(js: bytes, css: bytes) -> str:
    def sha(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    return f"""# DSFR Chart (vendored, patched)

The State design system's charts (web components `<line-chart>`, `<bar-chart>`, … built with
Vue 3 and Chart.js), used by the programme dashboard (`/programme/`, only that page loads them).

- package: npm `{PACKAGE}` {VERSION} — {SOURCE_URL}
  (tarball SHA-256 `{TARBALL_SHA256}`), sources {REPOSITORY}
- licence: MIT, copyright DINUM (`LICENSE`, the package's own file)
- files: `DSFRChart.js` (`dist/DSFRChart/DSFRChart.js`, patched, {len(js):,} bytes,
  SHA-256 `{sha(js)}`), `DSFRChart.css` (`dist/DSFRChart/DSFRChart.css`, unchanged,
  SHA-256 `{sha(css)}`)
- rebuild: `python scripts/vendor_dsfr_chart.py` (runs `npm pack`, applies the patch, writes
  this directory; it fails loudly if the bundle no longer matches the patch)

No CDN: the bundle loads nothing by itself; its URLs are XML namespaces, links in comments and
error messages. Only the `<data-box>` image export (html-to-image, not used by Pilote) fetches,
on a click, the page's own stylesheets and fonts. The charts' font is DSFR's Marianne, already
loaded by `dsfr.min.css`.

## The patch, and why

Pilote's CSP is `style-src 'self'`: no `style="…"` attribute may come from HTML parsing.
The charts' tooltips build their content with `innerHTML` and gave each colour dot
`style="background-color:…"`, which Chromium blocks (`style-src-attr`, an error on every hover).
The script changes, by exact replacements with an expected count:

1. the 6 tooltip templates: `style="background-color:${{…}};"` → `data-color="${{…}}"`, then,
   once the tooltip is filled, `piloteDots(i)` sets `dot.style.backgroundColor` through the
   CSSOM, which the CSP allows (colouring before the next `innerHTML +=` would not survive it);
2. the tooltips' title (the x label) is set with `textContent` instead of `innerHTML` (6
   places), the values and colours written into the templates go through `piloteEscape`;
3. the line and scatter charts' tooltips format values as the bar chart does
   (`formatNumber`: `1 234 567`) and show zero values (`m &&` skipped them);
4. the line chart's curves use Chart.js' `cubicInterpolationMode: "monotone"`: the smoothing
   (`tension: 0.4`) overshot, so a cumulative count seemed to dip or peak between two months.

Two helpers, `piloteEscape` and `piloteDots`, are prepended to the file. Nothing else changes.
The Vue components set their other styles (legend dots, canvas size, tooltip position) through
the CSSOM, which the CSP allows.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-tarball", type=Path, help=f"use this {TARBALL} (no npm)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.from_tarball or fetch(Path(tmp))
        data = tarball.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != TARBALL_SHA256:
            fail(f"{tarball.name}: SHA-256 {digest}, {TARBALL_SHA256} expected")
        with tarfile.open(tarball) as archive:
            js = read_member(archive, JS)
            css = read_member(archive, CSS)
            licence = read_member(archive, LICENSE)
    patched = patch(js.decode("utf-8")).encode("utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "DSFRChart.js").write_bytes(patched)
    (OUT / "DSFRChart.css").write_bytes(css)
    (OUT / "LICENSE").write_bytes(licence)
    (OUT / "README.md").write_text(readme(patched, css), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: DSFRChart.js {len(patched):,} bytes (patched), "
          f"DSFRChart.css {len(css):,} bytes, LICENSE, README.md")  # fmt: skip


if __name__ == "__main__":
    main()
