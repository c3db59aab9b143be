"""SIRENE imports run in the background, started from the administration page.

The import is one transaction, so its progress cannot be read from its own rows while it
runs: the worker publishes it in the "progress" cache (a file cache shared by the web and
worker processes of one host).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilote.accounts import perms
from pilote.companies.models import ImportJob
from pilote.core import audit

MAX_STORED_REJECTS = 200


def progress_key(job_id: int) -> str:
    return f"sirene-import-{job_id}"


def progress_of(job: ImportJob) -> dict:
    return caches["progress"].get(progress_key(job.pk)) or {"fraction": 0.0, "scanned": 0}


def import_files() -> list[Path]:
    """The files an administrator may import: those dropped in SIRENE_IMPORT_DIR."""
    directory = Path(settings.SIRENE_IMPORT_DIR)
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in {".csv", ".zip"}
    )


@transaction.atomic
def job_create(
    *,
    acting_user,
    etablissements: Path,
    unites_legales: Path | None,
    territory,
    wet_run: bool,
    whole_file: bool = False,
) -> ImportJob:
    if not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur de la plateforme importe SIRENE.")
    allowed = set(import_files())
    if etablissements not in allowed or (unites_legales and unites_legales not in allowed):
        raise PermissionDenied("Ce fichier n'est pas dans le dossier des imports.")
    job = ImportJob.objects.create(
        territory=territory,
        etablissements=str(etablissements),
        unites_legales=str(unites_legales or ""),
        wet_run=wet_run,
        whole_file=whole_file,
        created_by=acting_user,
    )
    fields = ["etablissements", "unites_legales", "wet_run", "whole_file"]
    audit.record(
        actor=acting_user,
        action="sirene_job.create",
        obj=job,
        after=audit.snapshot(job, fields),
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))
    return job


@task()
def run_import_job(*, job_id: int) -> None:
    from pilote.companies.importer import import_sirene

    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    cache = caches["progress"]

    def on_progress(fraction: float, scanned: int) -> None:
        cache.set(progress_key(job_id), {"fraction": fraction, "scanned": scanned}, 86400)

    try:
        summary = import_sirene(
            acting_user=None,
            etablissements=Path(job.etablissements),
            unites_legales=Path(job.unites_legales) if job.unites_legales else None,
            territory=job.territory,
            wet_run=job.wet_run,
            on_progress=on_progress,
            whole_file=job.whole_file,
        )
    except Exception as error:  # the job must end in a state the page can show
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    on_progress(1.0, summary.scanned)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        summary=summary.as_json(),
        rejects=[list(r) for r in summary.rejects[:MAX_STORED_REJECTS]],
        finished_at=timezone.now(),
    )
