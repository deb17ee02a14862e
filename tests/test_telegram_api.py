"""Telegram API ingestion through the fake client: real Telethon Message objects, real DuckDB warehouse.

Claims: a first run lands every post (albums merged) with its fields and the cursor; a rerun lands nothing
new and resolves the channel from the cache; an edit lands revision 2; counter growth lands a snapshot, not a
revision; flood waits are slept under the cap and stop the channel cleanly over it, and the next run resumes
with no gap and no duplicate; backfills never move the cursor.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telethon.errors import FloodWaitError

import extraction.language as language_module
import telefeed.pipeline.telegram as tg
from telefeed.config import TelegramSource
from telefeed.pipeline import SourceStats, Window, ingest_source
from tests.support.fake_telegram import (
    BASE_DATE,
    CHANNEL_ID,
    TEXT_101,
    FakeTelegramClient,
    edited,
    numbered_messages,
    severny_vestnik_messages,
)
from tests.support.warehouse import scalar as _scalar
from warehouse.db import Warehouse


def _source(**overrides: Any) -> TelegramSource:
    values: dict[str, Any] = {
        "name": "sever-api",
        "kind": "telegram",
        "channel": "@severny_vestnik",
        "lookback_days": None,
        "max_flood_wait_seconds": 300,
    }
    values.update(overrides)
    return TelegramSource(**values)


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record flood-wait sleeps instead of sleeping."""
    calls: list[float] = []
    monkeypatch.setattr(tg, "sleep", calls.append)
    return calls


def _use(monkeypatch: pytest.MonkeyPatch, client: FakeTelegramClient) -> FakeTelegramClient:
    monkeypatch.setattr(tg, "client_factory", lambda source: client)
    return client


def _run(source: TelegramSource, path: str, window: Window | None = None) -> SourceStats:
    return ingest_source(source, Warehouse(path), "run-test", window)


def _docs(path: str) -> dict[str, dict[str, Any]]:
    rows = Warehouse(path).query("select * from documents order by external_id").to_pylist()
    for row in rows:
        row["metadata"] = json.loads(row["metadata"])
    return {r["external_id"]: r for r in rows}


def test_first_run_lands_every_post_with_its_fields(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    client = _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))
    stats = _run(_source(), warehouse_path)
    assert stats.status == "ok", stats.error_message
    assert stats.fetched == 9 and stats.new == 6
    docs = _docs(warehouse_path)
    assert sorted(docs) == [f"severny_vestnik:{i}" for i in (101, 102, 103, 106, 107, 109)]
    first = docs["severny_vestnik:101"]
    assert first["kind"] == "post" and first["text"] == TEXT_101
    assert first["url"] == "https://t.me/severny_vestnik/101"
    assert first["published_at"] == BASE_DATE
    assert first["author"] == "Северный вестник"
    meta = first["metadata"]
    assert meta["channel_id"] == CHANNEL_ID and meta["channel_username"] == "severny_vestnik"
    assert meta["links"] == ["https://example.org/news/101"] and meta["hashtags"] == ["Северск"]
    assert meta["views"] == 845 and meta["forwards"] == 3
    second = docs["severny_vestnik:102"]["metadata"]
    assert second["mentions"] == ["kyiv_monitor"]
    assert second["links"] == ["https://example.com/grafik"]
    assert second["reactions"] == {"👍": 12, "🔥": 3}
    album = docs["severny_vestnik:103"]["metadata"]
    assert album["message_ids"] == [103, 104, 105] and album["grouped_id"] == 424242
    assert [m["type"] for m in album["media"]] == ["photo", "photo", "photo"]
    assert album["media"][0]["width"] == 1280 and album["media"][0]["size"] == 180_000
    fwd = docs["severny_vestnik:106"]["metadata"]["fwd_from"]
    assert fwd == {
        "channel_id": 1600000002,
        "name": "Other News",
        "username": "other_news",
        "message_id": 4321,
        "date": (BASE_DATE - timedelta(hours=1)).isoformat(),
    }
    reply = docs["severny_vestnik:107"]["metadata"]
    assert reply["reply_to"] == 101 and reply["replies"] == 4
    # the URL comes after a surrogate-pair emoji: offsets are UTF-16 code units
    link = next(e for e in reply["entities"] if e["type"] == "link")
    assert (link["offset"], link["length"], link["text"]) == (22, 26, "https://example.org/alerts")
    video = docs["severny_vestnik:109"]["metadata"]["media"][0]
    assert video == {
        "type": "video",
        "mime_type": "video/mp4",
        "size": 5_000_000,
        "file_id": 9001,
        "file_name": "bridge.mp4",
        "width": 1280,
        "height": 720,
        "duration": 42,
        "message_id": 109,
    }
    # raw: one item per post (the album is one) plus the service message; all kept
    kinds = Warehouse(warehouse_path).query("select item_kind, count(*) n from raw_items group by 1 order by 1")
    assert kinds.to_pylist() == [
        {"item_kind": "telegram_message", "n": 6},
        {"item_kind": "telegram_service", "n": 1},
    ]
    cursor = Warehouse(warehouse_path).get_cursor("sever-api")
    assert cursor.last_id == 109 and cursor.state == {"channel_id": CHANNEL_ID}
    assert _scalar(warehouse_path, "select count(*) from telegram_counter_snapshots") == 6
    assert _scalar(warehouse_path, "select access_hash from telegram_channels") == 987654321
    assert client.closed and slept == []


def test_rerun_lands_nothing_and_resolves_channel_once(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    client = _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))
    _run(_source(), warehouse_path)
    languages = _scalar(warehouse_path, "select list(language order by id) from documents")
    assert None not in languages

    def no_detector() -> None:
        raise AssertionError("the language detector was loaded for unchanged posts")

    monkeypatch.setattr(language_module, "_first_pass", no_detector)
    transactions: list[str] = []
    real_transaction = Warehouse.transaction

    def counted_transaction(self: Warehouse) -> Any:
        transactions.append(self.path)
        return real_transaction(self)

    monkeypatch.setattr(Warehouse, "transaction", counted_transaction)
    again = _run(_source(), warehouse_path)
    assert again.status == "ok" and again.new == 0 and again.updated == 0
    assert len(transactions) == 1  # the run record only: the unchanged re-read posts take no write transaction
    assert _scalar(warehouse_path, "select list(language order by id) from documents") == languages
    assert again.skipped == 6  # the refresh re-read the landed posts and found them unchanged
    for table, count in (("documents", 6), ("raw_items", 7), ("telegram_counter_snapshots", 6)):
        assert _scalar(warehouse_path, f"select count(*) from {table}") == count, table
    assert [c.name for c in client.calls].count("resolve_channel") == 1
    forward = [c.kwargs for c in client.calls if c.name == "fetch_messages" and c.kwargs["reverse"]]
    assert forward[-1]["min_id"] == 109


def test_edit_between_runs_updates_document_and_keeps_history(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    messages = severny_vestnik_messages()
    client = _use(monkeypatch, FakeTelegramClient(messages))
    _run(_source(), warehouse_path)
    original = next(m for m in messages if m.id == 109)
    client.replace(edited(original, "Відео: ремонт мосту завершено", BASE_DATE + timedelta(hours=3)))
    stats = _run(_source(), warehouse_path)
    assert stats.updated == 1 and stats.new == 0
    row = _docs(warehouse_path)["severny_vestnik:109"]
    assert row["revision"] == 2 and row["text"] == "Відео: ремонт мосту завершено"
    assert row["metadata"]["edited"] is True
    versions = Warehouse(warehouse_path).query(
        "select payload from raw_items where external_id = 'severny_vestnik:109' order by fetched_at"
    )
    texts = [json.loads(p)["messages"][0]["message"] for p in versions.column(0).to_pylist()]
    assert texts == ["Відео: ремонт мосту", "Відео: ремонт мосту завершено"]


def test_counter_growth_is_a_snapshot_not_a_revision(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    messages = severny_vestnik_messages()
    client = _use(monkeypatch, FakeTelegramClient(messages))
    _run(_source(), warehouse_path)
    first = next(m for m in messages if m.id == 101)
    first.views = 2_000
    client.replace(first)
    stats = _run(_source(), warehouse_path)
    assert stats.updated == 0 and stats.new == 0
    assert _docs(warehouse_path)["severny_vestnik:101"]["revision"] == 1
    views = Warehouse(warehouse_path).query(
        "select views from telegram_counter_snapshots where external_id = 'severny_vestnik:101' order by observed_at"
    )
    assert views.column(0).to_pylist() == [845, 2_000]
    assert _scalar(warehouse_path, "select count(*) from raw_items") == 7
    growth = (
        Warehouse(warehouse_path)
        .query(
            "select snapshots, first_views, last_views, views_growth, views_per_hour from post_counter_growth "
            "where document_id = (select id from documents where external_id = 'severny_vestnik:101')"
        )
        .to_pylist()
    )
    assert len(growth) == 1 and growth[0]["snapshots"] == 2
    assert (growth[0]["first_views"], growth[0]["last_views"], growth[0]["views_growth"]) == (845, 2_000, 1_155)
    assert growth[0]["views_per_hour"] > 0


def test_flood_wait_under_cap_is_slept(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages(), flood_on_calls={1: 5}))
    stats = _run(_source(), warehouse_path)
    assert slept == [5]
    assert stats.status == "ok" and stats.new == 6


def test_flood_wait_over_cap_stops_cleanly_and_next_run_resumes_without_gaps(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    messages = numbered_messages(450, grouped={199: 9, 200: 9, 201: 9})
    client = _use(monkeypatch, FakeTelegramClient(messages, flood_on_calls={2: 1_000}))
    source = _source(batch_size=200, max_flood_wait_seconds=60)
    first = _run(source, warehouse_path)
    assert first.status == "partial"
    assert "1000s" in (first.error_message or "") and "cursor at message 198" in (first.error_message or "")
    assert slept == []
    # the album 199-201 straddles the batch boundary: held back, so the cursor stops before it
    assert Warehouse(warehouse_path).get_cursor(source.name).last_id == 198
    assert _scalar(warehouse_path, "select count(*) from documents") == 198

    second = _run(source, warehouse_path)
    assert second.status == "ok", second.error_message
    ids = (
        Warehouse(warehouse_path)
        .query("select json_extract(metadata, '$.message_ids') ids from documents")
        .column(0)
        .to_pylist()
    )
    landed = sorted(i for group in ids for i in json.loads(group))
    assert landed == list(range(1, 451))  # no gap, no duplicate
    assert _scalar(warehouse_path, "select count(*) from documents") == 448  # 450 messages, one 3-photo album
    assert _scalar(warehouse_path, "select count(*) from raw_items") == 448
    album = _docs(warehouse_path)["severny_vestnik:199"]["metadata"]
    assert album["message_ids"] == [199, 200, 201]
    assert Warehouse(warehouse_path).get_cursor(source.name).last_id == 450
    assert client.fetch_count() >= 4


def test_first_run_lookback_by_message_count(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    _use(monkeypatch, FakeTelegramClient(numbered_messages(50)))
    stats = _run(_source(lookback_messages=10), warehouse_path)
    assert stats.new == 10
    ids = Warehouse(warehouse_path).query("select external_id from documents order by 1").column(0).to_pylist()
    assert ids == [f"severny_vestnik:{i}" for i in range(41, 51)]


def test_first_run_lookback_by_days(monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]) -> None:
    client = _use(monkeypatch, FakeTelegramClient(numbered_messages(5)))
    _run(_source(lookback_days=3), warehouse_path)
    first_call = next(c.kwargs for c in client.calls if c.name == "fetch_messages")
    assert first_call["offset_date"] is not None and first_call["reverse"] is True


def test_backfill_window_lands_older_posts_without_moving_the_cursor(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))
    _run(_source(lookback_messages=2), warehouse_path)
    assert Warehouse(warehouse_path).get_cursor("sever-api").last_id == 109
    assert _scalar(warehouse_path, "select count(*) from documents") == 1
    window = Window(since=BASE_DATE, until=BASE_DATE + timedelta(minutes=25))
    stats = _run(_source(lookback_messages=2), warehouse_path, window)
    assert stats.mode == "backfill" and stats.new == 3
    ids = Warehouse(warehouse_path).query("select external_id from documents order by 1").column(0).to_pylist()
    assert ids == ["severny_vestnik:101", "severny_vestnik:102", "severny_vestnik:103", "severny_vestnik:109"]
    assert Warehouse(warehouse_path).get_cursor("sever-api").last_id == 109
    assert _scalar(warehouse_path, "select mode from runs order by finished_at desc limit 1") == "backfill"


def test_download_media_option_writes_files(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, tmp_path: Path, slept: list[float]
) -> None:
    client = _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))
    media_dir = tmp_path / "media"
    _run(_source(download_media=True, media_dir=str(media_dir)), warehouse_path)
    files = sorted(p.name for p in (media_dir / "severny_vestnik").iterdir())
    assert files == ["103.jpg", "104.jpg", "105.jpg", "109.mp4"]
    album = _docs(warehouse_path)["severny_vestnik:103"]["metadata"]["media"]
    assert album[1]["local_path"] == str(media_dir / "severny_vestnik" / "104.jpg")
    _run(_source(download_media=True, media_dir=str(media_dir)), warehouse_path)
    assert [c.name for c in client.calls].count("download_media") == 4  # not downloaded again


def test_flood_wait_while_resolving_is_a_clean_partial_stop(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, slept: list[float]
) -> None:
    client = _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))

    def flooded(channel: str) -> Any:
        raise FloodWaitError(request=None, capture=86_400)

    monkeypatch.setattr(client, "resolve_channel", flooded)
    stats = _run(_source(), warehouse_path)
    assert stats.status == "partial" and "86400s" in (stats.error_message or "")
    assert _scalar(warehouse_path, "select count(*) from telegram_channels") == 0
    assert client.closed


def test_failed_media_download_keeps_the_post(
    monkeypatch: pytest.MonkeyPatch, warehouse_path: str, tmp_path: Path, slept: list[float]
) -> None:
    client = _use(monkeypatch, FakeTelegramClient(severny_vestnik_messages()))

    def broken(message: Any, target: str) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(client, "download_media", broken)
    stats = _run(_source(download_media=True, media_dir=str(tmp_path / "m")), warehouse_path)
    assert stats.status == "partial" and "disk full" in (stats.error_message or "")
    assert stats.new == 6
    assert "local_path" not in _docs(warehouse_path)["severny_vestnik:109"]["metadata"]["media"][0]
