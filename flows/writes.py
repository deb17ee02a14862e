"""Serialise warehouse writes across flows and processes with a Prefect global concurrency limit.

A DuckDB file takes one writer at a time. :class:`warehouse.db.Warehouse` already serialises writers inside a
process and retries the file lock with backoff across processes; inside a flow run, every write transaction
also takes the one slot of the global concurrency limit ``telefeed-warehouse`` so that writers from
concurrent runs (two deployments, a backfill next to a schedule) queue in the Prefect server instead of
polling the file lock. Only write connections hold the slot: fetching pages and feeds does not, and neither do
the short reads a run makes (``Warehouse.peek``: cursors, known ids), which take DuckDB's file lock directly.
The writers of one process that queue for the warehouse at the same time share one acquisition of the slot
(:class:`_SlotKeeper`): the tasks of a flow run take turns on the process lock without a round trip to the
Prefect API each.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from warehouse.db import Warehouse, WriteGuard

log = logging.getLogger("telefeed.flows.writes")

WAREHOUSE_LIMIT = "telefeed-warehouse"
"""Name of the global concurrency limit (limit 1) that every warehouse write occupies."""

SlotRequest = Callable[[str], AbstractContextManager[object]]
"""Asks for one slot of the named global concurrency limit and holds it inside the returned context."""


def prefect_slot(name: str) -> AbstractContextManager[object]:
    """One slot of the Prefect global concurrency limit ``name`` (not strict: no API or no limit, no wait)."""
    from prefect.concurrency.sync import concurrency

    return concurrency(name, occupy=1, strict=False)


class _SlotKeeper:
    """Holds one slot of a global concurrency limit for this process while any of its writers wants it.

    Asking the Prefect API for the slot and giving it back take a round trip each (about 0.05-0.3 s), and the
    writers of one flow run queue behind each other on the process lock anyway. So the first writer that
    wants the slot has a keeper thread acquire it; writers that arrive while it is held (or being acquired)
    share it and take turns on the process lock, and the keeper gives it back when the last of them is done.
    Writers of other processes still queue for it in the Prefect server.
    """

    def __init__(self, name: str, request: SlotRequest = prefect_slot) -> None:
        self.name = name
        self.request = request
        self._guard = threading.Lock()
        self._users = 0
        self._thread: threading.Thread | None = None
        self._acquired = threading.Event()
        self._release = threading.Event()
        self._error: BaseException | None = None

    def _keep(self, acquired: threading.Event, release: threading.Event) -> None:
        try:
            with self.request(self.name):
                acquired.set()
                release.wait()
        except BaseException as exc:  # handed to the writers waiting for the slot
            self._error = exc
        finally:
            acquired.set()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Block until this process holds the slot; keep it until every writer inside ``hold`` has left."""
        with self._guard:
            self._users += 1
            if self._users == 1:
                previous = self._thread
                if previous is not None:
                    previous.join()  # its release reached the server first: a refused request waits seconds
                self._acquired, self._release, self._error = threading.Event(), threading.Event(), None
                context = contextvars.copy_context()  # the Prefect API settings of this run
                self._thread = threading.Thread(
                    target=context.run,
                    args=(self._keep, self._acquired, self._release),
                    name=f"write-slot-{self.name}",
                    daemon=True,
                )
                self._thread.start()
            acquired = self._acquired
        try:
            acquired.wait()
            if self._error is not None:
                raise self._error
            yield
        finally:
            with self._guard:
                self._users -= 1
                if self._users == 0:
                    self._release.set()


_KEEPERS: dict[tuple[str, SlotRequest], _SlotKeeper] = {}
_KEEPERS_GUARD = threading.Lock()


def _keeper(name: str, request: SlotRequest = prefect_slot) -> _SlotKeeper:
    with _KEEPERS_GUARD:
        return _KEEPERS.setdefault((name, request), _SlotKeeper(name, request))


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


def write_slot(name: str = WAREHOUSE_LIMIT, request: SlotRequest = prefect_slot) -> WriteGuard:
    """A ``Warehouse.write_guard`` that makes every writer occupy one slot of the global limit ``name``, asked
    for with ``request`` (default: from the Prefect API).

    Without a Prefect API, or when the limit does not exist, Prefect skips the acquisition and the warehouse's
    own locking still applies. Only one request per process for the slot at a time (the keeper's): a request the
    server refuses is told to come back after an interval it computes, which made every concurrent writer of
    one flow run wait seconds for a free slot. The writers sharing it take turns on the process lock.
    """
    return lambda: _keeper(name, request).hold()


def serialised(warehouse: Warehouse, name: str = WAREHOUSE_LIMIT, request: SlotRequest = prefect_slot) -> Warehouse:
    """``warehouse`` with the write guard :func:`write_slot` ``(name, request)`` (a DuckLake is returned unchanged:
    it takes concurrent writers, and conflicting commits are replayed by the backend)."""
    from warehouse.ducklake import DuckLakeWarehouse

    if not isinstance(warehouse, DuckLakeWarehouse):
        warehouse.write_guard = write_slot(name, request)
    return warehouse
