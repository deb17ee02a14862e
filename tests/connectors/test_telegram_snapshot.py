"""The snapshot Telegram client (connectors/telegram_snapshot.py) and the bundled Telegram samples (issue 27).

A source with ``snapshot`` replays a recorded channel through the live client's code and Telethon's own iterators
(no credentials, no network); the bundled samples, run twice as the README's demo does, hold each thing a real
channel shows: an album, a forward from a channel, a hidden link, an edited post, a deleted post, a poll and a
comment thread.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telethon.tl.types import (
    Message,
    MessageMediaPoll,
    PeerChannel,
    Poll,
    PollAnswer,
    PollAnswerVoters,
    PollResults,
    TextWithEntities,
)

from connectors.telegram_snapshot import (
    ScriptedChannel,
    SnapshotError,
    load_snapshot,
    snapshot_json,
    tl_from_json,
    tl_to_json,
)
from telefeed.config import TelegramSource, load_sources
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.conftest import REPO_ROOT
from tests.support.fake_telegram import BASE_DATE, channel_entity
from tests.support.telegram_samples import FEATURES, FEATURES_SQL, sources_by_feature
from warehouse.db import Warehouse

SAMPLE_SOURCES = ["kyiv-pulse-export", "sever-vesti-web", "oskil-watch-api"]
CLOCK = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _poll_message() -> Message:
    answers = [PollAnswer(TextWithEntities("Так", []), b"\x00"), PollAnswer(TextWithEntities("Ні", []), b"\x01")]
    return Message(
        id=7,
        peer_id=PeerChannel(1),
        date=BASE_DATE,
        edit_date=BASE_DATE + timedelta(minutes=5),
        message="",
        media=MessageMediaPoll(
            poll=Poll(id=1, question=TextWithEntities("Питання?", []), answers=answers, hash=0),
            results=PollResults(results=[PollAnswerVoters(option=b"\x01", voters=3)], total_voters=3),
        ),
    )


def test_tl_objects_survive_a_snapshot_file_dates_and_option_bytes_included(tmp_path: Path) -> None:
    message = _poll_message()
    data = json.loads(json.dumps(tl_to_json(message)))  # through JSON text, as a file holds it
    back = tl_from_json(data)
    assert type(back) is type(message) and back.to_dict() == message.to_dict()
    assert back.media.poll.answers[1].option == b"\x01" and back.edit_date == message.edit_date
    channel = ScriptedChannel(channel_entity(1, "chan", "Chan"), [message], deleted={7})
    path = tmp_path / "chan.json"
    path.write_text(json.dumps(snapshot_json(channel)), encoding="utf-8")
    loaded = load_snapshot(path)
    assert loaded.deleted == {7} and loaded.entity.username == "chan"
    assert [m.to_dict() for m in loaded.messages] == [message.to_dict()]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"channel": {"_": "Chanel", "id": 1}}, "unknown TL type 'Chanel'"),
        ({"channel": {"_": "PeerChannel", "channel_id": 1, "colour": 2}}, "PeerChannel has no field(s) colour"),
        ({"messages": []}, "KeyError: 'channel'"),
    ],
)
def test_a_snapshot_that_cannot_be_replayed_names_the_file_and_the_fault(
    tmp_path: Path, body: dict[str, Any], error: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"bad\.json") as raised:
        load_snapshot(path)
    assert error in str(raised.value)


def _sample_sources() -> dict[str, Any]:
    return {s.name: s for s in load_sources(str(REPO_ROOT / "sources.toml")) if s.name in SAMPLE_SOURCES}


def _run(warehouse_path: str, sources: list[Any], clock: datetime, run_id: str) -> int:
    """One run of ``sources`` at ``clock`` with the default resources (no credentials): documents landed."""
    new = 0
    with Resources(now=lambda: clock, environ={}) as resources:
        for source in sources:
            stats = ingest_source(source, Warehouse(warehouse_path), run_id, None, resources)
            assert stats.status == "ok", (source.name, stats.error_message)
            new += stats.new
    return new


def _run_twice(warehouse_path: str, sources: list[Any]) -> None:
    """Two runs an hour apart, as the README's demo (``telefeed run``, then again), on a fixed clock."""
    _run(warehouse_path, sources, CLOCK, "run-1")
    _run(warehouse_path, sources, CLOCK + timedelta(hours=1), "run-2")


def test_the_sample_api_source_replays_posts_comments_and_a_deletion_without_credentials(
    warehouse_path: str,
) -> None:
    source = _sample_sources()["oskil-watch-api"]
    assert isinstance(source, TelegramSource) and source.snapshot and Path(source.snapshot).is_file()
    assert _run(warehouse_path, [source], CLOCK, "run-1") == 11  # 8 posts (one an album of 3) and 3 comments
    wh = Warehouse(warehouse_path)
    assert wh.query("select count(*) from telegram_deleted_posts").column(0)[0].as_py() == 0
    later = CLOCK + timedelta(hours=1)
    assert _run(warehouse_path, [source], later, "run-2") == 0
    kinds = wh.query("select kind, count(*) as n from documents group by kind order by kind").to_pylist()
    assert kinds == [{"kind": "comment", "n": 3}, {"kind": "post", "n": 8}]  # never a delete
    deleted = wh.query("select external_id, via, deleted_at, text from telegram_deleted_posts").to_pylist()
    assert [(d["external_id"], d["via"], d["deleted_at"]) for d in deleted] == [("oskil_watch:309", "api", later)]
    assert deleted[0]["text"].startswith("Неперевірена інформація")
    thread = wh.query(
        "select json_extract_string(metadata, '$.post_external_id') as post, count(*) as n from documents "
        "where kind = 'comment' group by 1"
    ).to_pylist()
    assert thread == [{"post": "oskil_watch:301", "n": 3}]


def test_after_the_demo_runs_the_samples_hold_each_thing_a_real_channel_shows(warehouse_path: str) -> None:
    _run_twice(warehouse_path, list(_sample_sources().values()))
    found = sources_by_feature(Warehouse(warehouse_path).query(FEATURES_SQL).to_pylist())
    assert set(found) == set(FEATURES), set(FEATURES) - set(found)
    assert all("oskil-watch-api" in sources for sources in found.values()), found  # the API path shows them all


def test_a_source_whose_snapshot_is_missing_fails_naming_the_file(tmp_path: Path, warehouse_path: str) -> None:
    source = TelegramSource(name="gone", kind="telegram", channel="oskil_watch", snapshot=str(tmp_path / "gone.json"))
    with Resources(now=lambda: CLOCK, environ={}) as resources:
        stats = ingest_source(source, Warehouse(warehouse_path), "run-1", None, resources)
    assert stats.status == "failed" and "gone.json" in (stats.error_message or "")
    assert "credentials" not in (stats.error_message or "")  # a snapshot source never asks for them
