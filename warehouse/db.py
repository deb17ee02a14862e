"""DuckDB warehouse: migrations, atomic bulk landing (Arrow), cursors, runs and read-only queries.

Writers open the file, do one transaction and close, so the single-writer file lock is held briefly.
Within a process writers are serialised by a lock; across processes a busy file is retried with backoff.
"""

from __future__ import annotations

import itertools
import json
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from telefeed.hashing import content_hashes
from telefeed.models import (
    Cursor,
    Document,
    LandBatch,
    LandResult,
    Quarantined,
    RawItem,
    RunCounts,
    canonical_json,
    known_content_hashes,
    sha256_hex,
    utc_now,
)
from telefeed.retry import RetriesExhausted, Retry, RetryPolicy, retrying
from warehouse.tables import DOCUMENTS, QUARANTINE, RAW_ITEMS, RUNS

_T = TypeVar("_T")
WriteGuard = Callable[[], AbstractContextManager[object]]


class ConnectionOpener(Protocol):
    """Opens a DuckDB connection, as ``duckdb.connect`` does: how a :class:`Warehouse` opens its file."""

    def __call__(
        self, database: str, read_only: bool = False, config: dict[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection: ...


_PROCESS_LOCKS: dict[str, _FileTurns] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()

# Statement types an analyst's read-only query may contain.
_READ_ONLY_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA"}
_SAFE_PRAGMAS = ("show_tables", "table_info", "show", "database_size", "version")


# The catalog name of the warehouse file in a writer connection that attaches it (``Warehouse._attach``).
_WAREHOUSE_ALIAS = "warehouse"


class WarehouseBusyError(RuntimeError):
    """Another process held the warehouse file for longer than the configured wait."""


class WriteRefusedError(ValueError):
    """A read-only query contained a statement that could change something."""


class _FileTurns:
    """The turns this process's threads take on one warehouse file: a re-entrant lock that knows who waits.

    A writer that finishes while another thread waits for its turn leaves its read-write connection open for
    that thread (:meth:`park`) instead of closing the file for the next one to open it again: opening attaches
    the file and closing checkpoints it (20-60 ms each), and the tasks of a flow run queue here. The last
    thread of a queue closes it, so the file is never held open while no thread of this process wants it.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._guard = threading.Lock()
        self._waiting = 0
        self._depth = threading.local()
        self._parked: tuple[tuple[Any, ...], duckdb.DuckDBPyConnection] | None = None

    def __enter__(self) -> _FileTurns:
        depth = getattr(self._depth, "value", 0)
        if depth == 0:
            with self._guard:
                self._waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._guard:
                    self._waiting -= 1
        else:
            self._lock.acquire()
        self._depth.value = depth + 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth.value -= 1
        try:
            if self._depth.value == 0 and not self.others_waiting():
                self.close_parked()  # nobody came for it (e.g. the waiter only wanted a read-only connection)
        finally:
            self._lock.release()

    def others_waiting(self) -> bool:
        """True when another thread waits for its turn (only meaningful while holding the lock)."""
        with self._guard:
            return self._waiting > 0

    def park(self, key: tuple[Any, ...], con: duckdb.DuckDBPyConnection) -> None:
        """Leave ``con`` (opened with settings ``key``) open for the next thread; call while holding the lock."""
        self.close_parked()
        self._parked = (key, con)

    def take_parked(self, key: tuple[Any, ...]) -> duckdb.DuckDBPyConnection | None:
        """The parked connection when it was opened with the same settings, else None (and it is closed)."""
        parked, self._parked = self._parked, None
        if parked is None:
            return None
        if parked[0] == key:
            return parked[1]
        parked[1].close()
        return None

    def close_parked(self) -> None:
        """Close the parked connection, if any (before opening the file another way)."""
        parked, self._parked = self._parked, None
        if parked is not None:
            parked[1].close()


def _process_lock(path: str) -> _FileTurns:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(path, _FileTurns())


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("could not set" in text or "conflicting" in text or "resource temporarily" in text)


RAW_SCHEMA = RAW_ITEMS.landing_schema
DOCUMENT_SCHEMA = DOCUMENTS.landing_schema

# A document's version: everything that, when the source changes it, should update the stored row. Computed by
# DuckDB (vectorised, no Python per row) from the same columns for a landing batch and for stored rows: MD5 (a
# change detector, not a security hash; DuckDB's MD5 is about 5x faster than its SHA-256) of the columns, each
# written as its length in bytes, ':' and its value (NULL as an empty length): moving text between columns changes
# the hash.
_VERSIONED_COLUMNS = (
    "{p}content_hash",  # the normalised text's hash: a whitespace- or case-only edit is not a new version
    "{p}title",
    "{p}author",
    "{p}url",
    "CAST(epoch_us({p}published_at) AS VARCHAR)",
    "{p}language",
    "CAST({p}metadata AS VARCHAR)",
)
VERSION_HASH_SQL = "md5(concat(" + ", ';', ".join(f"strlen({c}), ':', {c}" for c in _VERSIONED_COLUMNS) + "))"


def version_hash_sql(alias: str = "") -> str:
    """The SQL expression of the version hash over the columns of ``alias`` (a table alias, or none)."""
    return VERSION_HASH_SQL.format(p=f"{alias}." if alias else "")


QUARANTINE_SCHEMA = QUARANTINE.landing_schema


def raw_items_table(items: Sequence[RawItem], run_id: str | None) -> pa.Table:
    """Arrow table of raw items, deduplicated on the ``raw_items`` key (source, external_id, content_hash)."""
    seen: set[tuple[str, str, str]] = set()
    rows: dict[str, list[Any]] = {name: [] for name in RAW_SCHEMA.names}
    for item in items:
        content_hash = item.content_hash
        key = (item.source, item.external_id, content_hash)
        if key in seen:
            continue
        seen.add(key)
        rows["source"].append(item.source)
        rows["external_id"].append(item.external_id)
        rows["item_kind"].append(item.item_kind)
        rows["fetched_at"].append(item.fetched_at)
        rows["content_hash"].append(content_hash)
        rows["payload"].append(canonical_json(item.payload))
        rows["run_id"].append(run_id)
    return pa.table(rows, schema=RAW_SCHEMA)


# Document attributes stored as they are (id, content_hash and metadata are derived).
_DOCUMENT_ATTRIBUTES = [name for name in DOCUMENT_SCHEMA.names if name not in ("id", "content_hash", "metadata")]


def documents_table(documents: Sequence[Document]) -> pa.Table:
    """Arrow table of documents (without the version hash, which DuckDB computes); when an id repeats, the last wins.

    The content hashes not computed before are computed here, over the Arrow text column for the whole batch at
    once (:func:`telefeed.hashing.content_hashes`).
    """
    by_id = {doc.id: doc for doc in documents}
    docs = list(by_id.values())
    columns: dict[str, Any] = {name: list(map(attrgetter(name), docs)) for name in _DOCUMENT_ATTRIBUTES}
    columns["text"] = texts = _utf8_strings(columns["text"])
    columns["content_hash"] = _content_hashes(docs, texts)
    columns["id"] = list(by_id)
    columns["metadata"] = [canonical_json(d.metadata) for d in docs]
    return pa.table(columns, schema=DOCUMENT_SCHEMA)


def _utf8_strings(values: Sequence[str]) -> pa.Array | pa.ChunkedArray:
    """An Arrow string array of ``values`` built from one UTF-8 encoding of each, released right after.

    ``pa.array`` would keep a UTF-8 copy of every non-ASCII text inside its ``str`` (CPython's cache) for as long
    as the document lives, and it takes longer.
    """
    encoded = [value.encode() for value in values]
    ends = array("q", itertools.accumulate(map(len, encoded), initial=0))
    if ends[-1] > 2**31 - 1:  # more than 32-bit offsets reach: pyarrow cuts the column into chunks
        return pa.array(values, pa.string())
    offsets = pa.py_buffer(array("i", ends))
    return pa.StringArray.from_buffers(len(values), offsets, pa.py_buffer(b"".join(encoded)))


def _content_hashes(docs: Sequence[Document], texts: pa.Array | pa.ChunkedArray) -> list[str]:
    """Each document's content hash (``texts[i]`` is ``docs[i].text``): those computed before, the rest at once."""
    known = known_content_hashes(docs)
    missing = [i for i, digest in enumerate(known) if digest is None]
    if len(missing) == len(docs):
        return content_hashes(texts)
    if not missing:
        return known  # type: ignore[return-value]  # no None in it
    for i, digest in zip(missing, content_hashes(texts.take(missing)), strict=True):
        known[i] = digest
    return known  # type: ignore[return-value]  # every None was replaced


def quarantine_table(rows_in: Sequence[Quarantined], run_id: str | None) -> pa.Table:
    """Arrow table of quarantine rows."""
    now = utc_now()
    rows: dict[str, list[Any]] = {name: [] for name in QUARANTINE_SCHEMA.names}
    for q in rows_in:
        rows["source"].append(q.source)
        rows["external_id"].append(q.external_id)
        rows["stage"].append(q.stage)
        rows["reason"].append(q.reason)
        rows["payload"].append(q.payload)
        rows["payload_hash"].append(sha256_hex(q.payload))
        rows["run_id"].append(run_id)
        rows["quarantined_at"].append(now)
    return pa.table(rows, schema=QUARANTINE_SCHEMA)


@dataclass(slots=True, kw_only=True)
class RunRecord(RunCounts):
    """One row of the ``runs`` table: which run of which source, when, and its :class:`RunCounts`."""

    run_id: str
    source: str
    mode: str
    started_at: datetime
    finished_at: datetime


class Warehouse:
    """A telefeed warehouse in one embedded DuckDB file."""

    # DuckDB memory cap of read-write connections. Without it a transaction keeps every table block it reads in
    # DuckDB's buffer pool until the connection closes (default cap: 80% of RAM), and the landing's per-batch
    # checks read whole tables, so peak memory grew with the warehouse (bench/README.md, "Peak memory": landing
    # 300k posts 801 -> 461 MB). Over the cap DuckDB evicts cached blocks and spills joins and sorts to
    # ``<file>.tmp``. Readers (analysts' queries) keep DuckDB's default. 64 MB would lower a 1M-post Telegram
    # run's peak (1,030 MB instead of 1,077 MB) but slows landing at 100k documents by 30-60% (more rereads).
    writer_memory_limit: str | None = "128MB"
    # DuckDB memory cap of the session that story clustering runs in (``session(memory_limit=...)``). Clustering
    # scans the signatures and LSH bands of the whole warehouse, and its peak follows the cap, not the corpus:
    # at 300k posts the landing stayed at 904-942 MB while clustering under the writer cap peaked at 1,064-1,084
    # MB (bench/README.md, 2026-12-04). The landing keeps the larger cap, which it needs for its speed.
    clustering_memory_limit: str | None = "64MB"
    # WAL size at which a commit of a writer connection checkpoints (DuckDB's default: 16 MB). A checkpoint
    # costs more the larger the table is, and a session (one open file for many transactions) with article-sized
    # batches of 10,000 documents (23 MB of Arrow) passed 16 MB at every other commit: landing 100k documents
    # spent a third of its time in those checkpoints. Writers outside a session close the file, and so
    # checkpoint, after each transaction anyway. None: DuckDB's default.
    writer_checkpoint_threshold: str | None = "128MB"
    # Rows per row group of what writer connections append. When DuckDB checkpoints (telefeed's writers close
    # the file after each transaction, so at every commit) it rewrites the last, partly filled row group of each
    # table the transaction appended to, holding it in memory; at DuckDB's default of 122,880 rows that memory
    # grew with the warehouse until the row groups filled (wide rows: raw payloads, texts, 1 KB signatures).
    # DuckDB keeps no row group size in the file, so every writer attaches the file with it. None: the default.
    writer_row_group_size: int | None = 16384

    # Taken around every read-write connection a writer opens (not around ``peek``): e.g. the Prefect global
    # concurrency slot of ``flows.writes.write_slot``, so writers of concurrent runs queue in the server.
    write_guard: WriteGuard | None = None

    def __init__(
        self,
        path: str | Path,
        lock_timeout_seconds: float = 300.0,
        write_guard: WriteGuard | None = None,
        opener: ConnectionOpener = duckdb.connect,
    ) -> None:
        """``opener`` opens every DuckDB connection of this warehouse (e.g. one that counts the file's opens)."""
        self.path = str(Path(path).expanduser().resolve())
        self.lock_timeout_seconds = lock_timeout_seconds
        self.write_guard = write_guard
        self.opener = opener
        self._migrated = False
        self._session = threading.local()
        self._guarded = threading.local()

    # -- connections -------------------------------------------------------------------------------------------

    def _open(self, read_only: bool, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        def attempt(_: int) -> duckdb.DuckDBPyConnection:
            try:
                if read_only or self.writer_row_group_size is None:
                    return self.opener(self.path, read_only=read_only, config=config or {})
                return self._attach(config or {}, self.writer_row_group_size)
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if not _is_lock_error(exc):
                    raise
                raise Retry(str(exc)) from exc

        policy = RetryPolicy(
            attempts=None, deadline_seconds=self.lock_timeout_seconds, backoff_seconds=0.02, max_backoff_seconds=1.0
        )
        try:
            return retrying(policy, attempt)
        except RetriesExhausted as exc:
            raise WarehouseBusyError(
                f"warehouse {self.path} is held by another process for over {self.lock_timeout_seconds:.0f}s"
            ) from exc

    def _attach(self, config: dict[str, Any], row_group_size: int) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB that attaches the file read-write with ``row_group_size``, as its default database.

        Spill files go where a direct connection puts them (``<file>.tmp``), not into the working directory.
        """
        con = self.opener(":memory:", config={"temp_directory": f"{self.path}.tmp", **config})
        try:
            path = self.path.replace("'", "''")
            con.execute(f"ATTACH '{path}' AS {_WAREHOUSE_ALIAS} (ROW_GROUP_SIZE {int(row_group_size)})")
            con.execute(f"USE {_WAREHOUSE_ALIAS}")
        except BaseException:
            con.close()
            raise
        return con

    def _writer_config(self) -> dict[str, Any]:
        memory_limit = getattr(self._session, "memory_limit", None) or self.writer_memory_limit
        config = {"memory_limit": memory_limit} if memory_limit else {}
        if self.writer_checkpoint_threshold:
            config["checkpoint_threshold"] = self.writer_checkpoint_threshold
        return config

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, serialised with every other writer; migrated on first use.

        Inside :meth:`session` (same thread) this is the session's open connection, not a new one. With a
        ``write_guard`` the connection is opened inside it (once per thread: a connection opened inside another
        does not wait for itself), then inside this process's writer lock.
        """
        guard = self.write_guard
        if guard is None or getattr(self._guarded, "held", False):
            with self._connect() as con:
                yield con
            return
        self._guarded.held = True
        try:
            with guard(), self.writer_lock(), self._connect() as con:
                yield con
        finally:
            self._guarded.held = False

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection without the write guard (see :meth:`connect`)."""
        held: duckdb.DuckDBPyConnection | None = getattr(self._session, "connection", None)
        if held is not None:
            yield held
            return
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with _process_lock(self.path) as turns:
            config = self._writer_config()
            key = (tuple(sorted(config.items())), self.writer_row_group_size)
            con = turns.take_parked(key) or self._open(read_only=False, config=config)
            try:
                if not self._migrated:
                    self._apply_migrations(con)
                    self._migrated = True
                yield con
            except BaseException:
                con.close()
                raise
            if turns.others_waiting():
                turns.park(key, con)  # the next writer of this process uses it; the last one closes the file
            else:
                con.close()

    @contextmanager
    def session(self, memory_limit: str | None = None) -> Iterator[None]:
        """Keep one read-write connection open for every connection this thread asks for inside the block.

        Each transaction still commits on its own (a crash loses nothing committed), but the file is opened,
        and DuckDB checkpoints when it is closed, once for the block instead of once per transaction; the
        writer's lock (and the ``write_guard``, e.g. the Prefect write slot) is held for the whole block.
        Use it around a loop of landings whose inputs are already in memory, never around network IO.
        ``memory_limit`` caps that connection instead of ``writer_memory_limit``. Re-entrant: an inner session
        reuses the outer one (and its cap).
        """
        if getattr(self._session, "connection", None) is not None:
            yield
            return
        self._session.memory_limit = memory_limit  # read by _writer_config when connect opens the file
        try:
            with self.connect() as con:  # inside the write guard, if any
                self._session.connection = con
                try:
                    yield
                finally:
                    self._session.connection = None
        finally:
            self._session.memory_limit = None

    def writer_lock(self) -> AbstractContextManager[object]:
        """The lock this process's connections to this warehouse file take turns on (re-entrant)."""
        return _process_lock(self.path)

    @contextmanager
    def peek(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for a short read inside a run (cursors, known ids).

        The same connection as :meth:`connect` (DuckDB's file lock and the in-process lock still apply), but
        without the ``write_guard`` (e.g. the Prefect write slot): a read need not wait behind other runs'
        writes in the Prefect server.
        """
        with self._connect() as con:
            yield con

    def peek_for_keys(self, keys: Sequence[str], sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of ``sql`` on a short read (:meth:`peek`), with ``keys`` as a table ``_keys(key)`` to join on (no
        keys: no rows)."""
        if not keys:
            return []
        with self.peek() as con:
            con.register("_keys", pa.table({"key": list(keys)}))
            try:
                return con.execute(sql, list(params)).fetchall()
            finally:
                con.unregister("_keys")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection inside BEGIN ... COMMIT (ROLLBACK on any error)."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def run_in_transaction(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run ``work(con)`` inside one transaction and return its result.

        ``work`` must be safe to call again: backends whose commits can conflict (DuckLake) retry it.
        """
        with self.transaction() as con:
            return work(con)

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection with file access outside the database disabled."""
        if not Path(self.path).exists():
            self.migrate()
        with _process_lock(self.path) as turns:
            turns.close_parked()
            con = self._open(read_only=True, config={"enable_external_access": False})
            try:
                yield con
            finally:
                con.close()

    # -- schema ------------------------------------------------------------------------------------------------

    @staticmethod
    def migration_files() -> list[tuple[int, str, str]]:
        """(version, name, sql) for every ``schema/NNN_name.sql`` file, in order.

        ``{version_hash}`` in a file stands for the version-hash expression over the ``documents`` columns, the one
        landing computes (:func:`version_hash_sql`): a migration that recomputes stored hashes states it once.
        """
        found = []
        for entry in resources.files("warehouse").joinpath("schema").iterdir():
            name = entry.name
            if name.endswith(".sql") and name[:3].isdigit():
                sql = entry.read_text(encoding="utf-8").replace("{version_hash}", version_hash_sql())
                found.append((int(name[:3]), name[:-4], sql))
        return sorted(found)

    def _apply_migrations(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        applied = {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
        for version, name, sql in self.migration_files():
            if version in applied:
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def migrate(self) -> None:
        """Create the file if needed and apply every pending migration."""
        with self.connect():
            pass

    # -- landing -----------------------------------------------------------------------------------------------

    def land(self, batch: LandBatch, run_id: str | None = None) -> LandResult:
        """Land raw items, documents, quarantine rows and the batch's cursor in one transaction.

        Idempotent: raw items are keyed on (source, external_id, content_hash), documents on id (a changed
        ``version_hash`` updates the row and bumps ``revision``), quarantine rows on (source, stage, payload).
        """
        return self.run_in_transaction(lambda con: land_in_transaction(con, batch, run_id))

    def save_cursor(self, cursor: Cursor) -> None:
        """Store a cursor on its own (e.g. a 304 that only refreshes validators)."""
        self.run_in_transaction(lambda con: _write_cursor(con, cursor))

    def get_cursor(self, source: str) -> Cursor:
        """The stored cursor for ``source`` (an empty one when none is stored)."""
        return self.get_cursors([source])[source]

    def get_cursors(self, sources: Sequence[str]) -> dict[str, Cursor]:
        """The stored cursor of each of ``sources`` (an empty one when none is stored), in one read."""
        rows = self.peek_for_keys(
            sources,
            "SELECT c.source, etag, last_modified, last_id, last_date, state FROM cursors c "
            "JOIN _keys k ON c.source = k.key",
        )
        stored = {
            row[0]: Cursor(
                source=row[0],
                etag=row[1],
                last_modified=row[2],
                last_id=row[3],
                last_date=row[4],
                state=json.loads(row[5]) if row[5] else {},
            )
            for row in rows
        }
        return {source: stored.get(source) or Cursor(source=source) for source in sources}

    def existing_external_ids(self, source: str, external_ids: Sequence[str]) -> set[str]:
        """Which of ``external_ids`` already have a document for ``source``."""
        rows = self.peek_for_keys(
            external_ids,
            "SELECT d.external_id FROM documents d JOIN _keys k ON k.key = d.external_id WHERE d.source = ?",
            [source],
        )
        return {r[0] for r in rows}

    def register_sources(self, sources: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Upsert (name, kind, config) rows into ``sources`` (one transaction; the last row of a name wins)."""
        latest = {name: (kind, canonical_json(config)) for name, kind, config in sources}
        table = pa.table(
            {
                "name": pa.array(list(latest), pa.string()),
                "kind": pa.array([kind for kind, _ in latest.values()], pa.string()),
                "config": pa.array([config for _, config in latest.values()], pa.string()),
            }
        )

        def work(con: duckdb.DuckDBPyConnection) -> None:
            con.register("_registered", table)
            try:  # no INSERT ... ON CONFLICT: the table has no key (and DuckLake supports none)
                con.execute(
                    "UPDATE sources SET kind = r.kind, config = r.config, last_seen = now() "
                    "FROM _registered r WHERE sources.name = r.name"
                )
                con.execute(
                    "INSERT INTO sources SELECT r.name, r.kind, r.config, now(), now() FROM _registered r "
                    "WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.name = r.name)"
                )
            finally:
                con.unregister("_registered")

        self.run_in_transaction(work)

    def record_run(self, record: RunRecord) -> None:
        """Append one row to ``runs``."""
        self.record_runs([record])

    def record_runs(self, records: Sequence[RunRecord]) -> None:
        """Append rows to ``runs``, in one transaction (one statement)."""
        if not records:
            return
        schema = RUNS.landing_schema
        table = pa.table({name: [getattr(r, name) for r in records] for name in schema.names}, schema=schema)

        def work(con: duckdb.DuckDBPyConnection) -> None:
            con.register("_runs", table)
            try:
                con.execute(f"INSERT INTO runs ({', '.join(schema.names)}) SELECT * FROM _runs")
            finally:
                con.unregister("_runs")

        self.run_in_transaction(work)

    # -- reading -----------------------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a trusted query (telefeed's own code) and return an Arrow table."""
        with self.connect() as con:
            return con.execute(sql, params or []).arrow().read_all()

    def read_only_query(self, sql: str) -> pa.Table:
        """Run an analyst's query on a read-only connection; anything but a read is refused.

        Raises:
            WriteRefusedError: the text holds a statement that is not a plain read.
        """
        check_read_only(sql)
        with self.reader() as con:
            return con.execute(sql).arrow().read_all()


def check_read_only(sql: str) -> None:
    """Refuse any statement that is not SELECT / EXPLAIN / an informational PRAGMA."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise WriteRefusedError(f"could not parse query: {exc}") from exc
    if not statements:
        raise WriteRefusedError("empty query")
    for statement in statements:
        kind = statement.type.name
        if kind not in _READ_ONLY_STATEMENTS:
            raise WriteRefusedError(
                f"refused: {kind} statements are not allowed; `telefeed sql` is read-only (SELECT only)"
            )
        if kind == "PRAGMA" and not statement.query.strip().lower().removeprefix("pragma").strip().startswith(
            _SAFE_PRAGMAS
        ):
            raise WriteRefusedError("refused: only informational PRAGMAs are allowed in `telefeed sql`")


def _write_cursor(con: duckdb.DuckDBPyConnection, cursor: Cursor) -> None:
    _write_cursors(con, [cursor])


def _write_cursors(con: duckdb.DuckDBPyConnection, cursors: Sequence[Cursor]) -> None:
    """Replace the stored cursors of these sources (the last one of a source wins)."""
    if not cursors:
        return
    latest = {cursor.source: cursor for cursor in cursors}
    table = pa.table(
        {
            "source": pa.array(list(latest), pa.string()),
            "etag": pa.array([c.etag for c in latest.values()], pa.string()),
            "last_modified": pa.array([c.last_modified for c in latest.values()], pa.string()),
            "last_id": pa.array([c.last_id for c in latest.values()], pa.int64()),
            "last_date": pa.array([c.last_date for c in latest.values()], pa.timestamp("us", tz="UTC")),
            "state": pa.array([canonical_json(c.state) for c in latest.values()], pa.string()),
        }
    )
    con.register("_cursors", table)
    try:
        con.execute("DELETE FROM cursors WHERE source IN (SELECT source FROM _cursors)")
        con.execute("INSERT INTO cursors SELECT *, now() FROM _cursors")
    finally:
        con.unregister("_cursors")


# The raw items of ``_batch_raw`` not stored yet (same source, external id and content hash).
_NEW_RAW_ITEMS = f"FROM _batch_raw b WHERE NOT EXISTS (SELECT 1 FROM raw_items r WHERE {RAW_ITEMS.key_match('r', 'b')})"


def raw_items_stored(con: duckdb.DuckDBPyConnection, items: Sequence[RawItem]) -> bool:
    """Whether every one of ``items`` is already stored (a read: lets a caller skip a write transaction)."""
    if not items:
        return True
    con.register("_batch_raw", raw_items_table(items, None))
    try:
        row = con.execute(f"SELECT NOT EXISTS (SELECT 1 {_NEW_RAW_ITEMS})").fetchone()
    finally:
        con.unregister("_batch_raw")
    return bool(row and row[0])


def land_in_transaction(con: duckdb.DuckDBPyConnection, batch: LandBatch, run_id: str | None) -> LandResult:
    """Land a batch on a connection that is already inside a transaction."""
    total = LandResult()
    for result in land_batches_in_transaction(con, [batch], run_id).values():
        total.add(result)
    return total


def land_batches_in_transaction(
    con: duckdb.DuckDBPyConnection, batches: Sequence[LandBatch], run_id: str | None
) -> dict[str, LandResult]:
    """Land the batches of several sources (one batch each at most) on a connection already inside a transaction:
    one set of statements for all of them, so that the stored tables are read once, not once per source. Returns
    what changed for each source (by the rows' ``source``).
    """
    names = [batch.source for batch in batches]
    if len(set(names)) != len(names):
        raise ValueError("land_batches_in_transaction takes at most one batch per source")
    results: dict[str, LandResult] = {name: LandResult() for name in names}

    def of(source: str) -> LandResult:
        return results.setdefault(source, LandResult())

    raw_items = [item for batch in batches for item in batch.raw_items]
    if raw_items:
        con.register("_batch_raw", raw_items_table(raw_items, run_id))
        for source, count in _insert_new(con, "raw_items", _NEW_RAW_ITEMS, {i.source for i in raw_items}).items():
            of(source).raw_new = count
        con.unregister("_batch_raw")
    documents = [doc for batch in batches for doc in batch.documents]
    if documents:
        _land_documents(con, documents, of, run_id)
    quarantine = [row for batch in batches for row in batch.quarantine]
    if quarantine:
        con.register("_batch_q", quarantine_table(quarantine, run_id))
        new_rows = (
            f"FROM _batch_q b WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE {QUARANTINE.key_match('q', 'b')})"
        )
        for source, count in _insert_new(con, "quarantine", new_rows, {q.source for q in quarantine}).items():
            of(source).quarantined = count
        con.unregister("_batch_q")
    _write_cursors(con, [batch.cursor for batch in batches if batch.cursor is not None])
    return results


def _insert_new(con: duckdb.DuckDBPyConnection, table: str, new_rows: str, sources: set[str]) -> dict[str, int]:
    """``INSERT INTO table SELECT b.* <new_rows>``; how many rows were inserted for each source."""
    if len(sources) == 1:  # the count of the insert is the source's
        return {next(iter(sources)): _count(con.execute(f"INSERT INTO {table} SELECT b.* {new_rows}"))}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new_rows AS SELECT b.* {new_rows}")
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _new_rows")
        counts = con.execute("SELECT source, count(*) FROM _new_rows GROUP BY source").fetchall()
    finally:
        con.execute("DROP TABLE _new_rows")
    return {str(source): int(count) for source, count in counts}


_STORED_DOCUMENT_COLUMNS = [*DOCUMENT_SCHEMA.names, *DOCUMENTS.filled_on_landing]


def _land_documents(
    con: duckdb.DuckDBPyConnection,
    documents: Sequence[Document],
    result_of: Callable[[str], LandResult],
    run_id: str | None,
) -> None:
    """Insert the new documents, replace the changed ones (``revision`` + 1), count each source's unchanged ones.

    Only the batch's documents that are already stored are looked up (``_doc_stored``): when there are none,
    as when a source is first fetched or a backfill goes on, the batch is appended as it is, with no join.
    """
    batch = documents_table(documents)
    con.register("_batch_docs", batch)
    stored_rows = (
        con.execute(
            f"SELECT b.id, b.source, {version_hash_sql('b')} AS version_hash, d.version_hash AS stored_hash, "
            "       d.revision, d.first_seen_at "
            "FROM _batch_docs b JOIN documents d ON d.id = b.id"
        )
        .arrow()
        .read_all()
    )
    stored = stored_rows.num_rows
    changed = pc.not_equal(stored_rows["stored_hash"], stored_rows["version_hash"]).to_pylist()
    stored_sources = stored_rows["source"].to_pylist()
    stored_by_source = Counter(stored_sources)
    updated_by_source = Counter(source for source, differs in zip(stored_sources, changed, strict=True) if differs)
    for source, total in Counter(batch["source"].to_pylist()).items():
        result = result_of(str(source))
        result.documents_new = total - stored_by_source[source]
        result.documents_updated = updated_by_source[source]
        result.documents_unchanged = stored_by_source[source] - updated_by_source[source]
    any_new, any_updated = batch.num_rows > stored, sum(updated_by_source.values()) > 0
    new_rows, rows_to_insert, landing_columns = "FROM _batch_docs b", "FROM _batch_docs b", "now(), now(), 1"
    if stored:  # only then the join: the new rows, and the new and the changed ones with what was stored
        con.register("_doc_stored", stored_rows)
        new_rows += " LEFT JOIN _doc_stored s USING (id) WHERE s.id IS NULL"
        rows_to_insert += " LEFT JOIN _doc_stored s USING (id) WHERE s.id IS NULL OR s.stored_hash <> s.version_hash"
        landing_columns = "coalesce(s.first_seen_at, now()), now(), coalesce(s.revision + 1, 1)"
    if run_id is not None and any_new:  # the run's documents, for its digest (run_highlights)
        con.execute(f"INSERT INTO run_documents SELECT ?, b.id {new_rows}", [run_id])
    if any_updated:
        con.execute("DELETE FROM documents WHERE id IN (SELECT id FROM _doc_stored WHERE stored_hash <> version_hash)")
    if any_new or any_updated:
        con.execute(
            f"INSERT INTO documents ({', '.join(_STORED_DOCUMENT_COLUMNS)}) "
            f"SELECT {', '.join('b.' + c for c in DOCUMENT_SCHEMA.names)}, {version_hash_sql('b')}, {landing_columns} "
            + rows_to_insert
        )
    if stored:
        con.unregister("_doc_stored")
    con.unregister("_batch_docs")


def _count(relation: duckdb.DuckDBPyConnection) -> int:
    row = relation.fetchone()
    return int(row[0]) if row else 0
