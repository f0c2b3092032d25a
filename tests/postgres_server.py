"""A throwaway PostgreSQL server for the deployment tests and benchmarks.

``PostgresServer`` initialises a cluster in a temporary folder of its own, starts ``postgres``
listening on 127.0.0.1 only (and on a Unix socket in that folder) on a free port, with password
authentication for a superuser ``dagster`` and a database ``dagster``, and on ``stop`` (or leaving
the ``with`` block, whatever happened) shuts it down and deletes the folder. Durability settings
are off: the server lives for one test session.

PostgreSQL refuses to run as root. Run as root (as CI and these machines do), the server runs as
the unprivileged ``postgres`` account the Debian/Ubuntu packages create (``nobody`` when there is
none): the temporary folder is handed to that account. On Linux the server also receives SIGINT
(fast shutdown) if the process that started it dies, so a killed test run does not leave it behind.

The binaries are looked up in ``$SP_PG_BIN``, then ``/usr/lib/postgresql/<version>/bin`` (newest
first; Debian/Ubuntu), ``/usr/pgsql-<version>/bin`` (RHEL), then ``PATH``.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, postgres) not found. Install PostgreSQL 15 or later, e.g. "
    "`apt-get install postgresql` (Debian/Ubuntu), `dnf install postgresql-server` (Fedora/RHEL) or "
    "`brew install postgresql@15` (macOS), or set SP_PG_BIN to the folder holding initdb and postgres."
)
START_SECONDS = 60
BIND_ERRORS = ("could not bind", "address already in use")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (the message says how to install them)."""


def _version_key(path: str) -> tuple:
    parts = [p for p in Path(path).parts if any(ch.isdigit() for ch in p)]
    return tuple(int("".join(ch for ch in p if ch.isdigit()) or 0) for p in parts)


def find_bin_dir() -> Path:
    """The folder holding ``initdb`` and ``postgres`` (see the module docstring)."""
    candidates = [os.environ.get("SP_PG_BIN")]
    candidates += sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), key=_version_key, reverse=True)
    candidates += sorted(map(str, Path("/usr").glob("pgsql-*/bin")), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else None)
    for folder in filter(None, candidates):
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "postgres")):
            return Path(folder)
    raise PostgresUnavailable(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, after the switch of user: SIGINT (fast shutdown) when our parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG


class PostgresServer:
    """See the module docstring. ``env()`` gives the ``DAGSTER_PG_*`` variables that
    ``deploy/dagster.yaml`` reads."""

    user = "dagster"
    db_name = "dagster"

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.password = secrets.token_urlsafe(24)
        self.port: int | None = None
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        account = _unprivileged_account()
        self._as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
        self._owner = (account.pw_uid, account.pw_gid) if account else None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> PostgresServer:
        self.folder = Path(tempfile.mkdtemp(prefix="sp-postgres-"))
        try:
            data, pwfile = self.folder / "data", self.folder / "pwfile"
            pwfile.write_text(self.password + "\n")
            if self._owner:
                os.chown(self.folder, *self._owner)
                os.chown(pwfile, *self._owner)
            self._run(
                [
                    self.bin_dir / "initdb",
                    "-D",
                    data,
                    "-U",
                    self.user,
                    "--pwfile",
                    pwfile,
                    "--auth",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ]
            )
            pwfile.unlink()
            for attempt in range(3):
                self.port = _free_port()
                if self._start_server(data, attempt):
                    break
            else:
                raise RuntimeError("PostgreSQL could not bind a port in 3 tries")
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected), SIGKILL after 30 s; the folder goes."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None:
            self.process.log.close()
        self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- connection details ----------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.db_name,
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }

    def connect(self, db_name: str | None = None):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, password=self.password, dbname=db_name or self.db_name
        )

    def log_text(self) -> str:
        path = self.folder / "postgres.log" if self.folder else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    # -- internals -------------------------------------------------------------------------
    def _run(self, cmd: list) -> None:
        result = subprocess.run([str(c) for c in cmd], cwd=self.folder, capture_output=True, text=True, **self._as)
        if result.returncode:
            raise RuntimeError(
                f"{Path(str(cmd[0])).name} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
            )

    def _start_server(self, data: Path, attempt: int) -> bool:
        """Start ``postgres`` in the foreground (our child); True once it accepts connections,
        False when the port was taken in the meantime."""
        log = (self.folder / "postgres.log").open("a")  # noqa: SIM115 (the server writes to it; closed when it stops)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": self.port,
            "unix_socket_directories": self.folder,
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": 200,
        }
        cmd = [str(self.bin_dir / "postgres"), "-D", str(data)] + [
            a for k, v in settings.items() for a in ("-c", f"{k}={v}")
        ]
        self.process = subprocess.Popen(
            cmd, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, **self._as
        )
        self.process.log = log
        deadline = time.time() + START_SECONDS
        while time.time() < deadline:
            if self.process.poll() is not None:
                text = self.log_text().lower()
                self.process.log.close()
                self.process = None
                if any(e in text for e in BIND_ERRORS) and attempt < 2:
                    return False
                raise RuntimeError("PostgreSQL did not start: " + text[-2000:])
            try:
                self.connect("postgres").close()
                return True
            except Exception:
                time.sleep(0.3)
        raise RuntimeError(f"PostgreSQL did not accept connections within {START_SECONDS}s: " + self.log_text()[-2000:])

    def _create_database(self) -> None:
        con = self.connect("postgres")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f"CREATE DATABASE {self.db_name}")
        finally:
            con.close()


def _unprivileged_account() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as when we are root (None when we are not)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and no 'postgres' or 'nobody' account to run PostgreSQL as")
