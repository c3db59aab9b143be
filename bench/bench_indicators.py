"""The programme's indicators and the bilan PDF on five years of follow-up, 50,000 establishments.

Targets (docs/rules.md): the programme dashboard's computation — `indicators.compute` at
today plus `indicators.series` over 60 months, for a TI manager — under 1 s (and the real
page `indicators:dashboard` through Django's test client when it answers 200); the bilan
PDF of two years under 5 s. Each is printed against bare SQL aggregates of the same figures
measured in the same run (one `SELECT status, count(*), sum(amount_granted) … GROUP BY
status` over the applications and one `count(*)` over the interactions), as ratios.

The territory, its EPCIs, communes, companies and establishments are those of
`bench_directory` (same generator), BENCH_INDICATORS_ROWS establishments (default 50,000);
one EPCI organisation and agent per EPCI; over the last five years, BENCH_INDICATORS_APPS
applications (default 5,000; about 40 % accepted, with payments) and a realistic activity
volume: 10,000 interactions (a third on the interview guide), 4,000 needs, 2,000 projects,
1,000 diagnostics, 2,000 referrals, written with bulk_create by the TI manager or the
EPCI's agent under the four visibilities. The bench database is emptied at the end.
"""

import datetime as dt
import os
import random
import time
import warnings
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

N_ROWS = int(os.environ.get("BENCH_INDICATORS_ROWS", 50_000))
N_APPLICATIONS = int(os.environ.get("BENCH_INDICATORS_APPS", 5_000))
N_INTERACTIONS, N_NEEDS, N_PROJECTS, N_DIAGNOSTICS, N_REFERRALS = (
    10_000, 4_000, 2_000, 1_000, 2_000,
)  # fmt: skip
RUNS = int(os.environ.get("BENCH_INDICATORS_RUNS", 10))
PDF_RUNS = int(os.environ.get("BENCH_INDICATORS_PDF_RUNS", 5))
DASHBOARD_TARGET_MS, PDF_TARGET_MS = 1000, 5000
YEARS = 5
SEED = 20261206
BATCH = 2000


def populate():
    from bench import bench_directory

    saved = bench_directory.N_ROWS
    bench_directory.N_ROWS = N_ROWS  # the directory bench's generator, at this size
    try:
        manager, territory, epcis, _ = bench_directory.populate()
    finally:
        bench_directory.N_ROWS = saved
    return manager, territory, epcis


def _authors(territory, epcis, manager):
    """For each EPCI, who may write on it: the TI manager (CCI) and the EPCI's own agent."""
    from pilote.accounts.enums import OrganisationKind, Role
    from pilote.accounts.models import Membership, Organisation, User

    cci = Organisation.objects.get(name="CCI Bench Annuaire")
    writers = {}
    for n, epci in enumerate(epcis, start=1):
        org = Organisation.objects.create(name=f"Agglo bench {n}", kind=OrganisationKind.EPCI,
                                          epci=epci)  # fmt: skip
        org.territories.add(territory)
        agent = User.objects.create_user(email=f"agent{n}@bench-indicateurs.fr", password=None)
        Membership.objects.create(user=agent, organisation=org, territory=territory,
                                  role=Role.EPCI_AGENT)  # fmt: skip
        writers[epci.pk] = [(manager, cci), (agent, org), (agent, org)]
    return writers


def follow_up(manager, territory, epcis):
    """Five years of applications and accompaniment activity, written with bulk_create."""
    from pilote.accompaniment import services
    from pilote.accompaniment.enums import (
        DiagnosticKind,
        DiagnosticStatus,
        InteractionKind,
        Partner,
        ProjectKind,
        ReferralOutcome,
        Theme,
    )
    from pilote.accompaniment.models import Diagnostic, Interaction, Need, Project, Referral
    from pilote.applications.enums import Status
    from pilote.applications.models import Application, Payment
    from pilote.companies.models import Establishment
    from pilote.core.enums import Visibility

    rng = random.Random(SEED)
    start = time.perf_counter()
    today = timezone.localdate()
    first = today - dt.timedelta(days=365 * YEARS)
    span = (today - first).days
    writers = _authors(territory, epcis, manager)
    guide = services.guide_install_default(acting_user=None, territory=territory).current_version
    sites = list(
        Establishment.objects.in_territory(territory).values_list("pk", "epci_id").order_by("pk")
    )
    visibilities = [Visibility.EPCI] * 4 + [Visibility.TERRITORY] * 3 + [
        Visibility.PARTNERS, Visibility.PRIVATE]  # fmt: skip

    def day() -> dt.date:
        return first + dt.timedelta(days=rng.randrange(span + 1))

    def access(epci_id):
        author, org = rng.choice(writers[epci_id])
        return {"epci_id": epci_id, "visibility": rng.choice(visibilities), "author": author,
                "author_organisation": org}  # fmt: skip

    kinds = [InteractionKind.SITE_VISIT] * 4 + [InteractionKind.MEETING] * 3 + [
        InteractionKind.VIDEO, InteractionKind.PHONE, InteractionKind.PHONE,
        InteractionKind.EMAIL]  # fmt: skip
    interactions = [
        Interaction(
            establishment_id=pk,
            kind=rng.choice(kinds),
            occurred_on=day(),
            time_spent_minutes=rng.choice((30, 60, 90, 120, 180)),
            guide_version=guide if rng.random() < 0.33 else None,
            summary="Visite de l'atelier.",
            **access(epci),
        )
        for pk, epci in (rng.choice(sites) for _ in range(N_INTERACTIONS))
    ]
    interactions = Interaction.objects.bulk_create(interactions, batch_size=BATCH)
    themes, project_kinds = list(Theme.values), list(ProjectKind.values)
    Need.objects.bulk_create(
        (
            Need(
                establishment_id=i.establishment_id,
                interaction=i,
                theme=rng.choice(themes),
                description="Recruter des soudeurs",
                resolved_on=(
                    i.occurred_on + dt.timedelta(days=rng.randrange(30, 300))
                    if rng.random() < 0.3
                    else None
                ),
                **access(i.epci_id),
            )
            for i in (rng.choice(interactions) for _ in range(N_NEEDS))
        ),
        batch_size=BATCH,
    )
    Need.objects.filter(resolved_on__gt=today).update(resolved_on=None)  # not resolved yet
    Project.objects.bulk_create(
        (
            Project(
                establishment_id=i.establishment_id,
                interaction=i,
                kind=rng.choice(project_kinds),
                title="Nouvelle ligne de production",
                investment_amount=Decimal(rng.randrange(50, 5000) * 1000),
                jobs_created=rng.randrange(0, 30),
                jobs_kept=rng.randrange(0, 80),
                **access(i.epci_id),
            )
            for i in (rng.choice(interactions) for _ in range(N_PROJECTS))
        ),
        batch_size=BATCH,
    )
    diagnostics = []
    for pk, epci in (rng.choice(sites) for _ in range(N_DIAGNOSTICS)):
        offered = day()
        done = offered + dt.timedelta(days=rng.randrange(30, 180))
        is_done = rng.random() < 0.5 and done <= today
        diagnostics.append(
            Diagnostic(establishment_id=pk, kind=rng.choice(list(DiagnosticKind.values)),
                       status=DiagnosticStatus.DONE if is_done else DiagnosticStatus.OFFERED,
                       offered_on=offered, done_on=done if is_done else None, **access(epci))
        )  # fmt: skip
    Diagnostic.objects.bulk_create(diagnostics, batch_size=BATCH)
    Referral.objects.bulk_create(
        (
            Referral(
                establishment_id=pk,
                partner=rng.choice(list(Partner.values)),
                subject="Prêt d'honneur",
                referred_on=day(),
                outcome=rng.choice(list(ReferralOutcome.values)),
                **access(epci),
            )
            for pk, epci in (rng.choice(sites) for _ in range(N_REFERRALS))
        ),
        batch_size=BATCH,
    )
    applications = []
    outcomes = [Status.ACCEPTED] * 8 + [Status.REFUSED] * 3 + [Status.WITHDRAWN] + [
        Status.REVIEW] * 5 + [Status.BUILDING] * 2 + [Status.DRAFT]  # fmt: skip
    for n, (pk, epci) in enumerate(rng.choice(sites) for _ in range(N_APPLICATIONS)):
        status = rng.choice(outcomes)
        filed = None if status == Status.DRAFT else day()
        decided = None
        if status in (Status.ACCEPTED, Status.REFUSED, Status.WITHDRAWN):
            decided = filed + dt.timedelta(days=rng.randrange(20, 240))
            if decided > today:
                status, decided = Status.REVIEW, None
        requested = Decimal(rng.randrange(10, 500) * 1000) + Decimal("0.50")
        granted = None
        if status == Status.ACCEPTED:
            granted = (requested * Decimal(rng.randrange(50, 101)) / 100).quantize(Decimal("0.01"))
        applications.append(
            Application(establishment_id=pk, reference=f"BENCH-{n:06d}",
                        title="Investissement productif", funder="Région — bench",
                        supported=rng.random() < 0.85, status=status, filed_on=filed,
                        decided_on=decided, amount_requested=requested, amount_granted=granted,
                        investment=requested * rng.randrange(2, 8), jobs=rng.randrange(0, 40),
                        **access(epci))
        )  # fmt: skip
    applications = Application.objects.bulk_create(applications, batch_size=BATCH)
    payments = []
    for a in applications:
        if a.status == Status.ACCEPTED:
            for share, days in ((Decimal("0.5"), 30), (Decimal("0.5"), 300))[: rng.randrange(1, 3)]:
                paid_on = a.decided_on + dt.timedelta(days=days)
                if paid_on <= today:
                    amount = (a.amount_granted * share).quantize(Decimal("0.01"))
                    payments.append(Payment(application=a, paid_on=paid_on, label="Versement",
                                            amount=amount))  # fmt: skip
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  suivi : {N_APPLICATIONS:,} dossiers ({len(payments):,} versements), "
        f"{N_INTERACTIONS:,} échanges, {N_NEEDS:,} besoins, {N_PROJECTS:,} projets, "
        f"{N_DIAGNOSTICS:,} diagnostics, {N_REFERRALS:,} mises en relation sur {YEARS} ans "
        f"en {time.perf_counter() - start:.1f} s"
    )


def bare_sql() -> None:
    """The baseline: the same figures as bare SQL aggregates, no access rule, no Python."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*), sum(amount_granted) FROM applications_application "
            "GROUP BY status"
        )
        cursor.fetchall()
        cursor.execute("SELECT count(*) FROM accompaniment_interaction")
        cursor.fetchall()


def line(label: str, samples: list[float], base: float, target: float | None = None) -> float:
    from bench import bench_directory

    p50, p95 = bench_directory.p50_p95(samples) if len(samples) > 1 else (samples[0],) * 2
    verdict = ""
    if target is not None:
        verdict = f"  cible < {target:,.0f} ms : {'OK' if p95 < target else 'AU-DESSUS'}"
    print(f"  {label:<40} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  ×{p50 / base:7.0f} le SQL nu"
          f"{verdict}")  # fmt: skip
    return p95


def main() -> None:
    from django.core.management import call_command
    from django.test import Client, override_settings

    from bench import bench_directory  # its timing helpers, measured the same way
    from pilote.indicators import bilan, indicators
    from pilote.indicators.facts import live_facts
    from pilote.indicators.indicators import month_start

    manager, territory, epcis = populate()
    follow_up(manager, territory, epcis)
    warnings.filterwarnings("ignore", message="No directory at")
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    try:
        today = timezone.localdate()
        months, month = [], month_start(today)
        for _ in range(60):
            months.insert(0, month)
            month = month_start(month - dt.timedelta(days=1))

        def dashboard():
            indicators.compute(territory, reader=manager)
            indicators.series(territory, months, reader=manager)

        bare_sql()  # warm-up
        base = bench_directory.p50_p95(bench_directory.timed(bare_sql, max(RUNS, 20)))[0]
        print(
            f"  SQL nu (GROUP BY status sur les dossiers + count des échanges) : p50 {base:.1f} ms"
        )
        dashboard()  # warm-up
        facts = live_facts(territory, manager)
        print(f"  {len(facts):,} faits visibles du chef de projet TI")
        line("chargement des faits (live_facts)",
             bench_directory.timed(lambda: live_facts(territory, manager), RUNS), base)  # fmt: skip
        line("compute (aujourd'hui)",
             bench_directory.timed(lambda: indicators.compute(territory, reader=manager), RUNS),
             base)  # fmt: skip
        worst = line("tableau de bord : compute + series 60 mois",
                     bench_directory.timed(dashboard, RUNS), base, DASHBOARD_TARGET_MS)  # fmt: skip
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
            response = client.get("/programme/", secure=True)
            if response.status_code == 200:
                worst = max(worst, line(
                    "page /programme/ (client de test)",
                    bench_directory.timed(lambda: client.get("/programme/", secure=True), RUNS),
                    base, DASHBOARD_TARGET_MS,
                ))  # fmt: skip
            else:
                print(f"  page /programme/ : HTTP {response.status_code} (pas encore écrite) — "
                      "non mesurée")  # fmt: skip
        verdict = "OK" if worst < DASHBOARD_TARGET_MS else "AU-DESSUS"
        print(f"  tableau de bord, pire p95 {worst:.1f} ms — cible < {DASHBOARD_TARGET_MS} ms : "
              f"{verdict}")  # fmt: skip

        date_to = month_start(today) - dt.timedelta(days=1)
        date_from = date_to.replace(year=date_to.year - 2) + dt.timedelta(days=1)
        built = bilan.build(territory, date_from, date_to, manager)
        pdf = bilan.render_pdf(built)  # warm-up (fonts)
        print(
            f"  bilan {built.period_label} : {len(pdf) / 1024:,.0f} Kio, "
            f"{built.met_count:,} établissements rencontrés, {len(built.accepted.rows):,} dossiers "
            f"acceptés ({min(len(built.accepted.rows), bilan.ACCEPTED_SHOWN)} listés), "
            f"{len(built.monthly.rows)} mois"
        )
        line("bilan : build (chiffres et tableaux)",
             bench_directory.timed(lambda: bilan.build(territory, date_from, date_to, manager),
                                   PDF_RUNS), base)  # fmt: skip
        line("bilan : render_pdf (WeasyPrint)",
             bench_directory.timed(lambda: bilan.render_pdf(built), PDF_RUNS), base)  # fmt: skip

        def whole_pdf():
            bilan.render_pdf(bilan.build(territory, date_from, date_to, manager))

        samples = bench_directory.timed(whole_pdf, PDF_RUNS)
        worst_pdf = line("bilan PDF de deux ans (build + PDF)", samples, base, PDF_TARGET_MS)
        line("bilan XLSX de deux ans",
             bench_directory.timed(lambda: bilan.xlsx_response(
                 bilan.build(territory, date_from, date_to, manager)), PDF_RUNS), base)  # fmt: skip
        verdict = "OK" if worst_pdf < PDF_TARGET_MS else "AU-DESSUS"
        print(f"  bilan PDF, p95 {worst_pdf:.1f} ms — cible < {PDF_TARGET_MS} ms : {verdict}")
        print(f"  charge de la machine : {os.getloadavg()[0]:.1f} (loadavg 1 min, "
              f"{os.cpu_count()} cœurs)")  # fmt: skip
    finally:
        call_command("flush", interactive=False, verbosity=0)
        connection.close()
