"""Per-source ingestion: connectors -> normalisation -> warehouse, one function per source kind.

Flows call :func:`ingest_sources` (a group of sources) or :func:`ingest_source`; the kind-specific work lives in
this package's modules, each registered with :func:`register` or, for a kind in two phases (fetch, then land),
:func:`register_preparer`. An ingester gets one :class:`SourceRun`: the source, the warehouse, the run id, the
counters it fills, the backfill window and what it needs from outside (clients, the sleeper, secrets: the run's
:class:`telefeed.resources.Resources`). Nothing here imports Prefect.
"""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from telefeed.config import Source
from telefeed.models import Cursor, LandResult, RunCounts, utc_now
from telefeed.pipeline.stories import cluster_new_documents
from telefeed.resources import Resources
from telefeed.stopping import StopRequest
from warehouse.articles import PagedBatch, land_together
from warehouse.db import RunRecord, Warehouse

log = logging.getLogger("telefeed.pipeline")

MAX_ERROR_MESSAGES = 50  # error lines a source run keeps for the summary (the count in ``errors`` is exact)

StoryClustering = Callable[[Warehouse], object]
"""Clusters every document of a warehouse not yet clustered into stories (default: ``cluster_new_documents``)."""


@dataclass(slots=True)
class Window:
    """A backfill window ``[since, until)``; ``None`` bounds are open."""

    since: datetime | None = None
    until: datetime | None = None


@dataclass(slots=True)
class SourceStats(RunCounts):
    """What one source run did (its :class:`RunCounts`); becomes a ``runs`` row and a line of the CLI summary."""

    source: str
    kind: str
    mode: str = "forward"
    # Every error of the run, in order (the first MAX_ERROR_MESSAGES); ``error_message`` is the first.
    error_messages: list[str] = field(default_factory=list)

    def add_landing(self, result: LandResult) -> None:
        """Fold a land result into the counters."""
        self.new += result.documents_new
        self.updated += result.documents_updated
        self.skipped += result.documents_unchanged
        self.quarantined += result.quarantined

    def record_error(self, message: str) -> None:
        """Count an error that did not stop the source; keep the first message."""
        self.errors += 1
        self._keep_message(message)
        if self.status in ("ok", "not_modified"):  # e.g. a page retried after a 304 failed again
            self.status = "partial"

    def fail(self, message: str) -> None:
        """Mark the source failed (its run stopped): ``message`` becomes ``error_message``, the run's reason."""
        self.status = "failed"
        self.errors += 1
        self._keep_message(message)
        self.error_message = message[:2000]

    def _keep_message(self, message: str) -> None:
        if self.error_message is None:
            self.error_message = message[:2000]
        if len(self.error_messages) < MAX_ERROR_MESSAGES:
            self.error_messages.append(message[:2000])

    def as_dict(self) -> dict[str, Any]:
        """Primitive dict (Prefect task results, artifacts, JSON output): counts only, no ids (the run's
        documents are in ``run_documents``)."""
        return asdict(self)


SourceT = TypeVar("SourceT")


@dataclass(frozen=True, slots=True)
class SourceRun(Generic[SourceT]):
    """One source's run as its ingester sees it: the source, the warehouse it lands in, the run id, the counters it
    fills, the backfill window (None: forward from the cursor) and the run's shared resources."""

    source: SourceT
    warehouse: Warehouse
    run_id: str
    stats: SourceStats
    window: Window | None
    resources: Resources


Ingester = Callable[[SourceRun[Any]], None]
_INGESTERS: dict[str, Ingester] = {}


@dataclass(slots=True)
class Landing:
    """The writes a source's fetch prepared, landed by :func:`ingest_sources` (with other sources' in the same
    transactions): ``parts`` in order, each a batch and the page-fetch states of its documents, one transaction
    each at most (the cursor moves with the part that holds it); then ``failure`` is raised, when the source
    fails all the same (e.g. an unusable feed whose reason was quarantined)."""

    parts: list[PagedBatch] = field(default_factory=list)
    failure: Exception | None = None

    @property
    def rows(self) -> int:
        """Rows it holds (raw items, documents, quarantine)."""
        return sum(len(b.raw_items) + len(b.documents) + len(b.quarantine) for b, _ in self.parts)


# A kind in two phases: fetch and normalise (reading the warehouse at most) from the source's stored cursor, then
# the landing it returns.
Preparer = Callable[[SourceRun[Any], Cursor], Landing]
_PREPARERS: dict[str, Preparer] = {}


def register(kind: str) -> Callable[[Ingester], Ingester]:
    """Decorator: make ``func(run: SourceRun)`` the ingester for ``kind``."""

    def decorate(func: Ingester) -> Ingester:
        _INGESTERS[kind] = func
        return func

    return decorate


def register_preparer(kind: str) -> Callable[[Preparer], Preparer]:
    """Decorator: ``func(run: SourceRun, cursor) -> Landing`` ingests ``kind`` in two phases. It fetches and
    normalises (only reading the warehouse) and returns the :class:`Landing` that writes, so that
    :func:`ingest_sources` lands several sources in one open warehouse file."""

    def decorate(func: Preparer) -> Preparer:
        _PREPARERS[kind] = func
        return func

    return decorate


# Rows a group of sources fetches before it lands them (then the next ones are fetched): bounds its memory. An
# article page's row (its compressed HTML) and its document hold about 50 KB: a group holds some 50 MB at most,
# and the run as many times that as groups are in flight; a feed entry's rows hold a few KB.
GROUP_LANDING_ROWS = 1000
# Rows of one transaction that lands several sources' parts (one part per source).
TRANSACTION_ROWS = 1000

# Modules whose import registers an ingester for one or more source kinds.
INGESTER_MODULES = ("telefeed.pipeline.rss", "telefeed.pipeline.telegram")


def _load_ingesters() -> None:
    for name in INGESTER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def cluster_stories(warehouse: Warehouse, clustering: StoryClustering = cluster_new_documents) -> str | None:
    """Cluster every document not yet clustered (any source; also ones a failed earlier run left behind) with
    ``clustering``; the error, when clustering failed (it can be redone later, ``telefeed cluster``; the landing
    stands)."""
    try:
        clustering(warehouse)
    except Exception as exc:
        log.warning("story clustering failed: %s", exc)
        return f"story clustering failed: {type(exc).__name__}: {exc}"
    return None


@dataclass(slots=True)
class _Progress:
    """How one source's run inside :func:`ingest_sources` goes: when it started and finished, its own seconds,
    its landing while not landed yet, whether a step failed."""

    run: SourceRun[Any]
    started: datetime = field(default_factory=utc_now)
    finished: datetime | None = None
    seconds: float = 0.0  # its own work: fetching and landing, not the others' of its group
    landing: Landing = field(default_factory=Landing)
    failed: bool = False

    @property
    def name(self) -> str:
        """The source's name."""
        return str(self.run.source.name)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Time a step of the source; an exception fails the source (one failing source must not stop the others)."""
        clock = time.perf_counter()
        try:
            yield
        except Exception as exc:
            self.failed = True
            self.run.stats.fail(f"{type(exc).__name__}: {exc}")
            log.warning("source %s failed while %s: %s", self.name, what, self.run.stats.error_messages[-1])
            log.debug("%s", traceback.format_exc())
        finally:
            self.seconds += time.perf_counter() - clock
            self.finished = utc_now()

    def record(self) -> RunRecord:
        """The ``runs`` row of this source (its seconds set on the stats too)."""
        stats = self.run.stats
        stats.seconds = round(self.seconds, 3)
        return RunRecord(
            run_id=self.run.run_id,
            source=self.name,
            mode=stats.mode,
            started_at=self.started,
            finished_at=self.finished or utc_now(),
            **stats.counts(),
        )


def _fetch(progress: _Progress, cursor: Cursor | None) -> None:
    """Fetch the source: a two-phase kind leaves its landing in ``progress.landing``, any other lands now."""
    run = progress.run
    with progress.step("fetching"):
        prepare = _PREPARERS.get(run.source.kind)
        if prepare is not None:
            cursor = cursor if cursor is not None else run.warehouse.get_cursor(progress.name)
            progress.landing = prepare(run, cursor)
            return
        ingester = _INGESTERS.get(run.source.kind)
        if ingester is None:
            raise NotImplementedError(f"no ingester for source kind {run.source.kind!r}")
        ingester(run)


def _transactions(runs: Sequence[_Progress]) -> list[list[tuple[_Progress, PagedBatch]]]:
    """The parts of ``runs``' landings in transactions: in order, at most one part per source and
    :data:`TRANSACTION_ROWS` rows each (a larger part alone)."""
    transactions: list[list[tuple[_Progress, PagedBatch]]] = [[]]
    rows = 0
    for run in runs:
        for part in run.landing.parts:
            size = len(part[0].raw_items) + len(part[0].documents) + len(part[0].quarantine)
            current = transactions[-1]
            if current and (rows + size > TRANSACTION_ROWS or any(other is run for other, _ in current)):
                transactions.append(current := [])
                rows = 0
            current.append((run, part))
            rows += size
    return [t for t in transactions if t]


def _land(runs: Sequence[_Progress], warehouse: Warehouse, run_id: str) -> None:
    """Land the prepared landings of ``runs``, several sources in one transaction (:func:`_transactions`); a
    landing that fails fails only its source (:func:`warehouse.articles.land_together`), which then lands nothing
    more (its cursor stays where its committed rows are)."""
    for transaction in _transactions(runs):
        todo = [(run, part) for run, part in transaction if not run.failed]
        if not todo:
            continue
        clock = time.perf_counter()
        outcomes = land_together(warehouse, [part for _, part in todo], run_id)
        share = (time.perf_counter() - clock) / len(todo)
        for run, _ in todo:
            with run.step("landing"):
                run.seconds += share
                outcome = outcomes.get(run.name, LandResult())
                if isinstance(outcome, Exception):
                    raise outcome
                run.run.stats.add_landing(outcome)
    for run in runs:
        landing, run.landing = run.landing, Landing()  # what it held can go
        if landing.failure is not None and not run.failed:
            with run.step("landing"):
                raise landing.failure


def ingest_sources(
    sources: Sequence[Source],
    warehouse: Warehouse,
    run_id: str,
    resources: Resources,
    window: Window | None = None,
    cluster: bool = True,
    stop: StopRequest | None = None,
    clustering: StoryClustering = cluster_new_documents,
) -> list[SourceStats]:
    """Ingest ``sources`` one after another and record a ``runs`` row for each; never raise for source errors.

    The cursors are read in one go. Sources of a two-phase kind (:func:`register_preparer`) are fetched first and
    landed together, up to :data:`GROUP_LANDING_ROWS` rows at a time, in one open warehouse file with their
    ``runs`` rows: each source's landing is still its own transactions with its cursor, so a crash keeps exactly
    what each source committed. Once ``stop`` is set no further source starts (it is reported ``not_run``, with
    no ``runs`` row); those fetched are landed. With ``cluster`` the unclustered documents are clustered into
    stories at the end (by ``clustering``); a run over many groups passes False and clusters once
    (:func:`cluster_stories`).
    """
    _load_ingesters()
    two_phase = [s.name for s in sources if s.kind in _PREPARERS]
    cursors = warehouse.get_cursors(two_phase) if two_phase else {}
    mode = "backfill" if window is not None else "forward"
    done: list[_Progress] = []
    fetched: list[_Progress] = []  # with a landing still to land
    unrecorded: list[_Progress] = []  # without their runs row yet
    skipped: dict[str, SourceStats] = {}

    def land_fetched() -> None:
        record = [] if cluster else unrecorded  # with clustering: after it, whose errors the rows count
        if not (fetched or record):
            return
        with warehouse.session():  # in memory already: no network IO while the file is open
            _land(fetched, warehouse, run_id)
            fetched.clear()
            warehouse.record_runs([progress.record() for progress in record])
            record.clear()

    for source in sources:
        if stop is not None and stop.is_set():
            skipped[source.name] = not_run(source, stop.reason or "stopped")
            continue
        stats = SourceStats(source=source.name, kind=source.kind, mode=mode)
        progress = _Progress(SourceRun(source, warehouse, run_id, stats, window, resources))
        _fetch(progress, cursors.get(source.name))
        done.append(progress)
        unrecorded.append(progress)
        if progress.landing.parts or progress.landing.failure is not None:
            fetched.append(progress)
        if sum(p.landing.rows for p in fetched) >= GROUP_LANDING_ROWS:
            land_fetched()
    land_fetched()
    if unrecorded:  # clustering, then the rows (one open file for both)
        with warehouse.session(memory_limit=warehouse.clustering_memory_limit):
            error = cluster_stories(warehouse, clustering)
            for progress in unrecorded:
                if error is not None:
                    progress.run.stats.record_error(error)
            warehouse.record_runs([progress.record() for progress in unrecorded])
    by_name = {progress.name: progress.run.stats for progress in done} | skipped
    return [by_name[s.name] for s in sources]


def not_run(source: Source, reason: str) -> SourceStats:
    """The stats of a source a stopped run never started (no ``runs`` row: nothing happened)."""
    stats = SourceStats(source=source.name, kind=source.kind, status="not_run")
    stats.record_error(f"not run: the run was stopped ({reason})")
    stats.status = "not_run"
    return stats


def ingest_source(
    source: Source,
    warehouse: Warehouse,
    run_id: str,
    window: Window | None = None,
    resources: Resources | None = None,
    cluster: bool = True,
    clustering: StoryClustering = cluster_new_documents,
) -> SourceStats:
    """Ingest one source (forward, or the backfill ``window``), record the run, never raise for source errors.

    ``resources`` is the run's (shared by its sources, closed by whoever built it); without it the source gets
    default resources of its own, closed when it is done. With ``cluster`` the unclustered documents are
    clustered into stories afterwards (by ``clustering``); a run over many sources passes False and clusters once
    at its end (:func:`cluster_stories`).
    """
    if resources is None:
        with Resources() as own:
            return ingest_source(source, warehouse, run_id, window, own, cluster, clustering)
    return ingest_sources([source], warehouse, run_id, resources, window, cluster, clustering=clustering)[0]
