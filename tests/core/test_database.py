import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("réglages propres à SQLite ; cette base est " + connection.vendor)
    settings = connection.settings_dict["OPTIONS"]
    assert settings["transaction_mode"] == "IMMEDIATE"
    assert settings["timeout"] >= 5
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database lives in memory, where SQLite keeps "memory"; a file database is WAL.
    assert mode in {"wal", "memory"}
    assert "journal_mode=WAL" in settings["init_command"]
