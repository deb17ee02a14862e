"""Serialise warehouse writes across flows and processes with a Prefect global concurrency limit.

A DuckDB file takes one writer at a time. :class:`warehouse.db.Warehouse` already serialises writers inside a
process and retries the file lock with backoff across processes; inside a flow run, every write transaction
also takes the one slot of the global concurrency limit ``telefeed-warehouse`` so that writers from
concurrent runs (two deployments, a backfill next to a schedule) queue in the Prefect server instead of
polling the file lock. Only write connections hold the slot: fetching pages and feeds does not, and neither do
the short reads a run makes (``Warehouse.peek``: cursors, known ids), which take DuckDB's file lock directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from warehouse.db import Warehouse

log = logging.getLogger("telefeed.flows.writes")

WAREHOUSE_LIMIT = "telefeed-warehouse"
"""Name of the global concurrency limit (limit 1) that every warehouse write occupies."""

_depth = threading.local()


def ensure_write_limit(name: str = WAREHOUSE_LIMIT, limit: int = 1) -> bool:
    """Create (or reset to ``limit``) the global concurrency limit; False when no Prefect API answers."""
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.upsert_global_concurrency_limit_by_name(name, limit)
        return True
    except Exception as exc:  # no API (plain function call outside Prefect): the warehouse lock still holds
        log.debug("could not create concurrency limit %s: %s", name, exc)
        return False


def serialised(warehouse: Warehouse, name: str = WAREHOUSE_LIMIT) -> Warehouse:
    """Make every read-write connection of ``warehouse`` occupy one slot of the global limit ``name``.

    Every writer (``land``, ``record_run``, ``transaction``, ``run_in_transaction``) goes through
    ``Warehouse.connect``, which also holds DuckDB's file lock, so that is what is wrapped. Re-entrant within a
    thread (a connection opened inside another does not wait for itself). Without a Prefect API, or when the
    limit does not exist, Prefect skips the acquisition and the warehouse's own locking still applies.
    A DuckLake warehouse is returned unchanged: it takes concurrent writers.
    """
    from warehouse.ducklake import DuckLakeWarehouse

    if isinstance(warehouse, DuckLakeWarehouse):
        return warehouse  # many writers by design; conflicting commits are replayed by the backend
    original: Callable[[], AbstractContextManager[Any]] = warehouse.connect

    @contextmanager
    def guarded() -> Iterator[Any]:
        depth = getattr(_depth, "value", 0)
        if depth:
            with original() as con:
                yield con
            return
        from prefect.concurrency.sync import concurrency

        _depth.value = depth + 1
        try:
            # The threads of this process queue on the local lock first, so only one of them at a time asks the
            # Prefect server for the slot: a request the server refuses is told to come back after an interval
            # it computes, which made every concurrent writer of one flow run wait seconds for a free slot.
            with warehouse.writer_lock(), concurrency(name, occupy=1, strict=False), original() as con:
                yield con
        finally:
            _depth.value = depth

    setattr(warehouse, "connect", guarded)  # noqa: B010 - wraps this instance only, the class is untouched
    return warehouse
