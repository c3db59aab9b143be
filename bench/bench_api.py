"""The API's establishments list on 1,000,000 establishments, against the directory page.

Target (issue 15, docs/api.md): every page of GET /api/v1/etablissements answers with a p95
under 150 ms. The rows are bench_directory's (same generator, same database, same
BENCH_DIRECTORY_ROWS scale, BENCH_REUSE=1 to keep them); a small slice of them is marked as
modified later, so that an `updated_since` synchronisation has a realistic handful to send.

Each page is requested once as a warm-up (its SQL queries counted), then timed BENCH_API_RUNS
times (default 30) through Django's test client with a Bearer token of the territory's TI
manager, over HTTPS. Baseline measured in the same run: the directory page's default list,
through the same client, logged in as the same user.
"""

import os
import warnings
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

from bench.bench_directory import EPCIS, STATIC_STORAGE, TARGET_MS, p50_p95, populate, timed

RUNS = int(os.environ.get("BENCH_API_RUNS", 30))
PAGES_IN = 5  # the `next` link followed this many times
TOUCHED = "2026-12-05 09:30:00"  # later than the generated rows' updated_at
SINCE = "2026-12-05T00:00:00+01:00"
API = "/api/v1/etablissements"


def _touch_some() -> int:
    """One establishment in 500 modified on 5 December (idempotent on reused rows)."""
    from django.utils.dateparse import parse_datetime
    from django.utils.timezone import make_aware

    from pilote.companies.models import Establishment

    moment = make_aware(parse_datetime(TOUCHED))
    qs = Establishment.objects.extra(where=["id %% 500 = 7"])
    n = qs.update(updated_at=moment)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE companies_establishment")
    return n


def _bearer(manager) -> str:
    from pilote.api.services import token_create

    _, key = token_create(acting_user=None, user=manager, name="bench")
    return key


def _json(client, url: str) -> dict:
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url} : HTTP {response.status_code} {response.content[:300]!r}")
    return response.json()


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def pages(client) -> list[tuple[str, str]]:
    """(label, URL) of the measured pages; the deep one reached by following `next`."""
    url = API
    for _ in range(PAGES_IN):
        url = _local(_json(client, url)["next"])
    epci = EPCIS[0][0]
    return [
        ("première page", API),
        (f"page {PAGES_IN + 1} (par next)", url),
        ("epci=<SIREN>", f"{API}?epci={epci}"),
        ("q=forges", f"{API}?q=forges"),
        ("updated_since (2 ‰ modifiés)", f"{API}?updated_since={SINCE.replace('+', '%2B')}"),
        ("updated_since + epci", f"{API}?updated_since={SINCE.replace('+', '%2B')}&epci={epci}"),
        ("state=all limit=200", f"{API}?state=all&limit=200"),
    ]


def main() -> None:
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    manager, _territory, _epcis, _communes = populate()
    touched = _touch_some()
    key = _bearer(manager)
    connection.close()

    warnings.filterwarnings("ignore", message="No directory at")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
    with override_settings(STORAGES=storages, API_THROTTLE_RATE="1000000/min"):
        browser = Client(SERVER_NAME="127.0.0.1")
        browser.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
        response = browser.get("/entreprises/", secure=True)  # warm-up
        if response.status_code != 200:
            raise RuntimeError(f"/entreprises/ : HTTP {response.status_code}")
        base = timed(lambda: browser.get("/entreprises/", secure=True), RUNS)
        base_p50, base_p95 = p50_p95(base)
        print(
            f"  base : annuaire, liste par défaut   p50 {base_p50:7.1f} ms  "
            f"p95 {base_p95:7.1f} ms  ({RUNS} requêtes)"
        )

        api = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
        worst = 0.0
        for label, url in pages(api):
            with CaptureQueriesContext(connection) as captured:
                body = _json(api, url)  # warm-up, and the queries of one page
            n_queries = len(captured.captured_queries)
            sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
            samples = timed(lambda url=url: api.get(url, secure=True), RUNS)
            p50, p95 = p50_p95(samples)
            worst = max(worst, p95)
            more = "+" if body["next"] else " "
            print(
                f"  {label:<30} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {n_queries:2d} requêtes "
                f"(SQL {sql_ms:6.1f} ms)  {len(body['results']):3d}{more} lignes  "
                f"× {p50 / base_p50:4.2f} l'annuaire"
            )
    verdict = "OK" if worst < TARGET_MS else "À REVOIR"
    print(f"  ({touched:,} établissements modifiés le 05/12 pour updated_since)")
    print(f"  pire p95 d'une page de l'API {worst:.1f} ms — cible < {TARGET_MS} ms : {verdict}")
    load1, load5, _ = os.getloadavg()
    print(
        f"  charge de la machine pendant la mesure : {load1:.1f} / {load5:.1f} "
        f"(loadavg 1 / 5 min, {os.cpu_count()} cœurs)"
    )
