"""`make bench`: run every bench/bench_*.py and print its ratios against its own baseline.

Benchmarks use their own database (BENCH_DATABASE_URL, default a fresh SQLite file in
bench/out/), never the application's. Absolute times drift on shared machines, so each
benchmark measures a baseline in the same run and prints ratios.
"""

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def setup_django() -> None:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        db = out / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if os.environ.get("BENCH_REUSE") != "1":  # BENCH_REUSE=1: keep the loaded rows
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(HERE.parent))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv: list[str]) -> int:
    setup_django()
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
