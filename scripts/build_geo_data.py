"""Rebuild the French reference geography shipped in data/geo/.

Source: the npm package ``@etalab/decoupage-administratif`` (MIT code, data from INSEE's
Code officiel géographique and the DGCL under the Licence Ouverte), pinned by version.

Usage (from the repository root)::

    python scripts/build_geo_data.py                      # npm pack the pinned version (6.0.0)
    python scripts/build_geo_data.py --version 6.0.0
    python scripts/build_geo_data.py --from-tarball etalab-decoupage-administratif-6.0.0.tgz

Without ``--from-tarball`` the script runs ``npm pack @etalab/decoupage-administratif@VERSION``
in a temporary directory (needs ``npm`` and access to the npm registry). It writes, sorted by
code, UTF-8 without BOM, comma-separated, ``\\n`` line endings, with a header row:

- ``regions.csv``       code,nom
- ``departements.csv``  code,nom,region
- ``communes.csv``      code,nom,departement,region,codes_postaux,population,epci
  (current communes only; postal codes sorted and space-joined; epci = SIREN of the EPCI
  à fiscalité propre, derived from ``epci.json`` members, empty when none)
- ``epci.csv``          siren,nom,type,population (population = populationTotale)

and copies the package LICENSE to ``LICENSE-decoupage-administratif.txt``. The output is
deterministic: two runs on the same version give byte-identical files. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_VERSION = "6.0.0"
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "geo"
LICENSE_NAME = "LICENSE-decoupage-administratif.txt"


def npm_pack(version: str, workdir: Path) -> Path:
    """Download the package tarball with ``npm pack`` into workdir and return its path."""
    subprocess.run(
        ["npm", "pack", "--silent", f"{PACKAGE}@{version}"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"expected one tarball from npm pack, found {tarballs}")
    return tarballs[0]


def read_package(tarball: Path) -> dict[str, bytes]:
    """Return the raw bytes of package.json, LICENSE and data/*.json from the tarball."""
    files: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if member.isfile() and (
                name in ("package.json", "LICENSE")
                or (name.startswith("data/") and name.endswith(".json"))
            ):
                files[name] = tar.extractfile(member).read()
    return files


def build_rows(files: dict[str, bytes]) -> dict[str, list[list[str]]]:
    """Turn the package JSON files into sorted CSV rows (header first), with checks."""

    def load(name: str) -> list[dict]:
        return json.loads(files[f"data/{name}.json"])

    regions = sorted(load("regions"), key=lambda r: r["code"])
    departements = sorted(load("departements"), key=lambda d: d["code"])
    epcis = sorted(load("epci"), key=lambda e: e["code"])
    communes = sorted(
        (c for c in load("communes") if c["type"] == "commune-actuelle"),
        key=lambda c: c["code"],
    )

    epci_of: dict[str, str] = {}
    for epci in epcis:
        for membre in epci["membres"]:
            if epci_of.setdefault(membre["code"], epci["code"]) != epci["code"]:
                raise SystemExit(f"commune {membre['code']} belongs to several EPCI")

    region_codes = {r["code"] for r in regions}
    dep_codes = {d["code"] for d in departements}
    commune_codes = {c["code"] for c in communes}
    errors = [
        f"departement {d['code']}: unknown region"
        for d in departements
        if d["region"] not in region_codes
    ]
    errors += [
        f"commune {c['code']}: unknown departement/region"
        for c in communes
        if c["departement"] not in dep_codes or c["region"] not in region_codes
    ]
    errors += [
        f"EPCI member {code} is not a current commune"
        for code in epci_of
        if code not in commune_codes
    ]
    if len(commune_codes) != len(communes):
        errors.append("duplicate commune codes")
    if errors:
        raise SystemExit("inconsistent source data:\n" + "\n".join(errors[:20]))

    def num(value: object) -> str:
        return "" if value is None else str(int(value))

    return {
        "regions.csv": [["code", "nom"]] + [[r["code"], r["nom"]] for r in regions],
        "departements.csv": [["code", "nom", "region"]]
        + [[d["code"], d["nom"], d["region"]] for d in departements],
        "communes.csv": [
            ["code", "nom", "departement", "region", "codes_postaux", "population", "epci"]
        ]
        + [
            [
                c["code"],
                c["nom"],
                c["departement"],
                c["region"],
                " ".join(sorted(set(c.get("codesPostaux") or []))),
                num(c.get("population")),
                epci_of.get(c["code"], ""),
            ]
            for c in communes
        ],
        "epci.csv": [["siren", "nom", "type", "population"]]
        + [[e["code"], e["nom"], e["type"], num(e.get("populationTotale"))] for e in epcis],
    }


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=DEFAULT_VERSION, help="package version to use")
    parser.add_argument("--from-tarball", type=Path, help="use this .tgz instead of npm pack")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the files (default: data/geo in this repository)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.from_tarball or npm_pack(args.version, Path(tmp))
        files = read_package(tarball)

    found = json.loads(files["package.json"]).get("version")
    if found != args.version:
        raise SystemExit(f"tarball is version {found}, expected {args.version}")

    args.output_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in build_rows(files).items():
        (args.output_dir / name).write_bytes(to_csv(rows))
        print(f"{name}: {len(rows) - 1} rows")
    (args.output_dir / LICENSE_NAME).write_bytes(files["LICENSE"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
