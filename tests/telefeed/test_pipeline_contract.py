"""The source-kind contracts (RSS and the three Telegram kinds) and the shared batch landing
(telefeed/pipeline/contract.py) on a real DuckDB file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from telefeed.config import TelegramExportSource, TelegramPreviewSource, TelegramSource
from telefeed.models import Cursor, Document, LandBatch, LandResult, RawItem
from telefeed.pipeline import SourceStats, Window, ingest_source
from telefeed.pipeline.contract import in_window, land_in_batches, past_window
from telefeed.pipeline.rss import RSS
from telefeed.pipeline.telegram import TELEGRAM, TELEGRAM_EXPORT, TELEGRAM_PREVIEW
from telefeed.resources import Resources
from tests.conftest import FIXTURES
from tests.support.fake_telegram import FakeTelegramClient, severny_vestnik_messages
from warehouse.db import Warehouse

TELEGRAM_FIXTURES = FIXTURES / "telegram"


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


def test_a_cursor_per_batch_keeps_what_landed_when_a_later_batch_fails(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    docs = [_doc(n, 5) for n in range(7)]
    raw = [RawItem("outlet", d.external_id, "rss_entry", {"n": n}) for n, d in enumerate(docs)]

    def covering(part: LandBatch) -> Cursor | None:  # items are in order: the slice's last one covers it
        return Cursor("outlet", last_id=max(r.payload["n"] for r in part.raw_items)) if part.raw_items else None

    def land_two_slices(part: LandBatch) -> LandResult:
        if part.raw_items[0].payload["n"] >= 6:
            raise RuntimeError("killed")
        return warehouse.land(part, "run")

    stats = SourceStats("outlet", "rss")
    with pytest.raises(RuntimeError, match="killed"):
        land_in_batches(warehouse, LandBatch("outlet", raw, docs), "run", stats, 3, land_two_slices, covering)
    assert warehouse.get_cursor("outlet").last_id == 5 and stats.new == 6
    land_in_batches(warehouse, LandBatch("outlet", raw, docs), "run-2", stats, 3, cursor_for=covering)
    assert warehouse.get_cursor("outlet").last_id == 6 and stats.new == 7 and stats.skipped == 6
    assert warehouse.query("select count(*) from raw_items").column(0)[0].as_py() == 7


def test_an_empty_slice_without_cursor_is_not_landed(warehouse_path: str) -> None:
    landed: list[LandBatch] = []

    def land(part: LandBatch) -> LandResult:
        landed.append(part)
        return LandResult()

    warehouse = Warehouse(warehouse_path)
    land_in_batches(warehouse, LandBatch("outlet"), "run", SourceStats("outlet", "rss"), 3, land)
    assert landed == []
    land_in_batches(
        warehouse, LandBatch("outlet", cursor=Cursor("outlet", etag="e")), "run", SourceStats("o", "rss"), 3, land
    )
    assert [p.cursor.etag for p in landed if p.cursor] == ["e"]


def test_past_window_is_the_end_a_forward_reader_stops_at() -> None:
    window = Window(until=datetime(2026, 11, 20, tzinfo=UTC))
    assert past_window(datetime(2026, 11, 20, tzinfo=UTC), window)
    assert not past_window(datetime(2026, 11, 19, tzinfo=UTC), window)
    assert not past_window(None, window) and not past_window(datetime(2030, 1, 1, tzinfo=UTC), Window())


def test_each_telegram_kind_lands_the_external_ids_its_contract_builds(warehouse_path: str) -> None:
    """One channel read three ways: every raw item's external id is what its kind's contract builds from the
    payload, and the three kinds agree on the posts' ids."""
    api = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    preview = TelegramPreviewSource(
        name="sever-web",
        kind="telegram_preview",
        channel="severny_vestnik",
        page_archive=str(TELEGRAM_FIXTURES / "preview"),
    )
    export = TelegramExportSource(
        name="sever-export", kind="telegram_export", path=str(TELEGRAM_FIXTURES / "export"), channel="severny_vestnik"
    )
    fake = Resources(telegram_client=lambda source: FakeTelegramClient(severny_vestnik_messages()))
    warehouse = Warehouse(warehouse_path)
    for source in (api, preview, export):
        assert ingest_source(source, warehouse, "run", None, fake).status == "ok"
    rows = warehouse.query("select source, external_id, item_kind, payload from raw_items").to_pylist()
    contracts = {"sever-api": TELEGRAM, "sever-web": TELEGRAM_PREVIEW, "sever-export": TELEGRAM_EXPORT}
    posts: dict[str, set[str]] = {name: set() for name in contracts}
    for row in rows:
        contract = contracts[row["source"]]
        assert row["item_kind"] in contract.item_kinds, row
        assert contract.external_id(json.loads(row["payload"])) == row["external_id"], row
        if row["item_kind"] != "telegram_service":
            posts[row["source"]].add(row["external_id"])
    assert posts["sever-api"] == posts["sever-web"] == posts["sever-export"] and len(posts["sever-api"]) == 6
    cursors = {name: warehouse.get_cursor(name).last_id for name in contracts}
    assert cursors == {"sever-api": 109, "sever-web": 109, "sever-export": 109}
