"""The source-kind contract and the shared batch landing (telefeed/pipeline/contract.py) on a real DuckDB file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telefeed.models import Document, LandBatch, LandResult, RawItem
from telefeed.pipeline import SourceStats, Window
from telefeed.pipeline.contract import in_window, land_in_batches
from telefeed.pipeline.rss import RSS
from warehouse.db import Warehouse


def _doc(n: int, day: int | None) -> Document:
    published = datetime(2026, 11, day, tzinfo=UTC) if day else None
    return Document("outlet", "article", f"e-{n}", f"Text number {n}.", published_at=published)


def test_the_window_keeps_its_half_open_range_and_undated_items() -> None:
    window = Window(since=datetime(2026, 11, 10, tzinfo=UTC), until=datetime(2026, 11, 20, tzinfo=UTC))
    docs = [_doc(1, 9), _doc(2, 10), _doc(3, 19), _doc(4, 20), _doc(5, None)]
    assert [d.external_id for d in RSS.in_window(docs, window)] == ["e-2", "e-3", "e-5"]
    assert RSS.in_window(docs, None) == docs and in_window(None, window)


def test_a_contract_builds_only_the_cursor_fields_it_declares() -> None:
    cursor = RSS.cursor("outlet", etag='"v1"', last_modified=None, state={})
    assert (cursor.source, cursor.etag) == ("outlet", '"v1"')
    with pytest.raises(ValueError, match="last_id"):
        RSS.cursor("outlet", last_id=7)
    assert RSS.external_id({"id": " post-1 "}) == "post-1" and "rss_entry" in RSS.item_kinds


def test_land_in_batches_moves_the_cursor_with_the_last_batch_only(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    docs = [_doc(n, 5) for n in range(7)]
    raw = [RawItem("outlet", d.external_id, "rss_entry", {"n": d.external_id}) for d in docs]
    cursors: list[str | None] = []

    def land(part: LandBatch) -> LandResult:
        cursors.append(part.cursor.etag if part.cursor else None)
        return warehouse.land(part, "run")

    stats = SourceStats("outlet", "rss")
    batch = LandBatch("outlet", raw, docs, [], RSS.cursor("outlet", etag='"v2"'))
    land_in_batches(warehouse, batch, "run", stats, batch_size=3, land=land)
    assert cursors == [None, None, '"v2"'] and stats.new == 7
    assert warehouse.get_cursor("outlet").etag == '"v2"'
    land_in_batches(warehouse, batch, "run-2", stats, batch_size=3)  # idempotent: nothing new
    assert stats.new == 7 and stats.skipped == 7
