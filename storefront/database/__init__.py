"""Engine set-up that differs by backend."""

from __future__ import annotations

from functools import partial

from flask import Flask
from sqlalchemy import event

from storefront.extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", partial(
                _sqlite_pragmas, busy_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"])))


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs the log at checkpoints, not at every commit: a killed shop
    # loses nothing, a power cut may lose the last commits before it (SQLite's own advice for
    # WAL). The sync of every commit was 2-5 ms of a checkout's hold on the one write lock.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
    cursor.close()
