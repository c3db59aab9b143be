"""Substring search on `Establishment.search_text` from an index, per database vendor.

The directory searches names with `LIKE '%…%'`, which reads every row without help:
- PostgreSQL: a pg_trgm GIN index (pg_trgm is a trusted extension: the database owner may
  create it), used by the planner for `LIKE '%…%'` as is.
- SQLite: an FTS5 table with the trigram tokenizer, external content (it stores no copy of
  the text), kept in step by three triggers; `EstablishmentQuerySet.search` queries it.

Also the « date de création » sort's index, whose NULLS LAST clause differs by vendor.

`install` is idempotent. Migration 0004 runs it, and so does every `migrate` (post_migrate):
SQLite rebuilds a table for many ALTERs, which drops its triggers; when they are missing they
are recreated and the FTS index rebuilt from the table.
"""

TABLE = "companies_establishment"

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS estab_search_trgm_idx ON {TABLE} "
    "USING gin (search_text gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS estab_created_idx ON {TABLE} "
    "(created_on DESC NULLS LAST, search_text)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS estab_search_trgm_idx",
    "DROP INDEX IF EXISTS estab_created_idx",
]

SQLITE_TRIGGERS = {
    "estab_search_fts_insert": f"AFTER INSERT ON {TABLE} BEGIN "
    "INSERT INTO estab_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "estab_search_fts_delete": f"AFTER DELETE ON {TABLE} BEGIN "
    "INSERT INTO estab_search_fts(estab_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "estab_search_fts_update": f"AFTER UPDATE OF search_text ON {TABLE} BEGIN "
    "INSERT INTO estab_search_fts(estab_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO estab_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
}
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS estab_search_fts USING fts5(search_text, "
    f"content='{TABLE}', content_rowid='id', tokenize='trigram')",
    *(f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()),
    # SQLite orders NULLs first ascending, so last descending: no NULLS LAST needed.
    f"CREATE INDEX IF NOT EXISTS estab_created_idx ON {TABLE} (created_on DESC, search_text)",
]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS estab_search_fts",
    "DROP INDEX IF EXISTS estab_created_idx",
]


def _missing_triggers(cursor) -> bool:
    names = ", ".join("%s" for _ in SQLITE_TRIGGERS)
    cursor.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})",
        list(SQLITE_TRIGGERS),
    )
    return cursor.fetchone()[0] < len(SQLITE_TRIGGERS)


def install(connection) -> None:
    """Create what is missing; on SQLite, rebuild the FTS index when triggers were missing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in POSTGRESQL:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            rebuild = _missing_triggers(cursor)
            for sql in SQLITE:
                cursor.execute(sql)
            if rebuild:
                cursor.execute("INSERT INTO estab_search_fts(estab_search_fts) VALUES ('rebuild')")


def uninstall(connection) -> None:
    statements = {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def after_migrate(sender, using, plan=None, **kwargs) -> None:
    """post_migrate: put back what a table rebuild dropped (only once migration 0004 ran)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return
    applied = recorder.applied_migrations()
    if ("companies", "0004_directory_performance") in applied:
        install(connection)
