"""The ``backfill`` flow: land one source's items from a past window ``[since, until)``.

A backfill never moves the forward cursor (the ingesters land with ``cursor=None`` when given a
:class:`telefeed.pipeline.Window`) and re-running a window adds nothing (raw items, documents and quarantine
rows are keyed idempotently). Telegram channels are read one chunk of days at a time (Telethon by date), so
progress shows in the run logs and in ``telefeed backfill``'s progress bar; feeds and exports are read once
(a feed reaches as far back as it reaches).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.ingest import _run_id, _unexamined
from flows.telegram_secrets import flow_resources
from flows.writes import ensure_write_limit, serialised
from telefeed.config import Settings, load_sources, select_sources
from telefeed.pipeline import SourceStats, Window, ingest_source
from telefeed.pipeline.backfill import BackfillTotals, as_utc, chunks_for
from telefeed.resources import Resources
from warehouse.backends import open_warehouse


@dataclass(frozen=True, slots=True)
class ChunkProgress:
    """What a listener hears after each chunk of a backfill."""

    source: str
    index: int  # 1-based
    total: int
    since: datetime
    until: datetime
    stats: dict[str, Any]


Listener = Callable[[ChunkProgress], None]
_listeners: list[Listener] = []
_listeners_guard = threading.Lock()


@contextmanager
def listen(listener: Listener) -> Iterator[None]:
    """Call ``listener`` after every backfill chunk run in this process while the block runs (CLI progress)."""
    with _listeners_guard:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _listeners_guard:
            _listeners.remove(listener)


@task(name="backfill-window", task_run_name="backfill-{source_name}-{since}", cache_policy=NO_CACHE)
def backfill_window_task(
    source_name: str,
    sources_path: str,
    warehouse_path: str,
    run_id: str,
    since: str,
    until: str,
    resources: Resources | None = None,
) -> dict[str, Any]:
    """Land one source's items in ``[since, until)`` (ISO timestamps) without moving its forward cursor.

    No task retries: a landing must not be repeated by the orchestrator (the connectors retry their own
    network calls with backoff, and a re-run of the whole window is harmless).
    """
    (source,) = select_sources(load_sources(sources_path), [source_name])
    window = Window(since=datetime.fromisoformat(since), until=datetime.fromisoformat(until))
    stats: SourceStats = ingest_source(source, serialised(open_warehouse(warehouse_path)), run_id, window, resources)
    return stats.as_dict()


@flow(name="backfill", log_prints=True)
def backfill(
    source: str,
    since: datetime,
    until: datetime | None = None,
    chunk_days: int | None = None,
    sources_path: str | None = None,
    warehouse_path: str | None = None,
    extract: bool = True,
) -> dict[str, Any]:
    """Fetch ``source``'s items published in ``[since, until)`` and land them; the forward cursor stays put.

    Args:
        source: one source name from the sources file (disabled sources may be backfilled too).
        since: start of the window, inclusive (``2026-11-01`` or an ISO timestamp; naive means UTC).
        until: end of the window, exclusive (default: now).
        chunk_days: days per chunk; default 1 for ``telegram`` sources (read by date) and the whole window for
            feeds and exports (read once).
        sources_path: the sources TOML file (default: ``TELEFEED_SOURCES`` or ``sources.toml``).
        warehouse_path: the DuckDB file or ``ducklake:`` URL (default: ``TELEFEED_WAREHOUSE``).
        extract: afterwards run the ``extract`` flow on the documents that need extraction, before the run's
            artifacts are published (their digest lists the entities and quotes of the landed documents).

    Returns:
        Totals over the chunks: fetched, new, updated, skipped, quarantined, errors, seconds, chunks, status.
    """
    logger = get_run_logger()
    settings = Settings()
    sources_file = sources_path or settings.sources
    warehouse_file = warehouse_path or settings.warehouse
    (selected,) = select_sources(load_sources(sources_file), [source])
    start = as_utc(since)
    end = as_utc(until) if until is not None else datetime.now(UTC)
    chunks = chunks_for(selected.kind, start, end, chunk_days)
    ensure_write_limit()
    warehouse = serialised(open_warehouse(warehouse_file))
    warehouse.register_sources([(selected.name, selected.kind, selected.model_dump(mode="json"))])
    run_id = _run_id()
    totals = BackfillTotals(selected.name, selected.kind, start, end, len(chunks))
    logger.info("backfill %s [%s, %s): %d chunk(s)", selected.name, start.isoformat(), end.isoformat(), len(chunks))
    with flow_resources() as resources:  # one Telegram client for every chunk
        for index, (lo, hi) in enumerate(chunks, start=1):
            stats = backfill_window_task(
                selected.name,
                sources_file,
                warehouse_file,
                run_id,
                lo.isoformat(),
                hi.isoformat(),
                _unexamined(resources),
            )
            totals.add_chunk(stats)
            for message in stats.get("error_messages") or []:
                logger.warning("chunk %d/%d: %s", index, len(chunks), message)
            logger.info(
                "chunk %d/%d [%s, %s): fetched=%d new=%d updated=%d quarantined=%d errors=%d (%.0f%%)",
                index,
                len(chunks),
                lo.date().isoformat(),
                hi.date().isoformat(),
                stats["fetched"],
                stats["new"],
                stats["updated"],
                stats["quarantined"],
                stats["errors"],
                100.0 * index / len(chunks),
            )
            progress = ChunkProgress(selected.name, index, len(chunks), lo, hi, stats)
            with _listeners_guard:
                listeners = list(_listeners)
            for listener in listeners:
                listener(progress)
    from flows.artifacts import publish_run_artifacts

    result = totals.as_dict()
    try:
        if extract and result["new"]:
            from flows.extract import extract as extract_flow

            extract_flow(warehouse_path=warehouse_file)
    finally:
        publish_run_artifacts([result], warehouse_file, run_id, key_prefix="backfill")
    return result
