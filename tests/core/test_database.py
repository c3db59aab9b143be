import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper


def test_a_sqlite_database_file_runs_in_wal_mode_with_immediate_transactions(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip(f"réglages propres à SQLite ; cette base est {connection.vendor}")
    # The settings' own options, applied to a real file (the test database lives in memory).
    wrapper = DatabaseWrapper({**settings.DATABASES["default"], "NAME": tmp_path / "x.sqlite3"})
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
