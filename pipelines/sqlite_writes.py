"""Cheaper writes to Dagster's SQLite storage from the main command's run processes.

Dagster's SQLite event log opens a connection for every event it stores, commits (an fsync of
the write-ahead log) and closes it; closing the last connection to a database file checkpoints
the write-ahead log into it and deletes it (more fsyncs and file operations). A partition run
stores about 55 events, the 30 runs of the bundle about 2,000, and this was the largest part of
the main command's time (see ``benchmarks/results/main_command.md``).

Inside ``sqlite_kept_open()`` (each run process wraps its run in it), every SQLite connection the
process opens through SQLAlchemy (Dagster's storage does) gets two changes:

* ``PRAGMA synchronous=NORMAL``: in WAL mode a commit no longer waits for an fsync. The database
  stays consistent if the process or the machine crashes; a power cut can lose the last events
  committed (https://www.sqlite.org/pragma.html#pragma_synchronous).
* one more connection to the same file stays open until the block ends, so that closing Dagster's
  connections no longer checkpoints and deletes the write-ahead log each time. SQLite still
  checkpoints every 1,000 pages, and when the block ends and these connections close.

The files, their schema and what the UI reads are unchanged; with another storage (PostgreSQL)
nothing changes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy
from sqlalchemy.engine import Engine


@contextmanager
def sqlite_kept_open() -> Iterator[None]:
    """Within the block, SQLite connections opened through SQLAlchemy commit without fsync and keep
    their write-ahead log (see the module docstring); on exit the extra connections close.
    """
    held: dict[str, sqlite3.Connection] = {}
    in_wal: set[str] = set()
    lock = threading.Lock()

    def on_connect(dbapi_connection: object, _record: object) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        path = next((row[2] for row in dbapi_connection.execute("PRAGMA database_list") if row[1] == "main"), "")
        if not path:
            return
        with lock:
            if path not in held:
                held[path] = sqlite3.connect(path, check_same_thread=False)
            if path not in in_wal:
                # a connection counts for SQLite's "last connection closes" once it has read the
                # database in WAL mode (Dagster switches a new database to WAL after creating it)
                held[path].execute("SELECT count(*) FROM sqlite_master").fetchall()
                if held[path].execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                    in_wal.add(path)

    sqlalchemy.event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        sqlalchemy.event.remove(Engine, "connect", on_connect)
        with lock:
            for connection in held.values():
                connection.close()
            held.clear()
