"""A throwaway PostgreSQL cluster for the tests, started with the server binaries on the
machine. initdb refuses to run as root, so as root the cluster belongs to `postgres`."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg


def find_bindir() -> Path | None:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres"

    @contextlib.contextmanager
    def database(self, name: str, template: str | None = None):
        """A database of its own for one test (a copy of ``template`` if given): its URL,
        dropped afterwards."""
        url = self.fresh_database(name, template)
        try:
            yield url
        finally:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def fresh_database(self, name: str, template: str | None = None) -> str:
        """The database ``name`` made again (a copy of ``template`` if given), whatever it
        held and whoever was connected to it: its URL."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            copy = ""
            if template:
                # Copying the template's files beats writing them through the WAL (the
                # default since 15) for a small template: 28 against 56 ms in memory.
                strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
                copy = f" TEMPLATE {template}{strategy}"
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return f"{self.url}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D",
                        str(self.root / "data"), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb) found")
    root = Path(tempfile.mkdtemp(prefix="storefront-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    cluster = Cluster(bindir, root, port, as_user)
    cluster._run(str(bindir / "initdb"), "-D", str(root / "data"), "-A", "trust",
                 "-U", "postgres", "-E", "UTF8", "--no-sync")
    cluster._run(str(bindir / "pg_ctl"), "-D", str(root / "data"), "-w", "-l",
                 str(root / "log"), "-o",
                 f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                 "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                 "start")
    return cluster


@dataclass
class KeptDatabase:
    """A database at one address, put back to its template's rows before each test.

    Emptying the tables and copying the template's few rows back (one transaction on a
    connection kept for it: about 14 ms, against about 50 ms to drop the database and copy
    the template's files) leaves the connections of the apps kept between tests
    (tests/support/app_pool.py) open, warm, with their prepared statements. Should a test
    leave something the rows do not cover (a table of its own), or a connection still hold
    a lock after 2 s, the database is made again from the template instead."""

    cluster: Cluster
    name: str
    template: str
    _tables: list[str] | None = None
    _rows: dict[str, bytes] | None = None
    _sequences: list[tuple[str, int, bool]] | None = None
    _relations: int = 0
    _conn: psycopg.Connection | None = None
    made_again: int = 0  # how many times the database was dropped and made: connections lost

    @property
    def url(self) -> str:
        return f"{self.cluster.url}/{self.name}"

    def fresh(self) -> str:
        if self._tables is not None:
            try:
                self._put_back()
                return self.url
            except (psycopg.Error, _Changed):  # a lock held too long, a table of a test's own
                pass
        else:
            self._read_template()
        if self._conn is not None:
            self._conn.close()
        self.made_again += 1
        return self.cluster.fresh_database(self.name, self.template)

    def _connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(f"{self.cluster.dsn} dbname={database}", autocommit=True)

    def _read_template(self) -> None:
        with self._connect(self.template) as conn:
            self._relations = _relation_count(conn)
            self._tables = [name for (name,) in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")]
            self._rows = {}
            for table in self._tables:
                with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                if data:
                    self._rows[table] = data
            self._sequences = [tuple(row) for row in conn.execute(
                "SELECT quote_ident(sequencename), coalesce(last_value, 1), "
                "last_value IS NOT NULL FROM pg_sequences WHERE schemaname = 'public'")]

    def _put_back(self) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect(self.name)
            # No foreign key checks while the rows go back; a test's leftover lock is waited
            # for this long before the database is made again instead.
            self._conn.execute("SET session_replication_role = replica; "
                               "SET lock_timeout = '2s'")
        conn = self._conn
        try:
            if _relation_count(conn) != self._relations:
                raise _Changed
            with conn.transaction():
                # DELETE, not TRUNCATE: TRUNCATE makes every table's files anew, 5x slower.
                conn.execute("; ".join(f"DELETE FROM {table}" for table in self._tables))
                for table, data in self._rows.items():
                    with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                        copy.write(data)
                conn.execute("SELECT " + ", ".join(
                    f"setval('{sequence}', {value}, {called})"
                    for sequence, value, called in self._sequences))
        except Exception:
            conn.close()
            raise


class _Changed(Exception):
    """The database has relations its template has not (or lacks some)."""


def _relation_count(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM pg_class "
                        "WHERE relnamespace = 'public'::regnamespace").fetchone()[0]
