"""Rebuild the company-base nomenclatures shipped in data/naf/ and check data/sectors.json.

Sources, both pinned by version:

- PyPI ``pynsee`` 0.3.0 (InseeFrLab, MIT, copyright INSEE): its ``pynsee/metadata/data/naf.zip``
  holds INSEE's own files ``naf2008/int_courts_naf_rev_2.csv`` (codes and full French labels of
  the five levels of the NAF rév. 2) and ``naf2008/naf2008_5_niveaux.csv`` (the hierarchy).
  This is the only registry package found that ships the 21 sections.
- npm ``@socialgouv/codes-naf`` 1.1.1 (Apache-2.0): divisions to sous-classes, no sections.
  Used as an independent cross-check: same codes, same labels once whitespace is normalised.

Usage (from the repository root)::

    python scripts/build_naf_data.py                       # pip download + npm pack
    python scripts/build_naf_data.py --from-wheel pynsee-0.3.0-py3-none-any.whl \\
        --from-tarball socialgouv-codes-naf-1.1.1.tgz
    python scripts/build_naf_data.py --no-cross-check      # skip the npm comparison
    python scripts/build_naf_data.py --check               # no download: validate the files

Without ``--from-wheel`` the script runs ``python -m pip download --no-deps pynsee==0.3.0`` and,
without ``--from-tarball``, ``npm pack @socialgouv/codes-naf@1.1.1``, in a temporary directory.
It writes, UTF-8 without BOM, comma-separated, ``\\n`` line endings, a header row, sorted by code:

- ``naf_rev2.csv``            code,level,label,parent  (1 728 rows: 21/88/272/615/732)
- ``tranches_effectifs.csv``  code,label,min,max       (16 rows, from the table below)

Labels are INSEE's, with runs of whitespace (double spaces, line breaks in two labels of the
source file) collapsed to one space and the ends trimmed; nothing else is changed (section labels
stay in capitals, as INSEE writes them). It then validates ``data/sectors.json`` against the NAF
file. The output is deterministic: two runs give byte-identical files. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "data" / "naf"
DEFAULT_SECTORS = ROOT / "data" / "sectors.json"

PYNSEE = "pynsee"
PYNSEE_VERSION = "0.3.0"
PYNSEE_NAF_ZIP = "pynsee/metadata/data/naf.zip"
# sha256 of naf.zip inside the wheel (also recorded, base64, in the wheel's RECORD).
PYNSEE_NAF_ZIP_SHA256 = "31c9cd218593f81a03cf5c2bd09c20cb0d5d4cd7aded47bc672ae4f26f54c801"
LABELS_MEMBER = "naf2008/int_courts_naf_rev_2.csv"
LEVELS_MEMBER = "naf2008/naf2008_5_niveaux.csv"
SOURCE_ENCODING = "cp1252"  # INSEE's export: Windows-1252 (’ and œ are 0x92 and 0x9c)

NPM_PACKAGE = "@socialgouv/codes-naf"
NPM_VERSION = "1.1.1"

LEVELS = ("section", "division", "groupe", "classe", "sous-classe")
EXPECTED_COUNTS = {
    "section": 21,
    "division": 88,
    "groupe": 272,
    "classe": 615,
    "sous-classe": 732,
}
CODE_PATTERNS = {
    "section": re.compile(r"[A-U]"),
    "division": re.compile(r"\d\d"),
    "groupe": re.compile(r"\d\d\.\d"),
    "classe": re.compile(r"\d\d\.\d\d"),
    "sous-classe": re.compile(r"\d\d\.\d\d[A-Z]"),
}

# Tranche d'effectif salarié (trancheEffectifsUniteLegale / trancheEffectifsEtablissement),
# wording of INSEE's documentation of the Sirene variables (API Sirene 3.11 / fichiers stock),
# https://www.sirene.fr/static-resources/documentation/v_sommaire_311.htm
# (the unit-level wording; the establishment variable says "Établissement non-employeur ou
# présumé non-employeur (faute de déclaration reçue)" for NN). min/max: headcount bounds.
TRANCHES: tuple[tuple[str, str, int | None, int | None], ...] = (
    (
        "00",
        "0 salarié (n'ayant pas d'effectif au 31/12 mais ayant employé des salariés au cours "
        "de l'année de référence)",
        0,
        0,
    ),
    ("01", "1 ou 2 salariés", 1, 2),
    ("02", "3 à 5 salariés", 3, 5),
    ("03", "6 à 9 salariés", 6, 9),
    ("11", "10 à 19 salariés", 10, 19),
    ("12", "20 à 49 salariés", 20, 49),
    ("21", "50 à 99 salariés", 50, 99),
    ("22", "100 à 199 salariés", 100, 199),
    ("31", "200 à 249 salariés", 200, 249),
    ("32", "250 à 499 salariés", 250, 499),
    ("41", "500 à 999 salariés", 500, 999),
    ("42", "1 000 à 1 999 salariés", 1000, 1999),
    ("51", "2 000 à 4 999 salariés", 2000, 4999),
    ("52", "5 000 à 9 999 salariés", 5000, 9999),
    ("53", "10 000 salariés et plus", 10000, None),
    (
        "NN",
        "Unité non-employeuse ou présumée non-employeuse (faute de déclaration reçue)",
        None,
        None,
    ),
)


def clean(label: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return " ".join(label.split())


def level_of(code: str) -> str:
    for level in LEVELS:
        if CODE_PATTERNS[level].fullmatch(code):
            return level
    raise SystemExit(f"unrecognised NAF code {code!r}")


# --- fetching -----------------------------------------------------------------------------


def pip_download(workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(workdir),
            f"{PYNSEE}=={PYNSEE_VERSION}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wheels = sorted(workdir.glob("pynsee-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one pynsee wheel from pip download, found {wheels}")
    return wheels[0]


def npm_pack(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--silent", f"{NPM_PACKAGE}@{NPM_VERSION}"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"expected one tarball from npm pack, found {tarballs}")
    return tarballs[0]


def read_wheel(wheel: Path) -> dict[str, bytes]:
    """Return INSEE's two NAF files from the pynsee wheel, after checking version and hash."""
    with zipfile.ZipFile(wheel) as whl:
        metadata = whl.read(f"pynsee-{PYNSEE_VERSION}.dist-info/METADATA").decode("utf-8")
        naf_zip = whl.read(PYNSEE_NAF_ZIP)
    version = re.search(r"^Version: (\S+)$", metadata, re.M)
    if not version or version.group(1) != PYNSEE_VERSION:
        raise SystemExit(f"wheel is not {PYNSEE} {PYNSEE_VERSION}")
    digest = hashlib.sha256(naf_zip).hexdigest()
    if digest != PYNSEE_NAF_ZIP_SHA256:
        raise SystemExit(f"{PYNSEE_NAF_ZIP}: sha256 {digest}, expected {PYNSEE_NAF_ZIP_SHA256}")
    with zipfile.ZipFile(io.BytesIO(naf_zip)) as inner:
        return {name: inner.read(name) for name in (LABELS_MEMBER, LEVELS_MEMBER)}


def read_tarball(tarball: Path) -> dict[str, str]:
    """Return {code: label} from @socialgouv/codes-naf's index.json, after a version check."""
    files: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if member.isfile() and name in ("package.json", "index.json"):
                files[name] = tar.extractfile(member).read()
    found = json.loads(files["package.json"]).get("version")
    if found != NPM_VERSION:
        raise SystemExit(f"tarball is version {found}, expected {NPM_VERSION}")
    return {item["id"]: item["label"] for item in json.loads(files["index.json"])}


# --- NAF ----------------------------------------------------------------------------------


def build_naf(files: dict[str, bytes]) -> list[list[str]]:
    """Rows code,level,label,parent (header first) from INSEE's files, with checks."""
    text = files[LABELS_MEMBER].decode(SOURCE_ENCODING)
    labels: dict[str, str] = {}
    for row in list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]:
        if len(row) < 3 or not row[1].strip():
            continue
        code = row[1].strip()
        if code.startswith("SECTION "):
            code = code.removeprefix("SECTION ").strip()
        if code in labels:
            raise SystemExit(f"duplicate code {code} in {LABELS_MEMBER}")
        labels[code] = clean(row[2])

    parents: dict[str, str] = {}
    text = files[LEVELS_MEMBER].decode("ascii")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    if next(reader) != ["NIV5", "NIV4", "NIV3", "NIV2", "NIV1"]:
        raise SystemExit(f"unexpected header in {LEVELS_MEMBER}")
    for row in reader:
        chain = [cell.strip() for cell in row]  # sous-classe, classe, groupe, division, section
        for child, parent in itertools.pairwise(chain):
            if parents.setdefault(child, parent) != parent:
                raise SystemExit(f"{child} has two parents in {LEVELS_MEMBER}")
        parents.setdefault(chain[-1], "")

    errors = []
    if set(labels) != set(parents):
        errors.append(
            f"codes only in the labels file: {sorted(set(labels) - set(parents))}; "
            f"only in the hierarchy: {sorted(set(parents) - set(labels))}"
        )
    rows = []
    for code in sorted(labels):
        level = level_of(code)
        parent = parents.get(code, "")
        if not labels[code]:
            errors.append(f"{code}: empty label")
        if level == "section":
            if parent:
                errors.append(f"section {code} has a parent")
        elif parent not in labels or LEVELS.index(level_of(parent)) != LEVELS.index(level) - 1:
            errors.append(f"{code}: parent {parent!r} missing or not one level up")
        elif level != "division" and not code.startswith(parent):
            errors.append(f"{code}: parent {parent} is not its prefix")
        rows.append([code, level, labels[code], parent])
    counts = {level: sum(1 for row in rows if row[1] == level) for level in LEVELS}
    if counts != EXPECTED_COUNTS:
        errors.append(f"counts {counts}, expected {EXPECTED_COUNTS}")
    if errors:
        raise SystemExit("inconsistent NAF source:\n" + "\n".join(errors[:20]))
    return [["code", "level", "label", "parent"], *rows]


def cross_check(rows: list[list[str]], npm_labels: dict[str, str]) -> None:
    """The npm package must have exactly the non-section codes, with the same labels."""
    ours = {code: label for code, level, label, _ in rows[1:] if level != "section"}
    theirs = {code: clean(label) for code, label in npm_labels.items()}
    errors = [f"only in pynsee: {code}" for code in sorted(set(ours) - set(theirs))]
    errors += [f"only in {NPM_PACKAGE}: {code}" for code in sorted(set(theirs) - set(ours))]
    errors += [
        f"{code}: {ours[code]!r} != {theirs[code]!r}"
        for code in sorted(set(ours) & set(theirs))
        if ours[code] != theirs[code]
    ]
    if errors:
        raise SystemExit(f"{NPM_PACKAGE} {NPM_VERSION} disagrees:\n" + "\n".join(errors[:20]))
    print(f"cross-check: {len(ours)} codes and labels identical in {NPM_PACKAGE} {NPM_VERSION}")


def load_naf(path: Path) -> list[list[str]]:
    """Read naf_rev2.csv back and re-run the structural checks on it."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0] != ["code", "level", "label", "parent"]:
        raise SystemExit(f"{path}: bad header")
    by_code = {row[0]: row for row in rows[1:]}
    errors = []
    if [row[0] for row in rows[1:]] != sorted(by_code) or len(by_code) != len(rows) - 1:
        errors.append("codes not unique and sorted")
    for code, level, label, parent in rows[1:]:
        if level_of(code) != level or not label:
            errors.append(f"{code}: bad level or empty label")
        if (level == "section") != (parent == "") or (parent and parent not in by_code):
            errors.append(f"{code}: bad parent {parent!r}")
    counts = {level: sum(1 for row in rows[1:] if row[1] == level) for level in LEVELS}
    if counts != EXPECTED_COUNTS:
        errors.append(f"counts {counts}, expected {EXPECTED_COUNTS}")
    if errors:
        raise SystemExit(f"{path}:\n" + "\n".join(errors[:20]))
    return rows


# --- tranches d'effectifs -----------------------------------------------------------------


def build_tranches() -> list[list[str]]:
    rows = sorted(TRANCHES)
    numbered = [row for row in rows if row[0] != "NN"]
    errors = []
    for (code, _, _, high), (next_code, _, next_low, _) in itertools.pairwise(numbered):
        if high is None or next_low != high + 1:
            errors.append(f"{code} -> {next_code}: ranges are not contiguous")
    for code, label, low, high in numbered:
        if low is None or (high is not None and high < low) or not label:
            errors.append(f"{code}: bad bounds or label")
    if numbered[0][2] != 0 or numbered[-1][3] is not None or len(rows) != 16:
        errors.append("tranches must start at 0, end open, and number 16 with NN")
    if errors:
        raise SystemExit("inconsistent tranches:\n" + "\n".join(errors))

    def num(value: int | None) -> str:
        return "" if value is None else str(value)

    return [["code", "label", "min", "max"]] + [
        [code, label, num(low), num(high)] for code, label, low, high in rows
    ]


# --- sectors ------------------------------------------------------------------------------


def check_sectors(path: Path, naf_rows: list[list[str]]) -> None:
    """Every code of data/sectors.json exists in the NAF, within the industrial sections."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = {row[0]: row for row in naf_rows[1:]}

    def section_of(code: str) -> str:
        while rows[code][3]:
            code = rows[code][3]
        return code

    def ancestors(code: str) -> set[str]:
        found = {code}
        while rows[code][3]:
            code = rows[code][3]
            found.add(code)
        return found

    errors = []
    if set(data) != {"industrial_sections", "sectors"}:
        errors.append("top level must have exactly industrial_sections and sectors")
    sections = data.get("industrial_sections", [])
    for section in sections:
        if section not in rows or rows[section][1] != "section":
            errors.append(f"industrial_sections: {section!r} is not a NAF section")
    owner: dict[str, str] = {}
    slugs = set()
    for sector in data.get("sectors", []):
        slug = sector.get("slug", "")
        if set(sector) != {"slug", "name", "naf", "strategic", "note"}:
            errors.append(f"{slug}: keys must be slug, name, naf, strategic, note")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or slug in slugs:
            errors.append(f"{slug!r}: bad or duplicate slug")
        slugs.add(slug)
        if not isinstance(sector.get("strategic"), bool) or not sector.get("name"):
            errors.append(f"{slug}: strategic must be true/false and name non-empty")
        codes = sector.get("naf", [])
        if not codes or len(set(codes)) != len(codes):
            errors.append(f"{slug}: naf must be a non-empty list without duplicates")
        for code in codes:
            if code not in rows:
                errors.append(f"{slug}: {code!r} is not a NAF rév. 2 code")
                continue
            if rows[code][1] == "section":
                errors.append(f"{slug}: {code} is a whole section")
            if section_of(code) not in sections:
                errors.append(f"{slug}: {code} is outside the industrial sections")
            for other in codes:
                if other != code and other in rows and other in ancestors(code):
                    errors.append(f"{slug}: {code} is already covered by {other}")
            if owner.setdefault(code, slug) != slug:
                errors.append(f"{code} is in both {owner[code]} and {slug}")
    for code, slug in owner.items():
        for other in ancestors(code) - {code}:
            if other in owner and owner[other] != slug:
                errors.append(f"{code} ({slug}) is inside {other} ({owner[other]})")
    if errors:
        raise SystemExit(f"{path}:\n" + "\n".join(errors[:20]))
    print(f"{path.name}: {len(slugs)} sectors, {len(owner)} NAF codes, all valid")


# --- main ---------------------------------------------------------------------------------


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-wheel", type=Path, help="pynsee wheel instead of pip download")
    parser.add_argument("--from-tarball", type=Path, help="codes-naf .tgz instead of npm pack")
    parser.add_argument(
        "--no-cross-check", action="store_true", help=f"do not compare with {NPM_PACKAGE}"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="download nothing, write nothing: validate the files already in --output-dir",
    )
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--sectors", type=Path, default=DEFAULT_SECTORS)
    args = parser.parse_args(argv)

    naf_path = args.output_dir / "naf_rev2.csv"
    tranches_path = args.output_dir / "tranches_effectifs.csv"
    tranches = build_tranches()

    if args.check:
        naf_rows = load_naf(naf_path)
        if tranches_path.read_bytes() != to_csv(tranches):
            raise SystemExit(f"{tranches_path} differs from the table in this script")
        print(f"{naf_path.name}: {len(naf_rows) - 1} rows, valid")
        print(f"{tranches_path.name}: {len(tranches) - 1} rows, as in this script")
        check_sectors(args.sectors, naf_rows)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.from_wheel or pip_download(Path(tmp))
        naf_rows = build_naf(read_wheel(wheel))
        if not args.no_cross_check:
            tarball = args.from_tarball or npm_pack(Path(tmp))
            cross_check(naf_rows, read_tarball(tarball))

    args.output_dir.mkdir(parents=True, exist_ok=True)
    for path, rows in ((naf_path, naf_rows), (tranches_path, tranches)):
        path.write_bytes(to_csv(rows))
        print(f"{path.name}: {len(rows) - 1} rows")
    check_sectors(args.sectors, naf_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
