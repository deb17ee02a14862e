"""Warehouse helpers for Telegram sources: channel cache, revision-aware landing, counter snapshots.

A post seen again lands a new document revision (and a new raw version) only when its content changed
(``metadata.revision_key``); counters that merely grew land as a snapshot row instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from telefeed.models import LandBatch, LandResult
from warehouse.db import Warehouse, land_in_transaction, raw_items_stored
from warehouse.tables import TELEGRAM_COUNTER_SNAPSHOTS, TELEGRAM_TOMBSTONES

SNAPSHOT_SCHEMA = TELEGRAM_COUNTER_SNAPSHOTS.landing_schema
_COUNTER_COLUMNS = ("views", "forwards", "replies", "reactions")


@dataclass(slots=True)
class CachedChannel:
    """A row of ``telegram_channels``."""

    channel_id: int
    access_hash: int | None
    username: str | None
    title: str | None


@dataclass(slots=True)
class TelegramLandResult:
    """What a Telegram landing did beyond :class:`LandResult`."""

    result: LandResult
    unchanged: int = 0  # posts seen again with the same content (not re-landed)
    snapshots: int = 0  # counter snapshot rows written


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A landed post as re-reads see it: its document, channel and message ids (an album has several)."""

    source: str
    external_id: str
    document_id: str
    channel_id: int | None
    message_ids: list[int]
    deleted_at: datetime | None = None  # set when a re-read found it gone

    @property
    def message_id(self) -> int:
        """The post's id (its first message's)."""
        return self.message_ids[0]


_LIVE_POSTS = """
    SELECT d.source, d.external_id, d.id, CAST(json_extract(d.metadata, '$.channel_id') AS BIGINT),
           CAST(json_extract(d.metadata, '$.message_ids') AS BIGINT[]), d.published_at
    FROM documents d
    WHERE d.source = ? AND d.kind = 'post'
      AND NOT EXISTS (SELECT 1 FROM telegram_tombstones t WHERE t.source = d.source AND t.external_id = d.external_id)
"""


def _stored_post(row: Sequence[Any]) -> StoredPost:
    ids = [int(i) for i in (row[4] or [])] or [int(str(row[1]).rsplit(":", 1)[1])]
    return StoredPost(row[0], row[1], row[2], row[3], ids)


def posts_to_resample(
    warehouse: Warehouse, source: str, published_after: datetime, observed_before: datetime, limit: int
) -> list[StoredPost]:
    """Live posts of ``source`` published after ``published_after`` whose counters were last seen before
    ``observed_before`` (or never), least recently seen first, at most ``limit``: each run re-reads the share
    that is due, so a channel's re-reads spread over runs."""
    with warehouse.peek() as con:
        rows = con.execute(
            f"""
            WITH live AS ({_LIVE_POSTS} AND d.published_at >= ?),
            seen AS (
                SELECT document_id, max(observed_at) AS observed_at FROM telegram_counter_snapshots
                WHERE source = ? GROUP BY document_id
            )
            SELECT live.* EXCLUDE (published_at) FROM live LEFT JOIN seen ON seen.document_id = live.id
            WHERE coalesce(seen.observed_at, live.published_at) < ?
            ORDER BY coalesce(seen.observed_at, live.published_at), live.external_id
            LIMIT ?
            """,
            [source, published_after, source, observed_before, limit],
        ).fetchall()
    return [_stored_post(r) for r in rows]


def posts_between(warehouse: Warehouse, source: str, low_id: int, high_id: int) -> list[StoredPost]:
    """Live posts of ``source`` whose id is in ``[low_id, high_id]``."""
    with warehouse.peek() as con:
        rows = con.execute(
            f"SELECT * EXCLUDE (published_at) FROM ({_LIVE_POSTS}) "
            "WHERE CAST(split_part(external_id, ':', -1) AS BIGINT) BETWEEN ? AND ? ORDER BY external_id",
            [source, low_id, high_id],
        ).fetchall()
    return [_stored_post(r) for r in rows]


def mark_deleted(warehouse: Warehouse, posts: Sequence[StoredPost], via: str, run_id: str | None) -> int:
    """Write a tombstone for each post not already marked (its documents and raw items stay); how many."""
    if not posts:
        return 0
    rows = {
        "source": [p.source for p in posts],
        "external_id": [p.external_id for p in posts],
        "document_id": [p.document_id for p in posts],
        "channel_id": [p.channel_id for p in posts],
        "message_id": [p.message_id for p in posts],
        "deleted_at": [p.deleted_at for p in posts],
        "via": [via] * len(posts),
        "run_id": [run_id] * len(posts),
    }
    table = pa.table(rows, schema=TELEGRAM_TOMBSTONES.landing_schema)

    def work(con: duckdb.DuckDBPyConnection) -> int:
        con.register("_tg_tombstones", table)
        try:
            new = con.execute(
                "SELECT n.* FROM _tg_tombstones n WHERE NOT EXISTS (SELECT 1 FROM telegram_tombstones t "
                f"WHERE {TELEGRAM_TOMBSTONES.key_match('t', 'n')})"
            ).fetch_arrow_table()
            if new.num_rows:
                con.register("_tg_tombstones_new", new)
                con.execute("INSERT INTO telegram_tombstones SELECT * FROM _tg_tombstones_new")
                con.unregister("_tg_tombstones_new")
            return int(new.num_rows)
        finally:
            con.unregister("_tg_tombstones")

    return warehouse.run_in_transaction(work)


def comment_cursors(warehouse: Warehouse, source: str, post_external_ids: Sequence[str]) -> dict[str, int]:
    """``post external id -> highest comment id landed`` for the posts that have landed comments."""
    rows = warehouse.peek_for_keys(
        post_external_ids,
        "SELECT k.key, max(CAST(json_extract(d.metadata, '$.comment_id') AS BIGINT)) FROM documents d "
        "JOIN _keys k ON k.key = json_extract_string(d.metadata, '$.post_external_id') "
        "WHERE d.source = ? AND d.kind = 'comment' GROUP BY 1",
        [source],
    )
    return {r[0]: int(r[1]) for r in rows}


def get_channel(warehouse: Warehouse, channel_key: str) -> CachedChannel | None:
    """The cached resolution of a configured channel, if any."""
    with warehouse.peek() as con:
        row = con.execute(
            "SELECT channel_id, access_hash, username, title FROM telegram_channels WHERE channel_key = ?",
            [channel_key],
        ).fetchone()
    return CachedChannel(int(row[0]), row[1], row[2], row[3]) if row else None


def stored_languages(warehouse: Warehouse, document_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``id -> (content_hash, language)`` of the stored documents among ``document_ids`` that have a language."""
    rows = warehouse.peek_for_keys(
        document_ids,
        "SELECT d.id, d.content_hash, d.language FROM documents d JOIN _keys k ON k.key = d.id "
        "WHERE d.language IS NOT NULL",
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def save_channel(warehouse: Warehouse, channel_key: str, channel: CachedChannel) -> None:
    """Store (replace) the resolution of a configured channel."""

    def work(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("DELETE FROM telegram_channels WHERE channel_key = ?", [channel_key])
        con.execute(
            "INSERT INTO telegram_channels VALUES (?, ?, ?, ?, ?, now())",
            [channel_key, channel.channel_id, channel.access_hash, channel.username, channel.title],
        )

    warehouse.run_in_transaction(work)


def _stored_revision_keys(con: duckdb.DuckDBPyConnection, source: str, external_ids: list[str]) -> dict[str, str]:
    if not external_ids:
        return {}
    con.register("_tg_ids", pa.table({"external_id": external_ids}))
    rows = con.execute(
        "SELECT d.external_id, json_extract_string(d.metadata, '$.revision_key') FROM documents d "
        "JOIN _tg_ids i USING (external_id) WHERE d.source = ?",
        [source],
    ).fetchall()
    con.unregister("_tg_ids")
    return {r[0]: r[1] for r in rows}


def _changed_snapshots(
    con: duckdb.DuckDBPyConnection, snapshots: Sequence[dict[str, Any]], run_id: str | None
) -> pa.Table:
    """Snapshot rows whose counters differ from the latest stored snapshot of the same post."""
    rows: dict[str, list[Any]] = {name: [] for name in SNAPSHOT_SCHEMA.names}
    if snapshots:
        source = snapshots[0]["source"]
        con.register("_tg_snap_ids", pa.table({"external_id": [s["external_id"] for s in snapshots]}))
        latest = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT s.external_id, s.views, s.forwards, s.replies, s.reactions::VARCHAR "
                "FROM telegram_counter_snapshots s JOIN _tg_snap_ids i USING (external_id) WHERE s.source = ? "
                "QUALIFY row_number() OVER (PARTITION BY s.external_id ORDER BY s.observed_at DESC) = 1",
                [source],
            ).fetchall()
        }
        con.unregister("_tg_snap_ids")
        for snap in snapshots:
            counters = tuple(snap.get(c) for c in _COUNTER_COLUMNS)
            previous = latest.get(snap["external_id"])
            if previous is not None:
                stored_reactions = json.loads(previous[3]) if previous[3] else None
                new_reactions = json.loads(counters[3]) if counters[3] else None
                if tuple(previous[:3]) == counters[:3] and stored_reactions == new_reactions:
                    continue
            latest[snap["external_id"]] = counters
            for name in SNAPSHOT_SCHEMA.names:
                rows[name].append(run_id if name == "run_id" else snap.get(name))
    return pa.table(rows, schema=SNAPSHOT_SCHEMA)


def _snapshot_table(snapshots: Sequence[dict[str, Any]], run_id: str | None) -> pa.Table:
    rows = {name: [run_id if name == "run_id" else s.get(name) for s in snapshots] for name in SNAPSHOT_SCHEMA.names}
    return pa.table(rows, schema=SNAPSHOT_SCHEMA)


def _without_unchanged(con: duckdb.DuckDBPyConnection, batch: LandBatch) -> tuple[LandBatch, int]:
    """``batch`` without the posts (and their raw items) whose stored ``revision_key`` is the new one; how many."""
    stored = _stored_revision_keys(con, batch.source, [d.external_id for d in batch.documents])
    unchanged = {d.external_id for d in batch.documents if stored.get(d.external_id) == d.metadata.get("revision_key")}
    filtered = LandBatch(
        source=batch.source,
        raw_items=[r for r in batch.raw_items if r.external_id not in unchanged],
        documents=[d for d in batch.documents if d.external_id not in unchanged],
        quarantine=batch.quarantine,
        cursor=batch.cursor,
    )
    return filtered, len(unchanged)


def land_posts(
    warehouse: Warehouse,
    batch: LandBatch,
    snapshots: Sequence[dict[str, Any]],
    run_id: str | None = None,
    every_snapshot: bool = False,
) -> TelegramLandResult:
    """Land a batch of post documents, their raw items, counter snapshots and the cursor in one transaction.

    Documents whose stored ``revision_key`` equals the new one are dropped with their raw items (their
    counters go to ``telegram_counter_snapshots`` when they changed), so reruns add no rows and an edit
    adds a revision. A batch without a cursor (the re-read of the newest posts) is checked on a read
    connection first: when nothing in it changed, no write transaction (nor the Prefect write slot) is taken.
    ``every_snapshot``: write every snapshot, changed or not (a re-sample records that it looked).
    """
    if batch.cursor is None and not every_snapshot:
        with warehouse.peek() as con:
            filtered, unchanged = _without_unchanged(con, batch)
            idle = not (filtered.documents or filtered.quarantine) and raw_items_stored(con, filtered.raw_items)
            if idle and _changed_snapshots(con, snapshots, run_id).num_rows == 0:
                return TelegramLandResult(result=LandResult(documents_unchanged=unchanged), unchanged=unchanged)

    def work(con: duckdb.DuckDBPyConnection) -> TelegramLandResult:
        filtered, unchanged = _without_unchanged(con, batch)
        result = land_in_transaction(con, filtered, run_id)
        table = _snapshot_table(snapshots, run_id) if every_snapshot else _changed_snapshots(con, snapshots, run_id)
        if table.num_rows:
            con.register("_tg_snaps", table)
            con.execute("INSERT INTO telegram_counter_snapshots SELECT * FROM _tg_snaps")
            con.unregister("_tg_snaps")
        result.documents_unchanged += unchanged
        return TelegramLandResult(result=result, unchanged=unchanged, snapshots=table.num_rows)

    return warehouse.run_in_transaction(work)
