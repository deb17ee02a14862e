"""What a source kind declares (as a Singer tap declares its streams), and the landing loop all kinds share.

A :class:`SourceContract` states a kind's raw item kinds, the one function that builds an item's external id, the
cursor fields it moves and the date a backfill window filters on. :func:`land_in_batches` lands what a source
produced in batches; the cursor moves either with the last batch (a source read as a whole, e.g. a feed whose
validators cover every entry) or with every batch, each with the cursor covering it (items in ascending order,
e.g. the highest Telegram message id so far). Either way a crash between batches leaves the cursor where the
landed rows are covered and the rerun lands the rest, with no duplicates. RSS and the three Telegram kinds use both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from telefeed.models import Cursor, LandBatch, LandResult, Quarantined, RawItem
from telefeed.pipeline import SourceStats, Window
from warehouse.db import Warehouse

Item = TypeVar("Item")


def in_window(date: datetime | None, window: Window | None) -> bool:
    """Whether an item dated ``date`` belongs to the backfill ``window`` ``[since, until)`` (undated items do)."""
    if window is None or date is None:
        return True
    return (window.since is None or date >= window.since) and (window.until is None or date < window.until)


def past_window(date: datetime | None, window: Window | None) -> bool:
    """Whether an item dated ``date`` is at or after the end of ``window`` (a reader going forward may stop)."""
    return window is not None and window.until is not None and date is not None and date >= window.until


@dataclass(frozen=True, slots=True)
class SourceContract:
    """One source kind's contract: what it lands and how its ids, cursor and backfill window work."""

    kind: str
    item_kinds: tuple[str, ...]  # the raw item kinds the source lands
    external_id: Callable[[Any], str | None]  # builds an item's external id: the one place it is built
    cursor_fields: tuple[str, ...]  # the Cursor fields the kind moves
    item_date: Callable[[Any], datetime | None]  # the date a backfill window filters on, of what the kind reads

    def cursor(self, source: str, **fields: Any) -> Cursor:
        """The kind's cursor for ``source``; only the declared fields may be set."""
        unknown = set(fields) - set(self.cursor_fields)
        if unknown:
            raise ValueError(f"{self.kind} cursors do not hold {sorted(unknown)}")
        return Cursor(source=source, **fields)

    def in_window(self, items: Sequence[Item], window: Window | None) -> list[Item]:
        """The items a backfill ``window`` keeps (all of them without a window), dated by ``item_date``."""
        return [item for item in items if in_window(self.item_date(item), window)]


def slices(
    batch: LandBatch, batch_size: int, cursor_for: Callable[[LandBatch], Cursor | None] | None = None
) -> list[LandBatch]:
    """``batch`` (any size) in slices of ``batch_size`` rows of each kind, each landed in one transaction.

    The cursor: without ``cursor_for``, the batch's cursor moves with the last slice; with it, every slice moves
    ``cursor_for(slice)`` (None: not moved). A slice with nothing in it and no cursor is left out."""
    parts: tuple[Sequence[RawItem], Sequence[Any], Sequence[Quarantined]] = (
        batch.raw_items,
        batch.documents,
        batch.quarantine,
    )
    count = max(*(len(p) for p in parts), 1)
    result = []
    for start in range(0, count, batch_size):
        part = LandBatch(
            source=batch.source,
            raw_items=list(batch.raw_items[start : start + batch_size]),
            documents=list(batch.documents[start : start + batch_size]),
            quarantine=list(batch.quarantine[start : start + batch_size]),
        )
        is_last = start + batch_size >= count
        part.cursor = cursor_for(part) if cursor_for is not None else batch.cursor if is_last else None
        if part.cursor is not None or part.raw_items or part.documents or part.quarantine:
            result.append(part)
    return result


def land_in_batches(
    warehouse: Warehouse,
    batch: LandBatch,
    run_id: str,
    stats: SourceStats,
    batch_size: int,
    land: Callable[[LandBatch], LandResult] | None = None,
    cursor_for: Callable[[LandBatch], Cursor | None] | None = None,
) -> None:
    """Land ``batch`` (any size) in :func:`slices` of ``batch_size`` rows of each kind; ``land`` lands one slice
    (default: ``warehouse.land``). Several slices land in one warehouse session (one open file); a single slice
    needs none, so a landing that changes nothing can still skip the write slot."""
    land_one = land or (lambda part: warehouse.land(part, run_id))
    parts = slices(batch, batch_size, cursor_for)
    with warehouse.session() if len(parts) > 1 else nullcontext():  # everything is in memory: no network IO
        for part in parts:
            stats.add_landing(land_one(part))
