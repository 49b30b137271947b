"""Forward migrations of a versioned SQLite schema, shared by the journal and the saved copy.

A schema is a list of scripts: `MIGRATIONS[n]` turns version n into n + 1, and
`PRAGMA user_version` counts the ones applied. Released scripts are never edited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def statements(script: str) -> list[str]:
    """A migration script as single statements, so it runs inside the opener's transaction
    (`executescript` would commit first). Migrations put no ";" in comments or strings."""
    return [s.strip() for s in script.split(";") if s.strip()]


def migrate(db: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Applies the scripts the file has not had yet, each with its version bump. Call it
    inside the opener's transaction, after checking the version is not newer."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for step in range(version, len(migrations)):
        for statement in statements(migrations[step]):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {step + 1}")
