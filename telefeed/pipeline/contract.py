"""What a source kind declares (as a Singer tap declares its streams), and the landing loop all kinds share.

A :class:`SourceContract` states a kind's raw item kinds, the one function that builds an item's external id, the
cursor fields it moves and the date a backfill window filters on. :func:`land_in_batches` lands what a source
produced in batches in one warehouse session, the cursor moving with the last batch only (so a crash between
batches leaves the cursor where the landed rows are covered and the rerun lands the rest, with no duplicates).
The RSS pipeline uses both; the Telegram kinds can adopt them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telefeed.models import Cursor, Document, LandBatch, LandResult, Quarantined, RawItem
from telefeed.pipeline import SourceStats, Window
from warehouse.db import Warehouse


def in_window(date: datetime | None, window: Window | None) -> bool:
    """Whether an item dated ``date`` belongs to the backfill ``window`` ``[since, until)`` (undated items do)."""
    if window is None or date is None:
        return True
    return (window.since is None or date >= window.since) and (window.until is None or date < window.until)


@dataclass(frozen=True, slots=True)
class SourceContract:
    """One source kind's contract: what it lands and how its ids, cursor and backfill window work."""

    kind: str
    item_kinds: tuple[str, ...]  # the raw item kinds the source lands
    external_id: Callable[[Any], str | None]  # builds an item's external id: the one place it is built
    cursor_fields: tuple[str, ...]  # the Cursor fields the kind moves
    item_date: Callable[[Document], datetime | None]  # the date a backfill window filters on

    def cursor(self, source: str, **fields: Any) -> Cursor:
        """The kind's cursor for ``source``; only the declared fields may be set."""
        unknown = set(fields) - set(self.cursor_fields)
        if unknown:
            raise ValueError(f"{self.kind} cursors do not hold {sorted(unknown)}")
        return Cursor(source=source, **fields)

    def in_window(self, documents: Sequence[Document], window: Window | None) -> list[Document]:
        """The documents a backfill ``window`` keeps (all of them without a window)."""
        return [d for d in documents if in_window(self.item_date(d), window)]


def land_in_batches(
    warehouse: Warehouse,
    batch: LandBatch,
    run_id: str,
    stats: SourceStats,
    batch_size: int,
    land: Callable[[LandBatch], LandResult] | None = None,
) -> None:
    """Land ``batch`` (any size) in slices of ``batch_size`` rows of each kind, in one warehouse session; the
    batch's cursor moves with the last slice. ``land`` lands one slice (default: ``warehouse.land``)."""
    land_one = land or (lambda part: warehouse.land(part, run_id))
    parts: tuple[Sequence[RawItem], Sequence[Document], Sequence[Quarantined]] = (
        batch.raw_items,
        batch.documents,
        batch.quarantine,
    )
    count = max(*(len(p) for p in parts), 1)
    with warehouse.session():  # everything is fetched: one open file for all the slices
        for start in range(0, count, batch_size):
            is_last = start + batch_size >= count
            part = LandBatch(
                source=batch.source,
                raw_items=list(batch.raw_items[start : start + batch_size]),
                documents=list(batch.documents[start : start + batch_size]),
                quarantine=list(batch.quarantine[start : start + batch_size]),
                cursor=batch.cursor if is_last else None,
            )
            stats.add_landing(land_one(part))
