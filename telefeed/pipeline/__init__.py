"""Per-source ingestion: connectors -> normalisation -> warehouse, one function per source kind.

Flows call :func:`ingest_source`; the kind-specific work lives in this package's modules, each registered
with :func:`register`. An ingester gets one :class:`SourceRun`: the source, the warehouse, the run id, the
counters it fills, the backfill window and what it needs from outside (clients, the sleeper, secrets: the run's
:class:`telefeed.resources.Resources`). Nothing here imports Prefect.
"""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from telefeed.config import Source
from telefeed.models import LandResult, RunCounts, utc_now
from telefeed.resources import Resources
from warehouse.db import RunRecord, Warehouse

log = logging.getLogger("telefeed.pipeline")

MAX_ERROR_MESSAGES = 50  # error lines a source run keeps for the summary (the count in ``errors`` is exact)


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


def register(kind: str) -> Callable[[Ingester], Ingester]:
    """Decorator: make ``func(run: SourceRun)`` the ingester for ``kind``."""

    def decorate(func: Ingester) -> Ingester:
        _INGESTERS[kind] = func
        return func

    return decorate


# Modules whose import registers an ingester for one or more source kinds.
INGESTER_MODULES = ("telefeed.pipeline.rss", "telefeed.pipeline.telegram")


def _load_ingesters() -> None:
    for name in INGESTER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def cluster_stories(warehouse: Warehouse) -> str | None:
    """Cluster every document not yet clustered (any source; also ones a failed earlier run left behind); the
    error, when clustering failed (it can be redone later, ``telefeed cluster``; the landing stands)."""
    from telefeed.pipeline.stories import cluster_new_documents

    try:
        cluster_new_documents(warehouse, None)
    except Exception as exc:
        log.warning("story clustering failed: %s", exc)
        return f"story clustering failed: {type(exc).__name__}: {exc}"
    return None


def _cluster_stories(warehouse: Warehouse, stats: SourceStats) -> None:
    error = cluster_stories(warehouse)
    if error is not None:
        stats.record_error(error)


def ingest_source(
    source: Source,
    warehouse: Warehouse,
    run_id: str,
    window: Window | None = None,
    resources: Resources | None = None,
    cluster: bool = True,
) -> SourceStats:
    """Ingest one source (forward, or the backfill ``window``), record the run, never raise for source errors.

    ``resources`` is the run's (shared by its sources, closed by whoever built it); without it the source gets
    default resources of its own, closed when it is done. With ``cluster`` the unclustered documents are
    clustered into stories afterwards; a run over many sources passes False and clusters once at its end
    (:func:`cluster_stories`).
    """
    if resources is None:
        with Resources() as own:
            return ingest_source(source, warehouse, run_id, window, own, cluster)
    _load_ingesters()
    mode = "backfill" if window is not None else "forward"
    stats = SourceStats(source=source.name, kind=source.kind, mode=mode)
    started = utc_now()
    clock = time.perf_counter()
    ingester = _INGESTERS.get(source.kind)
    try:
        if ingester is None:
            raise NotImplementedError(f"no ingester for source kind {source.kind!r}")
        ingester(SourceRun(source, warehouse, run_id, stats, window, resources))
    except Exception as exc:  # one failing source must not stop the others
        stats.fail(f"{type(exc).__name__}: {exc}")
        log.warning("source %s failed: %s", source.name, stats.error_messages[-1])
        log.debug("%s", traceback.format_exc())
    # One open file for the clustering and the run record (a no-change rerun is mostly these opens).
    with warehouse.session(memory_limit=warehouse.clustering_memory_limit):
        if cluster:  # also after a run that landed nothing: a crash may have left some
            _cluster_stories(warehouse, stats)
        stats.seconds = round(time.perf_counter() - clock, 3)
        warehouse.record_run(
            RunRecord(
                run_id=run_id,
                source=source.name,
                mode=mode,
                started_at=started,
                finished_at=utc_now(),
                **stats.counts(),
            )
        )
    return stats
