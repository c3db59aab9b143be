"""The email registry: queued emails carry references only, and every kind is tested through
the production task table."""

from pathlib import Path

import pytest
from django.conf import settings

from pilote.core import emails


@pytest.mark.parametrize(
    "refs",
    [
        {"invitation_id": 1, "body": "Bonjour, voici votre lien d'invitation personnel à Pilote"},
        {"invitation_id": 1, "context": {"token": "x"}},
        {"invitation_id": 1.5},
        {"to_check": [1, "Un texte bien trop long pour être une simple référence"]},
    ],
)
def test_an_email_cannot_be_queued_with_content(refs, db):
    with pytest.raises(TypeError):
        emails.queue_email("accounts.invitation", **refs)


def test_an_email_is_queued_with_ids_dates_and_lists_of_ids(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        emails.queue_email("aids.detection", dispatch_id=1, to_check=[2, 3])
        emails.queue_email("accompaniment.digest", user_id=1, day="2026-11-30")
    assert len(callbacks) == 2


def test_an_unknown_email_kind_is_refused(db):
    with pytest.raises(LookupError):
        emails.queue_email("accounts.inconnu", user_id=1)


def test_every_email_kind_is_tested_through_the_task_table():
    tests = Path(settings.BASE_DIR) / "tests"
    texts = "".join(p.read_text() for p in tests.rglob("test_*tasks.py"))
    assert emails.kinds(), "no email kind registered"
    untested = [kind for kind in emails.kinds() if f'"{kind}"' not in texts]
    assert untested == []
