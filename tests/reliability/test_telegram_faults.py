"""Telegram faults through the fake client (real Telethon objects and errors, real DuckDB file).

Already proven in tests/telefeed/test_telegram_api.py and not repeated here: flood waits under the cap are slept, over
the cap stop the channel cleanly and the next run resumes with no gap (also while resolving), and an edit between runs
lands revision 2 with the earlier text kept in the raw layer. Here, in runs with several channels:
- a channel that became private (``ChannelPrivateError``) fails alone: its run is recorded with the error, its
  documents and cursor stay as they were, the other channel (after a flood wait) lands its new posts; when the
  channel is readable again the next run resumes from the cursor with no gap;
- a message deleted between runs: its document stays (telefeed keeps what it saw), the rest of the rerun (a new
  post, an edit of another post) lands normally. The posts here are older than the re-sampling age, so the
  deletion is not noticed; young posts re-read by id get a tombstone (tests/telefeed/test_telegram_api.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from telethon.errors import ChannelPrivateError
from telethon.tl.types import Message

from connectors.telegram import ChannelRef, MessageWindow, TelegramClientProtocol
from telefeed.config import TelegramSource
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.reliability.support import read_only
from tests.support.fake_telegram import (
    BASE_DATE,
    OTHER_ID,
    FakeCall,
    FakeTelegramClient,
    channel_post,
    edited,
    numbered_messages,
    severny_vestnik_messages,
)
from warehouse.db import Warehouse

OTHER = ChannelRef(OTHER_ID, 5, "other_news", "Other News")


class OtherChannelClient(FakeTelegramClient):
    """The fake client serving a second channel, ``@other_news``."""

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Resolve ``other_news`` only."""
        self.calls.append(FakeCall("resolve_channel", {"channel": channel}))
        if channel.lower() != OTHER.username:
            raise ValueError(f"No user has {channel!r} as username")
        return self.channel


class PrivateChannelClient(FakeTelegramClient):
    """A channel that became private: every read raises Telethon's ``ChannelPrivateError``."""

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Telegram refuses the channel."""
        raise ChannelPrivateError(request=None)

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """Telegram refuses the channel's history."""
        self.calls.append(FakeCall("fetch_messages", window.as_kwargs()))
        raise ChannelPrivateError(request=None)


def other_messages(count: int, start_id: int = 1) -> list[Message]:
    """Plain posts of ``@other_news``."""
    return [
        channel_post(
            mid,
            BASE_DATE + timedelta(minutes=mid),
            f"Other News post {mid}: the council met again today",
            channel_id=OTHER_ID,
            views=mid,
        )
        for mid in range(start_id, start_id + count)
    ]


SEVER = TelegramSource(name="sever", kind="telegram", channel="@severny_vestnik", lookback_days=None)
OTHER_SOURCE = TelegramSource(name="other", kind="telegram", channel="@other_news", lookback_days=None)


class AccountClient:
    """One account's client reading several channels: each channel's calls go to that channel's fake."""

    def __init__(self, channels: Sequence[FakeTelegramClient]) -> None:
        self.by_id = {c.channel.channel_id: c for c in channels}
        self.by_name = {str(c.channel.username): c for c in channels}

    def resolve_channel(self, channel: str) -> ChannelRef:
        """The channel's own fake resolves it."""
        return self.by_name[channel.lower().lstrip("@")].resolve_channel(channel)

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """The channel's history from its fake."""
        return self.by_id[channel.channel_id].fetch_messages(channel, window)

    def fetch_by_ids(self, channel: ChannelRef, ids: Sequence[int]) -> Sequence[Any | None]:
        """By id from the channel's fake."""
        return self.by_id[channel.channel_id].fetch_by_ids(channel, ids)

    def fetch_replies(self, channel: ChannelRef, post_id: int, *, min_id: int, limit: int) -> Sequence[Any]:
        """Comments from the channel's fake."""
        return self.by_id[channel.channel_id].fetch_replies(channel, post_id, min_id=min_id, limit=limit)

    def download_media(self, message: Any, target: str) -> str | None:
        """Media of the message's channel."""
        return self.by_id[message.peer_id.channel_id].download_media(message, target)

    def close(self) -> None:
        """Close every channel's fake."""
        for client in self.by_id.values():
            client.close()


@pytest.fixture
def slept() -> list[float]:
    """Flood-wait sleeps, recorded instead of slept (the resources' sleeper)."""
    return []


def _run_all(
    warehouse: Warehouse, clients: dict[str, FakeTelegramClient], run_id: str, slept: list[float]
) -> dict[str, Any]:
    """One ingest run over both channels, read by one account's shared client (what the flow does, without
    Prefect)."""
    account: TelegramClientProtocol = AccountClient(list(clients.values()))
    clock = BASE_DATE + timedelta(days=30)  # the posts are older than the re-sampling age
    with Resources(telegram_client=lambda source: account, sleep=slept.append, now=lambda: clock) as resources:
        return {s.name: ingest_source(s, warehouse, run_id, None, resources) for s in (SEVER, OTHER_SOURCE)}


def _state(path: str) -> dict[str, Any]:
    with read_only(path) as con:
        return {
            "documents": con.execute(
                "SELECT source, external_id, revision, version_hash FROM documents ORDER BY ALL"
            ).fetchall(),
            "cursors": dict(con.execute("SELECT source, last_id FROM cursors").fetchall()),
            "runs": con.execute("SELECT run_id, source, status, error_message FROM runs ORDER BY ALL").fetchall(),
            "quarantine": con.execute("SELECT source, reason FROM quarantine").fetchall(),
        }


def test_private_channel_fails_alone_keeps_its_cursor_and_resumes_later(
    warehouse_path: str, slept: list[float]
) -> None:
    warehouse = Warehouse(warehouse_path)
    sever = FakeTelegramClient(severny_vestnik_messages())
    other = OtherChannelClient(other_messages(5), channel=OTHER)
    first = _run_all(warehouse, {"sever": sever, "other": other}, "run-1", slept)
    assert {n: (s.status, s.new) for n, s in first.items()} == {"sever": ("ok", 6), "other": ("ok", 5)}
    before = _state(warehouse_path)
    assert before["cursors"] == {"sever": 109, "other": 5}

    # The channel turns private; the other channel has three new posts and Telegram makes it wait 30 s first.
    private = PrivateChannelClient(severny_vestnik_messages())
    other_next = OtherChannelClient(other_messages(8), channel=OTHER, flood_on_calls={1: 30})
    second = _run_all(warehouse, {"sever": private, "other": other_next}, "run-2", slept)
    assert second["sever"].status == "failed"
    assert "ChannelPrivateError" in (second["sever"].error_message or "")
    assert private.closed  # the client is closed even when the channel fails
    assert (second["other"].status, second["other"].new) == ("ok", 3) and slept == [30]
    after = _state(warehouse_path)
    assert after["cursors"] == {"sever": 109, "other": 8}
    sever_docs = [d for d in after["documents"] if d[0] == "sever"]
    assert sever_docs == [d for d in before["documents"] if d[0] == "sever"]  # nothing lost, nothing rewritten
    failed = [r for r in after["runs"] if r[0] == "run-2" and r[1] == "sever"]
    assert len(failed) == 1 and failed[0][2] == "failed" and "private" in failed[0][3]
    assert after["quarantine"] == []

    # Readable again (access restored) with two new posts: the run resumes from message 109, no gap, no duplicate.
    messages = severny_vestnik_messages() + numbered_messages(2, start_id=110)
    back = FakeTelegramClient(messages)
    third = _run_all(
        warehouse, {"sever": back, "other": OtherChannelClient(other_messages(8), channel=OTHER)}, "run-3", slept
    )
    assert (third["sever"].status, third["sever"].new) == ("ok", 2)
    forward = [c.kwargs for c in back.calls if c.name == "fetch_messages" and c.kwargs["reverse"]]
    assert forward[0]["min_id"] == 109
    final = _state(warehouse_path)
    ids = [d[1] for d in final["documents"] if d[0] == "sever"]
    assert len(ids) == len(set(ids)) == 8 and final["cursors"]["sever"] == 111


def test_deleted_message_keeps_its_document_and_the_rerun_goes_on(warehouse_path: str, slept: list[float]) -> None:
    warehouse = Warehouse(warehouse_path)
    messages = severny_vestnik_messages()
    first = _run_all(
        warehouse,
        {"sever": FakeTelegramClient(messages), "other": OtherChannelClient(other_messages(3), channel=OTHER)},
        "run-1",
        slept,
    )
    assert first["sever"].new == 6
    before = {d[1]: d for d in _state(warehouse_path)["documents"]}

    # Between runs: 102 is deleted (inside the refresh window), 109 too (the newest, where the cursor is),
    # 107 is edited, and 110 is posted.
    by_id = {m.id: m for m in messages}
    remaining = [m for m in messages if m.id not in (102, 109)]
    remaining = [edited(m, "🚨 Отбой тревоги", BASE_DATE + timedelta(hours=2)) if m.id == 107 else m for m in remaining]
    remaining += numbered_messages(1, start_id=110)
    client = FakeTelegramClient(remaining)
    second = _run_all(
        warehouse,
        {"sever": client, "other": OtherChannelClient(other_messages(3), channel=OTHER)},
        "run-2",
        slept,
    )
    stats = second["sever"]
    assert (stats.status, stats.new, stats.updated, stats.errors) == ("ok", 1, 1, 0), stats
    after = {d[1]: d for d in _state(warehouse_path)["documents"]}
    for deleted in ("severny_vestnik:102", "severny_vestnik:109"):
        assert after[deleted] == before[deleted]  # kept as last seen: same revision, same version
    assert after["severny_vestnik:107"][2] == 2
    assert "severny_vestnik:110" in after
    state = _state(warehouse_path)
    assert state["cursors"]["sever"] == 110 and state["quarantine"] == []
    with read_only(warehouse_path) as con:
        kept = con.execute(
            "SELECT payload FROM raw_items WHERE external_id = 'severny_vestnik:102' AND item_kind <> 'service'"
        ).fetchall()
    assert [json.loads(p)["messages"][0]["message"] for (p,) in kept] == [by_id[102].message]
