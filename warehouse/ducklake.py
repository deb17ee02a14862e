"""DuckLake backend: the warehouse's tables in a DuckLake (catalog in PostgreSQL, data as Parquet files).

Several processes may write at once and analysts may read while they do. Each process keeps one in-memory
DuckDB instance per lake with the DuckLake catalog attached; every :meth:`DuckLakeWarehouse.connect` is a fresh
cursor on it. DuckLake detects conflicting commits (for instance two transactions deleting from ``cursors``);
:meth:`DuckLakeWarehouse.run_in_transaction` replays the whole transaction with backoff when that happens.

The DuckDB extensions come from the registry packages ``duckdb-extension-ducklake`` and
``duckdb-extension-postgres`` that match the pinned duckdb version, so nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from telefeed.retry import RetriesExhausted, Retry, RetryPolicy, retrying
from warehouse.db import Warehouse, WarehouseBusyError

_T = TypeVar("_T")

URL_PREFIX = "ducklake:"
LAKE_ALIAS = "lake"
INTERNAL_SCHEMA = "telefeed_internal"
LEASE_TABLE = f"{INTERNAL_SCHEMA}.write_lease"

# DuckDB's internal extension name differs from the package name for postgres; LOAD checks the file name.
_EXTENSIONS = (("postgres", "postgres_scanner"), ("ducklake", "ducklake"))

_INSTANCES: dict[tuple[int, str, bool], duckdb.DuckDBPyConnection] = {}
_INSTANCES_GUARD = threading.Lock()
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_PG_SESSIONS: dict[tuple[int, str], Any] = {}
ADVISORY_LOCK_KEY = 0x7E1EFEED  # PostgreSQL advisory lock id that telefeed writers of one catalog database share


class DuckLakeConfigError(ValueError):
    """A DuckLake URL is malformed or the extension packages are missing; the message is for the user."""


@dataclass(frozen=True, slots=True)
class DuckLakeSpec:
    """A parsed ``ducklake:`` warehouse URL.

    ``ducklake:postgres:dbname=telefeed host=127.0.0.1 port=5433 user=telefeed;data_path=/data/lake``
    -> metadata ``postgres:dbname=... user=telefeed`` and data path ``/data/lake``.
    """

    metadata: str
    data_path: str | None = None

    @property
    def attach_target(self) -> str:
        """The string given to ``ATTACH``."""
        return URL_PREFIX + self.metadata

    @property
    def postgres_conninfo(self) -> str | None:
        """The libpq connection string of a PostgreSQL catalog (None for other catalogs)."""
        return self.metadata[len("postgres:") :] if self.metadata.startswith("postgres:") else None

    @property
    def redacted(self) -> str:
        """The URL as logs and errors show it (any password hidden)."""
        return redact(URL_PREFIX + self.metadata + (f";data_path={self.data_path}" if self.data_path else ""))


_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|[^\s;\"]+)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every ``password=...`` value replaced by ``***``."""
    return _PASSWORD.sub(r"\1***", text)


def is_ducklake_url(target: str | os.PathLike[str]) -> bool:
    """True when ``target`` names a DuckLake (``ducklake:...``) rather than a DuckDB file."""
    return isinstance(target, str) and target.startswith(URL_PREFIX)


def parse_ducklake_url(url: str) -> DuckLakeSpec:
    """Split ``ducklake:<metadata>[;data_path=<dir or URL>]`` into its parts.

    The catalog password must not be in the URL (flow parameters are stored by Prefect): libpq reads it from
    ``PGPASSWORD`` or a ``~/.pgpass`` / ``PGPASSFILE`` file.

    Raises:
        DuckLakeConfigError: not a ``ducklake:`` URL, an empty catalog, an unknown ``;option`` or a password.
    """
    if not is_ducklake_url(url):
        raise DuckLakeConfigError(f"not a DuckLake URL (must start with {URL_PREFIX!r})")
    body = url[len(URL_PREFIX) :]
    metadata, *options = body.split(";")
    data_path = None
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key.strip().lower() != "data_path" or not value.strip():
            raise DuckLakeConfigError(f"unknown DuckLake URL option {key.strip()!r}; only data_path=... is known")
        data_path = value.strip()
    if _PASSWORD.search(metadata):
        raise DuckLakeConfigError(
            "the DuckLake URL holds a password; remove it and set PGPASSWORD or use a ~/.pgpass (PGPASSFILE) file "
            "(the URL is stored with every flow run's parameters)"
        )
    if not metadata.strip():
        raise DuckLakeConfigError("DuckLake URL has no catalog (e.g. ducklake:postgres:dbname=telefeed host=...)")
    if data_path and "://" not in data_path:
        data_path = str(Path(data_path).expanduser().resolve())
    return DuckLakeSpec(metadata=metadata.strip(), data_path=data_path)


def _extension_cache_dir() -> Path:
    for base in (os.environ.get("XDG_CACHE_HOME"), str(Path.home() / ".cache"), tempfile.gettempdir()):
        if not base:
            continue
        folder = Path(base) / "telefeed" / f"duckdb-extensions-{os.getuid()}" / f"v{duckdb.__version__}"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise DuckLakeConfigError("no writable cache folder for DuckDB extension links")


def extension_file(package_name: str, internal_name: str) -> Path:
    """The extension binary shipped by ``duckdb-extension-<package_name>``, named as DuckDB expects.

    Raises:
        DuckLakeConfigError: the package is missing or was built for another duckdb version.
    """
    requirement = f"duckdb-extension-{package_name}=={duckdb.__version__}"
    try:
        module = importlib.import_module(f"duckdb_extension_{package_name}")
    except ModuleNotFoundError as exc:
        raise DuckLakeConfigError(f"the DuckLake backend needs {requirement} (pip install 'telefeed[scale]')") from exc
    assert module.__file__ is not None
    shipped = (
        Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{package_name}.duckdb_extension"
    )
    if not shipped.is_file():
        raise DuckLakeConfigError(f"{shipped} not found: install {requirement} to match duckdb {duckdb.__version__}")
    if package_name == internal_name:
        return shipped
    link = _extension_cache_dir() / f"{internal_name}.duckdb_extension"
    if not (link.is_symlink() and link.resolve() == shipped.resolve()):
        staging = link.with_name(f".{link.name}.{os.getpid()}.{threading.get_ident()}")
        staging.unlink(missing_ok=True)
        staging.symlink_to(shipped)
        os.replace(staging, link)
    return link


def _new_instance(spec: DuckLakeSpec, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    try:
        for package_name, internal_name in _EXTENSIONS:
            con.execute(f"LOAD '{extension_file(package_name, internal_name)}'")
        options = []
        if spec.data_path:
            options.append(f"DATA_PATH {_quote(spec.data_path)}")
        if read_only:
            options.append("READ_ONLY")
        suffix = f" ({', '.join(options)})" if options else ""
        con.execute(f"ATTACH {_quote(spec.attach_target)} AS {LAKE_ALIAS}{suffix}")
        if read_only:
            # Analysts may read the lake's own Parquet files and nothing else on disk.
            row = con.execute(f"SELECT data_path FROM ducklake_settings('{LAKE_ALIAS}')").fetchone()
            data_path = str(row[0]) if row and row[0] else spec.data_path
            if data_path:
                con.execute("SET allowed_directories = ?", [[data_path.rstrip("/") + "/"]])
            con.execute("SET enable_external_access = false")
    except duckdb.Error as exc:
        con.close()
        raise DuckLakeConfigError(f"could not attach {spec.redacted}: {_first_line(exc)}") from exc
    except BaseException:
        con.close()
        raise
    return con


def _instance(spec: DuckLakeSpec, read_only: bool) -> duckdb.DuckDBPyConnection:
    key = (os.getpid(), spec.attach_target + "|" + (spec.data_path or ""), read_only)
    with _INSTANCES_GUARD:
        con = _INSTANCES.get(key)
        if con is None:
            con = _INSTANCES[key] = _new_instance(spec, read_only)
        return con


def close_instances() -> None:
    """Close this process's cached lake connections and catalog sessions (tests, or before forking)."""
    with _INSTANCES_GUARD:
        for key, con in list(_INSTANCES.items()):
            if key[0] == os.getpid():
                con.close()
            del _INSTANCES[key]
        for session_key, session in list(_PG_SESSIONS.items()):
            if session_key[0] == os.getpid():
                session.close()
            del _PG_SESSIONS[session_key]


def _has_psycopg() -> bool:
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def _pg_session(conninfo: str) -> Any:
    """This process's autocommit session on the catalog database, used only for the advisory lock."""
    import psycopg

    key = (os.getpid(), conninfo)
    with _INSTANCES_GUARD:
        session = _PG_SESSIONS.get(key)
        if session is None or session.closed:
            session = _PG_SESSIONS[key] = psycopg.connect(
                conninfo, autocommit=True, application_name="telefeed-write-lock"
            )
        return session


def _drop_pg_session(conninfo: str) -> None:
    with _INSTANCES_GUARD:
        session = _PG_SESSIONS.pop((os.getpid(), conninfo), None)
    if session is not None:
        with suppress(Exception):
            session.close()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_conflict(exc: BaseException) -> bool:
    """True for a DuckLake commit that lost a race with another writer (safe to replay)."""
    if isinstance(exc, duckdb.TransactionException):
        return True
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and ("transaction conflict" in text or "write-write conflict" in text)


class DuckLakeWarehouse(Warehouse):
    """The telefeed warehouse on DuckLake; same methods as :class:`warehouse.db.Warehouse`."""

    def __init__(
        self,
        url: str,
        lock_timeout_seconds: float = 300.0,
        max_attempts: int = 50,
    ) -> None:
        self.spec = parse_ducklake_url(url)
        self.path = self.spec.redacted  # what errors and logs show; never the password
        self.lock_timeout_seconds = lock_timeout_seconds
        self.max_attempts = max_attempts
        self.conflicts_retried = 0
        self.lock_waits = 0
        self._migrated = False

    # -- connections -------------------------------------------------------------------------------------------

    def _open(self, read_only: bool, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        con = _instance(self.spec, read_only).cursor()
        con.execute(f"USE {LAKE_ALIAS}")
        return con

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write cursor on the lake (not serialised: DuckLake resolves concurrent writers)."""
        self._ensure_migrated()
        con = self._open(read_only=False)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def session(self, memory_limit: str | None = None) -> Iterator[None]:
        """Nothing to hold: a lake connection is a cursor on a shared instance and closing it checkpoints nothing.

        ``memory_limit`` is ignored: the lake's instance is shared by every connection.
        """
        yield

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction; write transactions take turns, as on the DuckDB file.

        DuckLake has no keys and lets concurrent inserts into one table both commit, so two runs landing the
        same items at once could both find them missing and both insert them. So writers take turns: a lock
        inside the process, and across processes and machines a PostgreSQL advisory lock on the catalog
        database (held only for the transaction; fetching and extraction still run in parallel). As a second
        line (a catalog that is not PostgreSQL, psycopg missing) every write also updates a one-row lease, so
        two overlapping commits conflict and :meth:`run_in_transaction` replays the later one.
        """
        with self._process_lock(), self._catalog_lock(), super().transaction() as con:
            con.execute(f"UPDATE {LEASE_TABLE} SET touched_at = now()")
            yield con

    @contextmanager
    def _catalog_lock(self) -> Iterator[None]:
        conninfo = self.spec.postgres_conninfo
        if conninfo is None or not _has_psycopg():
            yield
            return

        def try_lock(_: int) -> Any:
            session = _pg_session(conninfo)
            try:
                row = session.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY]).fetchone()
            except Exception as exc:  # a dropped session: reconnect (its locks went with it)
                _drop_pg_session(conninfo)
                raise Retry(f"catalog session lost: {_first_line(exc)}") from exc
            if not (row and row[0]):
                self.lock_waits += 1
                raise Retry("another writer holds the lock")
            return session

        policy = RetryPolicy(
            attempts=None,
            deadline_seconds=self.lock_timeout_seconds,
            backoff_seconds=0.01,
            max_backoff_seconds=0.5,
            jitter=True,
        )
        try:
            session = retrying(policy, try_lock)
        except RetriesExhausted as exc:
            raise WarehouseBusyError(f"DuckLake {self.path}: no write lock: {exc.reason}, for too long") from exc
        try:
            yield
        finally:
            try:
                session.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
            except Exception:
                _drop_pg_session(conninfo)  # closing the session releases the lock

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on a read-only attachment; files outside the lake's data path are not readable."""
        con = self._open(read_only=True)
        try:
            yield con
        finally:
            con.close()

    def _process_lock(self) -> threading.RLock:
        key = self.spec.attach_target
        with _INSTANCES_GUARD:
            return _WRITE_LOCKS.setdefault(key, threading.RLock())

    def _ensure_migrated(self) -> None:
        if self._migrated:
            return

        def migrate_once() -> None:
            with self._process_lock(), self._catalog_lock():
                migrate_locked()

        def migrate_locked() -> None:
            con = self._open(read_only=False)
            try:
                self._apply_migrations(con)
                con.execute("BEGIN TRANSACTION")
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {INTERNAL_SCHEMA}")
                con.execute(f"CREATE TABLE IF NOT EXISTS {LEASE_TABLE} (touched_at TIMESTAMPTZ NOT NULL)")
                con.execute(f"INSERT INTO {LEASE_TABLE} SELECT now() WHERE NOT EXISTS (FROM {LEASE_TABLE})")
                con.execute("COMMIT")
            finally:
                con.close()

        self._retry(migrate_once)
        self._migrated = True

    # -- conflicts ---------------------------------------------------------------------------------------------

    def run_in_transaction(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run ``work(con)`` in one transaction; replay it when the commit conflicts with another writer."""

        def attempt() -> _T:
            with self.transaction() as con:
                return work(con)

        return self._retry(attempt)

    def _retry(self, attempt: Callable[[], _T]) -> _T:
        def replay(number: int) -> _T:
            if number > 1:
                self.conflicts_retried += 1
            try:
                return attempt()
            except duckdb.Error as exc:
                if not is_conflict(exc):
                    raise
                raise Retry(_first_line(exc)) from exc

        policy = RetryPolicy(
            attempts=self.max_attempts,
            deadline_seconds=self.lock_timeout_seconds,
            backoff_seconds=0.02,
            max_backoff_seconds=1.0,
            jitter=True,
        )
        try:
            return retrying(policy, replay)
        except RetriesExhausted as exc:
            raise WarehouseBusyError(
                f"DuckLake {self.path}: commit still conflicting after {exc.attempts} attempts: {exc.reason}"
            ) from exc

    # -- maintenance -------------------------------------------------------------------------------------------

    def maintain(self, older_than: str = "7 days") -> dict[str, int]:
        """Merge small Parquet files, expire snapshots older than ``older_than`` and delete unused files."""
        cutoff = f"older_than => now() - INTERVAL '{_interval(older_than)}'"
        with self.connect() as con:
            merged = con.execute(f"CALL ducklake_merge_adjacent_files('{LAKE_ALIAS}')").fetchall()
            expired = con.execute(f"CALL ducklake_expire_snapshots('{LAKE_ALIAS}', {cutoff})").fetchall()
            cleaned = con.execute(f"CALL ducklake_cleanup_old_files('{LAKE_ALIAS}', {cutoff})").fetchall()
        return {"merged": len(merged), "expired_snapshots": len(expired), "deleted_files": len(cleaned)}


def _interval(text: str) -> str:
    if not re.fullmatch(r"\d+\s+(second|minute|hour|day|week)s?", text.strip()):
        raise ValueError(f"not an interval like '7 days': {text!r}")
    return text.strip()
