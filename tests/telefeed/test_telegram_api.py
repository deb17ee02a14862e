"""Telegram API ingestion through the fake client: real Telethon Message objects, real DuckDB warehouse.

Claims: a first run lands every post (albums merged) with its fields and the cursor; a rerun lands nothing
new and resolves the channel from the cache; an edit lands revision 2; counter growth lands a snapshot, not a
revision; flood waits are slept under the cap and stop the channel cleanly over it, and the next run resumes
with no gap and no duplicate; backfills never move the cursor.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pytest
from telethon.tl.functions.channels import GetMessagesRequest
from telethon.tl.functions.contacts import ResolveUsernameRequest
from telethon.tl.functions.messages import GetHistoryRequest, GetRepliesRequest
from telethon.tl.types import (
    Message,
    MessageFwdHeader,
    MessageReplies,
    MessageReplyHeader,
    PeerChannel,
    PeerUser,
)

import extraction.language as language_module
from connectors.telegram import MessageWindow, TelegramChannelError, TelegramCredentials, TelethonClient
from telefeed.config import TelegramSource
from telefeed.pipeline import SourceStats, Window, ingest_source
from telefeed.resources import Resources
from tests.support.fake_telegram import (
    BASE_DATE,
    CHANNEL_ID,
    OTHER_ID,
    TEXT_101,
    FakeTelegramClient,
    ScriptedChannel,
    ScriptedTelegram,
    channel_entity,
    channel_post,
    edited,
    numbered_messages,
    scripted_telethon,
    severny_vestnik_messages,
)
from tests.support.warehouse import scalar as _scalar
from warehouse.db import Warehouse

API_ID = 12345
T = TypeVar("T")


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
def slept() -> list[float]:
    """Flood-wait sleeps, recorded instead of slept (the resources' sleeper)."""
    return []


class Telegram:
    """The resources of each test run: the fake client, a recording sleeper, a fixed clock."""

    def __init__(self, slept: list[float]) -> None:
        self.client: FakeTelegramClient | None = None
        self.slept = slept
        self.now = BASE_DATE + timedelta(days=30)  # every sample post is older than the re-sampling age

    def tick(self) -> datetime:
        """The clock: a second passes at each reading."""
        self.now += timedelta(seconds=1)
        return self.now

    def use(self, client: FakeTelegramClient) -> FakeTelegramClient:
        self.client = client
        return client

    def resources(self) -> Resources:
        assert self.client is not None
        client = self.client
        return Resources(telegram_client=lambda source: client, sleep=self.slept.append, now=self.tick)


@pytest.fixture
def telegram(slept: list[float]) -> Telegram:
    return Telegram(slept)


def _run(telegram: Telegram, source: TelegramSource, path: str, window: Window | None = None) -> SourceStats:
    with telegram.resources() as resources:
        return ingest_source(source, Warehouse(path), "run-test", window, resources)


def _rerun_after_change(
    telegram: Telegram, path: str, message_id: int, change: Callable[[Message], Message]
) -> SourceStats:
    """Land the test channel, replace post ``message_id`` with ``change(post)``, and run again."""
    messages = severny_vestnik_messages()
    client = telegram.use(FakeTelegramClient(messages))
    _run(telegram, _source(), path)
    client.replace(change(next(m for m in messages if m.id == message_id)))
    return _run(telegram, _source(), path)


def _docs(path: str) -> dict[str, dict[str, Any]]:
    rows = Warehouse(path).query("select * from documents order by external_id").to_pylist()
    for row in rows:
        row["metadata"] = json.loads(row["metadata"])
    return {r["external_id"]: r for r in rows}


def test_first_run_lands_every_post_with_its_fields(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    client = telegram.use(FakeTelegramClient(severny_vestnik_messages()))
    stats = _run(telegram, _source(), warehouse_path)
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


class _CountingTransactions(Warehouse):
    """The warehouse, counting the write transactions it is asked for."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.transactions = 0

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """:meth:`Warehouse.transaction`, counted."""
        self.transactions += 1
        with super().transaction() as con:
            yield con


def test_rerun_lands_nothing_and_resolves_channel_once(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    client = telegram.use(FakeTelegramClient(severny_vestnik_messages()))
    _run(telegram, _source(), warehouse_path)
    languages = _scalar(warehouse_path, "select list(language order by id) from documents")
    assert None not in languages

    language_module._first_pass.cache_clear()  # loaded again only if a post needs the detector
    counted = _CountingTransactions(warehouse_path)
    with telegram.resources() as resources:
        again = ingest_source(_source(), counted, "run-test", None, resources)
    assert again.status == "ok" and again.new == 0 and again.updated == 0
    assert counted.transactions == 1  # the run record only: the unchanged re-read posts take no write transaction
    assert _scalar(warehouse_path, "select list(language order by id) from documents") == languages
    assert language_module._first_pass.cache_info().currsize == 0, "the detector was loaded for unchanged posts"
    assert again.skipped == 6  # the refresh re-read the landed posts and found them unchanged
    for table, count in (("documents", 6), ("raw_items", 7), ("telegram_counter_snapshots", 6)):
        assert _scalar(warehouse_path, f"select count(*) from {table}") == count, table
    assert [c.name for c in client.calls].count("resolve_channel") == 1
    forward = [c.kwargs for c in client.calls if c.name == "fetch_messages" and c.kwargs["reverse"]]
    assert forward[-1]["min_id"] == 109


def test_edit_between_runs_updates_document_and_keeps_history(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    stats = _rerun_after_change(
        telegram,
        warehouse_path,
        109,
        lambda original: edited(original, "Відео: ремонт мосту завершено", BASE_DATE + timedelta(hours=3)),
    )
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
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:

    def more_views(first: Message) -> Message:
        first.views = 2_000
        return first

    stats = _rerun_after_change(telegram, warehouse_path, 101, more_views)
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


def test_flood_wait_under_cap_is_slept(warehouse_path: str, slept: list[float], telegram: Telegram) -> None:
    telegram.use(FakeTelegramClient(severny_vestnik_messages(), flood_on_calls={1: 5}))
    stats = _run(telegram, _source(), warehouse_path)
    assert slept == [5]
    assert stats.status == "ok" and stats.new == 6


def test_flood_wait_over_cap_stops_cleanly_and_next_run_resumes_without_gaps(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    messages = numbered_messages(450, grouped={199: 9, 200: 9, 201: 9})
    client = telegram.use(FakeTelegramClient(messages, flood_on_calls={2: 1_000}))
    source = _source(batch_size=200, max_flood_wait_seconds=60)
    first = _run(telegram, source, warehouse_path)
    assert first.status == "partial"
    assert "1000s" in (first.error_message or "") and "cursor at message 198" in (first.error_message or "")
    assert slept == []
    # the album 199-201 straddles the batch boundary: held back, so the cursor stops before it
    assert Warehouse(warehouse_path).get_cursor(source.name).last_id == 198
    assert _scalar(warehouse_path, "select count(*) from documents") == 198

    second = _run(telegram, source, warehouse_path)
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


class CrashAfterTheCursorMoves(Warehouse):
    """A warehouse whose first transaction after ``source``'s cursor moved fails: a crash between two batches."""

    def __init__(self, path: str, source: str) -> None:
        super().__init__(path)
        self.source = source
        self.crashed = False

    def run_in_transaction(self, work: Callable[[Any], T]) -> T:
        if not self.crashed and self.get_cursor(self.source).last_id is not None:
            self.crashed = True
            raise RuntimeError("crash between batches")
        return super().run_in_transaction(work)


def test_a_big_page_lands_in_batches_each_with_the_cursor_covering_it(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    """A page of 450 messages lands 200 raw items at a time, each batch with its highest message id as the
    cursor: a crash between batches keeps the first, and the rerun lands the rest with no gap nor duplicate."""
    telegram.use(FakeTelegramClient(numbered_messages(450)))
    source = _source(batch_size=1000)
    with telegram.resources() as resources:
        crashed = ingest_source(source, CrashAfterTheCursorMoves(warehouse_path, source.name), "run-1", None, resources)
    assert crashed.status == "failed" and "crash between batches" in (crashed.error_message or "")
    assert Warehouse(warehouse_path).get_cursor(source.name).last_id == 200 and crashed.new == 200
    again = _run(telegram, source, warehouse_path)
    assert again.status == "ok" and again.new == 250, again.error_message
    assert Warehouse(warehouse_path).get_cursor(source.name).last_id == 450
    assert _scalar(warehouse_path, "select count(distinct external_id) from documents") == 450
    assert _scalar(warehouse_path, "select count(*) from raw_items") == 450


def test_first_run_lookback_by_message_count(warehouse_path: str, slept: list[float], telegram: Telegram) -> None:
    telegram.use(FakeTelegramClient(numbered_messages(50)))
    stats = _run(telegram, _source(lookback_messages=10), warehouse_path)
    assert stats.new == 10
    ids = Warehouse(warehouse_path).query("select external_id from documents order by 1").column(0).to_pylist()
    assert ids == [f"severny_vestnik:{i}" for i in range(41, 51)]


def test_first_run_lookback_by_days(warehouse_path: str, slept: list[float], telegram: Telegram) -> None:
    client = telegram.use(FakeTelegramClient(numbered_messages(5)))
    _run(telegram, _source(lookback_days=3), warehouse_path)
    first_call = next(c.kwargs for c in client.calls if c.name == "fetch_messages")
    assert first_call["offset_date"] is not None and first_call["reverse"] is True


def test_backfill_window_lands_older_posts_without_moving_the_cursor(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    telegram.use(FakeTelegramClient(severny_vestnik_messages()))
    _run(telegram, _source(lookback_messages=2), warehouse_path)
    assert Warehouse(warehouse_path).get_cursor("sever-api").last_id == 109
    assert _scalar(warehouse_path, "select count(*) from documents") == 1
    window = Window(since=BASE_DATE, until=BASE_DATE + timedelta(minutes=25))
    stats = _run(telegram, _source(lookback_messages=2), warehouse_path, window)
    assert stats.mode == "backfill" and stats.new == 3
    ids = Warehouse(warehouse_path).query("select external_id from documents order by 1").column(0).to_pylist()
    assert ids == ["severny_vestnik:101", "severny_vestnik:102", "severny_vestnik:103", "severny_vestnik:109"]
    assert Warehouse(warehouse_path).get_cursor("sever-api").last_id == 109
    assert _scalar(warehouse_path, "select mode from runs order by finished_at desc limit 1") == "backfill"


def test_download_media_option_writes_files(
    warehouse_path: str, tmp_path: Path, slept: list[float], telegram: Telegram
) -> None:
    client = telegram.use(FakeTelegramClient(severny_vestnik_messages()))
    media_dir = tmp_path / "media"
    _run(telegram, _source(download_media=True, media_dir=str(media_dir)), warehouse_path)
    files = sorted(p.name for p in (media_dir / "severny_vestnik").iterdir())
    assert files == ["103.jpg", "104.jpg", "105.jpg", "109.mp4"]
    album = _docs(warehouse_path)["severny_vestnik:103"]["metadata"]["media"]
    assert album[1]["local_path"] == str(media_dir / "severny_vestnik" / "104.jpg")
    _run(telegram, _source(download_media=True, media_dir=str(media_dir)), warehouse_path)
    assert [c.name for c in client.calls].count("download_media") == 4  # not downloaded again


def test_flood_wait_while_resolving_is_a_clean_partial_stop(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    client = telegram.use(FakeTelegramClient(severny_vestnik_messages(), flood_on_resolve=86_400))
    stats = _run(telegram, _source(), warehouse_path)
    assert stats.status == "partial" and "86400s" in (stats.error_message or "")
    assert _scalar(warehouse_path, "select count(*) from telegram_channels") == 0
    assert client.closed


def test_failed_media_download_keeps_the_post(
    warehouse_path: str, tmp_path: Path, slept: list[float], telegram: Telegram
) -> None:
    telegram.use(FakeTelegramClient(severny_vestnik_messages(), media_error=OSError("disk full")))
    stats = _run(telegram, _source(download_media=True, media_dir=str(tmp_path / "m")), warehouse_path)
    assert stats.status == "partial" and "disk full" in (stats.error_message or "")
    assert stats.new == 6
    assert "local_path" not in _docs(warehouse_path)["severny_vestnik:109"]["metadata"]["media"][0]


# -- re-sampling counters by age, deletions (issue 27.2, 27.3) ---------------------------------------------------


def _young(telegram: Telegram) -> None:
    """Set the clock a day after the sample posts: every post is younger than the 7-day re-sampling age."""
    telegram.now = BASE_DATE + timedelta(days=1)


def _by_id_calls(client: FakeTelegramClient) -> list[list[int]]:
    return [c.kwargs["ids"] for c in client.calls if c.name == "fetch_by_ids"]


def test_young_posts_are_re_read_by_id_and_their_counters_kept_over_time(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    _young(telegram)
    messages = numbered_messages(250)
    client = telegram.use(FakeTelegramClient(messages))
    source = _source(refresh_messages=0)
    _run(telegram, source, warehouse_path)
    assert _by_id_calls(client) == []  # a first run reads forward only
    telegram.now += timedelta(hours=2)
    for message in messages:
        message.views = (message.views or 0) + 1000 if message.id == 7 else message.views
    _run(telegram, source, warehouse_path)
    calls = _by_id_calls(client)
    assert [len(ids) for ids in calls] == [100, 100, 50]  # 250 young posts, 100 ids per API call
    assert sorted(i for ids in calls for i in ids) == list(range(1, 251))
    latest = Warehouse(warehouse_path).query(
        "select message_id, views, snapshots from telegram_post_counters where message_id in (7, 8) order by 1"
    )
    assert latest.to_pylist() == [
        {"message_id": 7, "views": 1017, "snapshots": 2},
        {"message_id": 8, "views": 18, "snapshots": 2},  # unchanged counters are a sample too
    ]
    history = Warehouse(warehouse_path).query(
        "select views, views_delta from telegram_counter_history where message_id = 7 order by observed_at"
    )
    assert history.to_pylist() == [{"views": 17, "views_delta": None}, {"views": 1017, "views_delta": 1000}]
    assert _docs(warehouse_path)["severny_vestnik:7"]["revision"] == 1  # counters are not a revision

    telegram.now += timedelta(minutes=10)  # nothing is due again before resample_interval_minutes
    _run(telegram, source, warehouse_path)
    assert len(_by_id_calls(client)) == 3
    telegram.now += timedelta(days=7)  # every post is now older than resample_days: none is re-read
    _run(telegram, source, warehouse_path)
    assert len(_by_id_calls(client)) == 3


def test_re_sampling_is_spread_over_runs(warehouse_path: str, slept: list[float], telegram: Telegram) -> None:
    _young(telegram)
    client = telegram.use(FakeTelegramClient(numbered_messages(250)))
    source = _source(refresh_messages=0, resample_max_posts=100)
    _run(telegram, source, warehouse_path)
    seen: list[list[int]] = []
    for _ in range(3):
        telegram.now += timedelta(minutes=61)
        before = len(_by_id_calls(client))
        _run(telegram, source, warehouse_path)
        run_calls = _by_id_calls(client)[before:]
        assert len(run_calls) == 1  # at most resample_max_posts per run: one call
        seen.append(run_calls[0])
    assert sorted(seen[0] + seen[1] + seen[2][:50]) == list(range(1, 251))  # least recently seen first
    assert seen[2][50:] == seen[0][:50]


def test_a_post_deleted_by_the_channel_gets_a_tombstone_and_keeps_its_rows(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    _young(telegram)
    client = telegram.use(FakeTelegramClient(severny_vestnik_messages()))
    _run(telegram, _source(), warehouse_path)
    before = _docs(warehouse_path)
    telegram.now += timedelta(hours=2)
    client.delete(102, 103, 104, 105)  # a post and a whole album
    started = telegram.now
    stats = _run(telegram, _source(), warehouse_path)
    assert stats.status == "ok", stats.error_message
    deleted = Warehouse(warehouse_path).query(
        "select external_id, via, deleted_at, text from telegram_deleted_posts order by 1"
    )
    assert [(r["external_id"], r["via"]) for r in deleted.to_pylist()] == [
        ("severny_vestnik:102", "api"),
        ("severny_vestnik:103", "api"),
    ]
    assert all(started < r["deleted_at"] <= telegram.now for r in deleted.to_pylist())  # noticed in this run
    assert deleted.to_pylist()[0]["text"] == before["severny_vestnik:102"]["text"]
    after = _docs(warehouse_path)
    assert sorted(after) == sorted(before)  # never a delete
    telegram.now += timedelta(hours=2)
    _run(telegram, _source(), warehouse_path)
    assert _scalar(warehouse_path, "select count(*) from telegram_tombstones") == 2  # marked once
    assert all(102 not in ids and 103 not in ids for ids in _by_id_calls(client)[-1:])  # gone: not asked again


# -- the live client through Telethon's own iterators (a scripted server, no network) -----------------------------


def _live(tmp_path: Path, server: ScriptedTelegram, session: str = "account") -> TelethonClient:
    credentials = TelegramCredentials(API_ID, "0123456789abcdef", session_file=str(tmp_path / session))
    return TelethonClient(credentials, telethon_class=scripted_telethon(server))


def _channel(messages: list[Any], **kwargs: Any) -> ScriptedChannel:
    return ScriptedChannel(channel_entity(CHANNEL_ID, "severny_vestnik", "Северный вестник"), messages, **kwargs)


def test_the_live_client_pages_history_through_telethons_iterator(
    tmp_path: Path, warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    server = ScriptedTelegram([_channel(numbered_messages(450, grouped={199: 9, 200: 9, 201: 9}))])
    live = _live(tmp_path, server)
    resources = Resources(telegram_client=lambda source: live, sleep=slept.append, now=telegram.tick)
    with resources:
        stats = ingest_source(_source(batch_size=200), Warehouse(warehouse_path), "run-1", None, resources)
    assert stats.status == "ok", stats.error_message
    ids = Warehouse(warehouse_path).query("select json_extract(metadata, '$.message_ids') from documents")
    landed = sorted(i for group in ids.column(0).to_pylist() for i in json.loads(group))
    assert landed == list(range(1, 451))  # no gap, no duplicate across Telethon's 100-message requests
    assert _scalar(warehouse_path, "select count(*) from documents") == 448  # one 3-photo album
    assert server.count(ResolveUsernameRequest) == 1
    assert server.count(GetHistoryRequest) >= 5  # Telethon pages by 100 per request

    server.channels[0].messages += numbered_messages(3, start_id=451)
    live = _live(tmp_path, server)
    resources = Resources(telegram_client=lambda source: live, sleep=slept.append, now=telegram.tick)
    with resources:
        again = ingest_source(_source(batch_size=200), Warehouse(warehouse_path), "run-2", None, resources)
    assert (again.status, again.new) == ("ok", 3)
    assert Warehouse(warehouse_path).get_cursor("sever-api").last_id == 453


def test_the_live_client_reads_by_id_and_sees_deletions(tmp_path: Path) -> None:
    server = ScriptedTelegram([_channel(numbered_messages(5))])
    live = _live(tmp_path, server)
    try:
        channel = live.resolve_channel("severny_vestnik")
        server.channels[0].messages = [m for m in server.channels[0].messages if m.id != 3]
        found = live.fetch_by_ids(channel, [2, 3, 4])
    finally:
        live.close()
    assert [m.id if m is not None else None for m in found] == [2, None, 4]
    assert server.count(GetMessagesRequest) == 1


def test_a_numeric_channel_id_uses_the_sessions_access_hash_or_is_refused(tmp_path: Path) -> None:
    server = ScriptedTelegram([_channel(numbered_messages(2))])
    live = _live(tmp_path, server)
    try:
        with pytest.raises(TelegramChannelError, match="no access hash"):
            live.resolve_channel(str(CHANNEL_ID))  # never seen by this session: not read as a user id
        by_name = live.resolve_channel("@severny_vestnik")  # the session stores the channel's access hash
        assert live.resolve_channel(str(CHANNEL_ID)) == by_name
        assert live.resolve_channel(f"-100{CHANNEL_ID}") == by_name
        with pytest.raises(TelegramChannelError, match="basic group"):
            live.resolve_channel("-12345")
    finally:
        live.close()
    assert by_name.channel_id == CHANNEL_ID and by_name.access_hash == 987654321


def test_two_clients_on_one_session_file_lock_it(tmp_path: Path) -> None:
    """Why the run shares one client per account: a second client on the same session file cannot write it."""
    server = ScriptedTelegram([_channel(numbered_messages(2))])
    first, second = _live(tmp_path, server), _live(tmp_path, server)
    try:
        first.resolve_channel("severny_vestnik")  # Telethon stores the entity without committing
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            second.resolve_channel("severny_vestnik")
    finally:
        first.close()
        second.close()


# -- comments (opt-in) --------------------------------------------------------------------------------------------

DISCUSSION_ID = 1700000003


def _comment(comment_id: int, text: str, user_id: int = 42) -> Message:
    return Message(
        id=comment_id,
        peer_id=PeerChannel(DISCUSSION_ID),
        date=BASE_DATE + timedelta(hours=1, minutes=comment_id - 500),
        message=text,
        from_id=PeerUser(user_id),
        reply_to=MessageReplyHeader(reply_to_msg_id=7),
    )


def _with_thread(messages: list[Any], max_id: int) -> list[Any]:
    """Post 107 with a discussion thread whose newest comment is ``max_id``."""
    post = next(m for m in messages if m.id == 107)
    post.replies = MessageReplies(
        replies=max_id - 500, replies_pts=9, comments=True, channel_id=DISCUSSION_ID, max_id=max_id
    )
    return messages


def test_comments_land_as_documents_linked_to_their_post(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    client = telegram.use(FakeTelegramClient(_with_thread(severny_vestnik_messages(), 503)))
    client.comments = {107: [_comment(501, "Спасибо за новость"), _comment(502, "Где это?"), _comment(503, "Дякую")]}
    assert _run(telegram, _source(), warehouse_path).new == 6  # comments are opt-in
    assert [c for c in client.calls if c.name == "fetch_replies"] == []
    stats = _run(telegram, _source(comments=True), warehouse_path)
    assert stats.status == "ok" and stats.new == 3
    comments = {k: v for k, v in _docs(warehouse_path).items() if v["kind"] == "comment"}
    assert sorted(comments) == [f"severny_vestnik:107/comment/{i}" for i in (501, 502, 503)]
    first = comments["severny_vestnik:107/comment/501"]
    assert first["text"] == "Спасибо за новость"
    assert first["url"] == "https://t.me/severny_vestnik/107?comment=501"
    meta = first["metadata"]
    assert (meta["post_external_id"], meta["discussion_id"], meta["from_user_id"]) == (
        "severny_vestnik:107",
        DISCUSSION_ID,
        42,
    )
    post = _docs(warehouse_path)["severny_vestnik:107"]["metadata"]
    assert post["replies"] == 3 and post["discussion"] == {"channel_id": DISCUSSION_ID, "max_id": 503}

    again = _run(telegram, _source(comments=True), warehouse_path)  # the thread did not grow: not read
    assert again.new == 0 and len([c for c in client.calls if c.name == "fetch_replies"]) == 1
    client.comments[107].append(_comment(504, "Новый комментарий"))
    _with_thread(client.messages, 504)
    third = _run(telegram, _source(comments=True), warehouse_path)
    assert third.new == 1
    replies = [c.kwargs for c in client.calls if c.name == "fetch_replies"]
    assert replies[-1]["min_id"] == 503  # the thread's cursor: the highest comment landed


def test_a_reply_to_another_chat_and_an_unresolved_forward_keep_their_own_meaning(
    warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    def post(mid: int, text: str, **fields: Any) -> Message:
        return channel_post(mid, BASE_DATE + timedelta(minutes=mid), text, **fields)

    messages = [
        post(1, "в своём канале"),
        post(
            2,
            "ответ на пост другого канала",
            reply_to=MessageReplyHeader(reply_to_msg_id=1, reply_to_peer_id=PeerChannel(OTHER_ID)),
        ),
        post(3, "ответ на свой пост", reply_to=MessageReplyHeader(reply_to_msg_id=1)),
        # forwarded from a channel this session could not resolve: Telethon gives no chat
        post(
            4,
            "пересланное",
            fwd_from=MessageFwdHeader(
                date=BASE_DATE, from_id=PeerChannel(OTHER_ID), channel_post=77, post_author="Иван Петров"
            ),
        ),
    ]
    telegram.use(FakeTelegramClient(messages))
    _run(telegram, _source(), warehouse_path)
    docs = _docs(warehouse_path)
    assert docs["severny_vestnik:2"]["metadata"]["reply_to"] is None  # message 1 of another chat is not ours
    assert docs["severny_vestnik:3"]["metadata"]["reply_to"] == 1
    forward = docs["severny_vestnik:4"]["metadata"]["fwd_from"]
    assert forward["channel_id"] == OTHER_ID and forward["message_id"] == 77
    assert "name" not in forward  # the author's signature is not the source's name
    assert forward["post_author"] == "Иван Петров"


def test_a_run_costs_the_api_requests_docs_telegram_md_states(
    tmp_path: Path, warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    """N = 50 posts a day, hourly runs: 3 history requests (the new posts, Telethon's look for more, the refresh)
    and ceil(7 * 50 / 100) = 4 by-id requests a run."""
    per_day, spacing = 50, timedelta(hours=24) / 50
    telegram.now = BASE_DATE + timedelta(days=8)
    start = telegram.now - 8 * per_day * spacing
    posts = [
        Message(id=i, peer_id=PeerChannel(CHANNEL_ID), date=start + i * spacing, message=f"post {i}", views=i)
        for i in range(1, 8 * per_day + 1)
    ]
    server = ScriptedTelegram([_channel(posts)])
    source = _source(lookback_days=8)

    def run(label: str) -> dict[str, int]:
        before = {kind: server.count(kind) for kind in (GetHistoryRequest, GetMessagesRequest)}
        live = _live(tmp_path, server)
        with Resources(telegram_client=lambda s: live, sleep=slept.append, now=telegram.tick) as resources:
            stats = ingest_source(source, Warehouse(warehouse_path), label, None, resources)
        assert stats.status == "ok", stats.error_message
        return {kind.__name__: server.count(kind) - n for kind, n in before.items()}

    run("first")  # the first run reads the 8 days forward
    telegram.now += timedelta(hours=1)
    new = [Message(id=401, peer_id=PeerChannel(CHANNEL_ID), date=telegram.now, message="new", views=1)]
    server.channels[0].messages += new
    assert run("hourly") == {"GetHistoryRequest": 3, "GetMessagesRequest": 4}


def test_the_run_opens_one_client_per_account_and_closes_them_at_its_end() -> None:
    opened: list[FakeTelegramClient] = []

    def open_client(source: TelegramSource) -> FakeTelegramClient:
        opened.append(FakeTelegramClient(severny_vestnik_messages()))
        return opened[-1]

    resources = Resources(telegram_client=open_client)
    sources = [_source(name=f"s{n}", secret_block=block) for n, block in enumerate((None, None, "other", "other"))]
    with resources:
        clients = [resources.telegram_client_for(s) for s in sources]
        assert len(opened) == 2 and resources.telegram.opened() == 2  # the environment's account and "other"
        clients[0].close()  # a source is done: the account's client stays open for the others
        assert not opened[0].closed
        clients[1].fetch_messages(clients[1].resolve_channel("severny_vestnik"), MessageWindow(limit=1))
        assert [c.name for c in opened[0].calls] == ["resolve_channel", "fetch_messages"]
        copy = pickle.loads(pickle.dumps(resources.telegram))  # a task sent to another process: no clients
        assert copy.opened() == 0
    assert all(c.closed for c in opened)


def test_the_live_client_reads_a_thread_through_telethons_reply_iterator(
    tmp_path: Path, warehouse_path: str, slept: list[float], telegram: Telegram
) -> None:
    thread = [_comment(501, "Спасибо за новость"), _comment(502, "Где это?")]
    discussion = channel_entity(DISCUSSION_ID, None, "Северный вестник — чат", 555)
    server = ScriptedTelegram(
        [_channel(_with_thread(severny_vestnik_messages(), 502), threads={107: thread}, discussion=discussion)]
    )
    live = _live(tmp_path, server)
    with Resources(telegram_client=lambda s: live, sleep=slept.append, now=telegram.tick) as resources:
        stats = ingest_source(_source(comments=True), Warehouse(warehouse_path), "run-1", None, resources)
    assert stats.status == "ok" and stats.new == 8, stats.error_message
    comments = [d for d in _docs(warehouse_path).values() if d["kind"] == "comment"]
    assert [d["text"] for d in comments] == ["Спасибо за новость", "Где это?"]
    assert server.count(GetRepliesRequest) == 2  # the thread, then Telethon looking for more
