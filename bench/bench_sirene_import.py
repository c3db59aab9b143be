"""SIRENE import: the reader's pass over a national-shaped StockEtablissement vs a bare DuckDB scan.

Targets: the reader (as `import_sirene` runs it) scans within 1.5x the time of
`SELECT count(*) FROM read_csv(...)` on the same file, and its peak RSS stays under 1 GB
(measured in a subprocess, so the generator's memory does not count). The file has
BENCH_SIRENE_ROWS rows (5,000,000 by default), 1 % of them in the communes of
Hainaut-Douaisis-Cambrésis; it is generated once and cached in bench/out/. Each measure is
taken ROUNDS times, alternately; the best of each is compared. The reader with the whole-file
check (`import_sirene --check-whole-file`, a diagnosis) is measured too, for information.
"""

import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from pilote.companies.sirene_generator import generate_national

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HDC_EPCIS = {"245901160", "200042190", "200043396", "200068500", "200030633", "200044618"}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
TARGET_RATIO = 1.5
TARGET_RSS_MB = 1024

# Both measures run in a fresh interpreter, so that they start from the same state (a warm
# parent process would favour whichever ran in it); DuckDB is imported before the clock starts.
CPU = "sum(resource.getrusage(resource.RUSAGE_SELF)[:2])"  # user + system, every thread
READER = f"""
import json, resource, sys, time
import duckdb
from pilote.companies.sirene import read_establishments
path, communes, whole_file = sys.argv[1], set(sys.argv[2].split(",")), sys.argv[3] == "1"
start, cpu = time.perf_counter(), {CPU}
scan = read_establishments(path, communes=communes, whole_file=whole_file)
batches = sum(1 for _ in scan)
seconds, cpu = time.perf_counter() - start, {CPU} - cpu
report = scan.report
print(json.dumps({{"seconds": seconds, "cpu": cpu, "scanned": report.scanned,
                  "kept": report.kept, "rejected": report.rejected_count, "batches": batches}}))
"""
BARE = f"""
import json, resource, sys, time
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
start, cpu = time.perf_counter(), {CPU}
(count,) = con.execute(
    "SELECT count(*) FROM read_csv(?, all_varchar = true, header = true, delim = ',', "
    "quote = '\\"', escape = '\\"', ignore_errors = true)", [sys.argv[1]]
).fetchone()
print(json.dumps({{"seconds": time.perf_counter() - start, "cpu": {CPU} - cpu,
                  "scanned": count}}))
"""


def territory_communes() -> list[str]:
    with open(ROOT / "data" / "geo" / "communes.csv", encoding="utf-8") as fh:
        return sorted(row["code"] for row in csv.DictReader(fh) if row["epci"] in HDC_EPCIS)


def national_file(n_rows: int, communes: list[str]) -> Path:
    OUT.mkdir(exist_ok=True)
    etab = OUT / f"sirene-etablissements-{n_rows}.csv"
    if not etab.exists():
        start = time.perf_counter()
        partial = etab.with_suffix(".partial.csv")
        generate_national(partial, OUT / f"sirene-unites-legales-{n_rows}.csv",
                          n_rows=n_rows, territory_communes=communes, fraction=0.01)  # fmt: skip
        partial.rename(etab)
        print(f"  fichier généré en {time.perf_counter() - start:.0f} s : {etab}")
    return etab


def child(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    n_rows = int(os.environ.get("BENCH_SIRENE_ROWS", "5000000"))
    communes = territory_communes()
    path = national_file(n_rows, communes)
    size = path.stat().st_size
    print(f"  {n_rows:,} lignes, {size / 1e9:.2f} Go, {len(communes)} communes du territoire")

    bare, reader, whole = [], [], []
    peak_mb = 0.0
    for _ in range(ROUNDS):
        reader.append(child(READER, str(path), ",".join(communes), "0"))
        if not peak_mb:  # the children so far: the reader alone
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB
        bare.append(child(BARE, str(path)))
        whole.append(child(READER, str(path), ",".join(communes), "1"))

    bare_s, lines = min((b["seconds"], b["scanned"]) for b in bare)
    best = min(reader, key=lambda r: r["seconds"])
    print(f"  {'DuckDB nu count(*)':<22} {bare_s:6.2f} s  {lines / bare_s:>12,.0f} lignes/s"
          f"   (essais : {', '.join(format(b['seconds'], '.2f') for b in bare)})")  # fmt: skip
    print(f"  {'lecteur Pilote':<22} {best['seconds']:6.2f} s  "
          f"{best['scanned'] / best['seconds']:>12,.0f} lignes/s   "
          f"(essais : {', '.join(format(r['seconds'], '.2f') for r in reader)})")  # fmt: skip
    print(f"  {best['scanned']:,} lignes lues, {best['kept']:,} gardées "
          f"en {best['batches']} lots, {best['rejected']} rejetées")  # fmt: skip
    ratio = best["seconds"] / bare_s
    verdict = "OK" if ratio <= TARGET_RATIO else "AU-DESSUS DE LA CIBLE"
    print(f"  ratio lecteur / DuckDB nu {ratio:.2f} (cible ≤ {TARGET_RATIO}) {verdict}")
    # CPU time (every thread, user + system) hardly depends on what else the machine runs:
    # the ratio to read when the load average is high.
    cpu_ratio = min(r["cpu"] for r in reader) / min(b["cpu"] for b in bare)
    load = os.getloadavg()[0]
    print(f"  ratio en temps CPU {cpu_ratio:.2f} ; charge de la machine {load:.1f} "
          f"({os.cpu_count()} cœurs)")  # fmt: skip
    diagnosis = min(r["seconds"] for r in whole)
    print(f"  avec --check-whole-file {diagnosis:6.2f} s  ratio {diagnosis / bare_s:.2f} "
          f"(diagnostic de tout le fichier, sans cible)")  # fmt: skip
    verdict = "OK" if peak_mb < TARGET_RSS_MB else "AU-DESSUS DE LA CIBLE"
    print(f"  mémoire max du lecteur (sous-processus) {peak_mb:,.0f} Mo (cible < 1 Go) {verdict}")
