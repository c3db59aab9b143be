"""The production task backend in tests: tasks stored in django-tasks-db's table, as the
technical admin shows them, then run by its worker's own code (`Worker.run_task`).

Use the `task_queue` fixture: `task_queue = db_tasks.task_queue` in the test module.
"""

import json

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

EMAIL_TASK = "pilote.core.emails.send_queued_email"


class TaskQueue:
    def __init__(self, capture):
        self.capture = capture
        self.worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        )

    def rows(self, task_path: str | None = None) -> list[DBTaskResult]:
        rows = DBTaskResult.objects.order_by("enqueued_at", "id")
        return list(rows.filter(task_path=task_path) if task_path else rows)

    def email_refs(self) -> list[tuple[str, dict]]:
        """(kind, refs) of every queued email, checking nothing else is stored with them."""
        found = []
        for row in self.rows(EMAIL_TASK):
            assert row.args_kwargs["args"] == []
            assert set(row.args_kwargs["kwargs"]) == {"kind", "refs"}
            found.append((row.args_kwargs["kwargs"]["kind"], row.args_kwargs["kwargs"]["refs"]))
        return found

    def stored_text(self) -> str:
        """Everything the task table holds (arguments, results, errors), as one text."""
        return json.dumps(
            [
                [r.task_path, r.args_kwargs, r.return_value, r.traceback]
                for r in DBTaskResult.objects.all()
            ],
            ensure_ascii=False,
        )

    def run(self) -> list[DBTaskResult]:
        """Run every ready task as `db_worker` does, and those they queue once they commit;
        return the rows run, each checked successful."""
        done = []
        while True:
            row = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if row is None:
                return done
            row.claim(self.worker.worker_id)
            with self.capture(execute=True):
                self.worker.run_task(row)
            row.refresh_from_db()
            assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
            done.append(row)


@pytest.fixture
def task_queue(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return TaskQueue(django_capture_on_commit_callbacks)
