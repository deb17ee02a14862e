"""Telegram ingestion: the API (Telethon), the public ``t.me/s`` preview and Telegram Desktop exports.

Each kind declares its contract (:data:`TELEGRAM`, :data:`TELEGRAM_PREVIEW`, :data:`TELEGRAM_EXPORT`): its raw
item kinds, one external id rule for all three and for comments (:func:`extraction.telegram.item_external_id`:
``<username or channel id>:<message id>``), its cursor fields and the date its backfill window filters on. The
three paths map raw items to ``kind="post"`` documents and land them through the shared
:func:`~telefeed.pipeline.contract.land_in_batches` with ``warehouse.telegram.land_posts`` (documents, raw items,
counter snapshots and the cursor in one transaction).

API (incremental, like a tap's replication key): the cursor's ``last_id`` is the highest message id landed;
messages are read oldest first in ``batch_size`` batches, each landed with the cursor that covers it.
``FloodWaitError``: waits up to ``max_flood_wait_seconds`` are slept (with the run's ``Resources.sleep``),
longer ones stop the channel with the cursor at the last landed batch (status ``partial``). The client is the
run's one client of the source's account (``Resources.telegram_client_for``), shared with its other sources.
Each forward run also re-reads by id the posts younger than ``resample_days`` that are due (counters, edits,
deletions) and, with ``comments = true``, the new comments of the posts it read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from connectors.http import AnyUrlFetcher, Fetcher
from connectors.pages import PageArchive
from connectors.telegram import (
    IDS_PER_CALL,
    ChannelRef,
    MessageWindow,
    TelegramClientProtocol,
    api_comment_items,
    api_raw_items,
    message_payload,
)
from connectors.telegram_export import read_export
from connectors.telegram_preview import PreviewPost, read_preview
from extraction.language import assign_language
from extraction.normalise import NormaliseError, normalise_items
from extraction.telegram import (
    API_ITEM,
    COMMENT_ITEM,
    EXPORT_ITEM,
    PREVIEW_ITEM,
    SERVICE_ITEM,
    channel_key,
    counter_snapshot,
    export_album_groups,
    export_date,
    item_external_id,
    item_message_ids,
    telegram_item_to_document,
    telegram_raw_item,
    username_from_url,
)
from telefeed.config import TelegramExportSource, TelegramPreviewSource, TelegramSource
from telefeed.models import Cursor, Document, LandBatch, LandResult, Quarantined, RawItem, utc_now
from telefeed.pipeline import SourceRun, SourceStats, Window, register
from telefeed.pipeline.contract import SourceContract, land_in_batches, past_window
from telefeed.retry import RetriesExhausted, Retry, RetryPolicy, retrying
from warehouse.db import Warehouse
from warehouse.telegram import (
    CachedChannel,
    StoredPost,
    comment_cursors,
    get_channel,
    land_posts,
    mark_deleted,
    posts_between,
    posts_to_resample,
    save_channel,
    stored_languages,
)

T = TypeVar("T")

log = logging.getLogger("telefeed.pipeline.telegram")

LAND_BATCH_SIZE = 200  # raw items per landing transaction
MAX_FLOOD_RETRIES = 5


def highest_message_id(items: Sequence[RawItem]) -> int | None:
    """The highest message id of Telegram raw items: what a cursor landed with them covers (None: no items)."""
    return max((i for item in items for i in item_message_ids(item.payload)), default=None)


# The three kinds' contracts. Their raw items share one external id rule; the cursor's ``last_id`` is the highest
# message id landed. A backfill window filters what each kind reads: Telethon messages, preview posts, export posts.
TELEGRAM = SourceContract(
    kind="telegram",
    item_kinds=(API_ITEM, SERVICE_ITEM, COMMENT_ITEM),
    external_id=item_external_id,
    cursor_fields=("last_id", "last_date", "state"),
    item_date=lambda message: getattr(message, "date", None),
)
TELEGRAM_PREVIEW = SourceContract(
    kind="telegram_preview",
    item_kinds=(PREVIEW_ITEM, SERVICE_ITEM),
    external_id=item_external_id,
    cursor_fields=("last_id", "state"),
    item_date=lambda post: post.date,
)
TELEGRAM_EXPORT = SourceContract(
    kind="telegram_export",
    item_kinds=(EXPORT_ITEM, SERVICE_ITEM),
    external_id=item_external_id,
    cursor_fields=("last_id", "last_date"),
    item_date=lambda messages: export_date(messages[0]),
)


class FloodStop(Exception):
    """Telegram asked for a wait longer than the source allows; the channel stops for this run."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"flood wait of {seconds}s")
        self.seconds = seconds


def _call(source: TelegramSource, sleep: Callable[[float], None], action: Callable[[], Any]) -> Any:
    """Run one API call, sleeping (with ``sleep``) through flood waits up to the source's cap."""
    from telethon.errors import FloodWaitError

    def attempt(_: int) -> Any:
        try:
            return action()
        except FloodWaitError as exc:
            seconds = int(getattr(exc, "seconds", 0) or 0)
            log.info("%s: Telegram flood wait of %ss", source.name, seconds)
            raise Retry(f"flood wait of {seconds}s", after=seconds) from None

    policy = RetryPolicy(attempts=MAX_FLOOD_RETRIES + 1, max_retry_after_seconds=source.max_flood_wait_seconds)
    try:
        return retrying(policy, attempt, sleep=lambda seconds: sleep(seconds))
    except RetriesExhausted as exc:
        raise FloodStop(int(exc.after or 0)) from None


# -- landing shared by the three paths -----------------------------------------------------------------------


def _land_items(
    source_name: str,
    warehouse: Warehouse,
    run_id: str,
    stats: SourceStats,
    items: Sequence[RawItem],
    observed_at: datetime,
    cursor: Cursor | None = None,
    cursor_for: Callable[[LandBatch], Cursor | None] | None = None,
    quarantine: Sequence[Quarantined] = (),
    every_snapshot: bool = False,
) -> None:
    """Land raw items (oldest first) with the shared batch loop (:func:`land_in_batches`): in each batch the post
    items are normalised and land with the service items, counter snapshots and the cursor in one transaction.

    ``cursor`` moves with the last batch, ``cursor_for(batch)`` with each batch. ``every_snapshot``: a counters
    row for every post, changed or not (re-sampling records each look)."""

    def land(part: LandBatch) -> LandResult:
        posts = [i for i in part.raw_items if i.item_kind != SERVICE_ITEM]
        documents, failed = normalise_items(posts, mapper=telegram_item_to_document)
        _assign_languages(warehouse, documents)
        snapshots = [
            c for c in (counter_snapshot(d, observed_at) for d in documents if d.kind == "post") if c is not None
        ]
        part.documents, part.quarantine = documents, [*part.quarantine, *failed]
        return land_posts(warehouse, part, snapshots, run_id, every_snapshot).result

    batch = LandBatch(source_name, list(items), quarantine=list(quarantine), cursor=cursor)
    land_in_batches(warehouse, batch, run_id, stats, LAND_BATCH_SIZE, land=land, cursor_for=cursor_for)


def _assign_languages(warehouse: Warehouse, documents: Sequence[Document]) -> None:
    """A post whose text is stored unchanged keeps its stored language; only the others go to the detector.

    Every run re-reads the newest posts (edits, counters): on a quiet channel this spares loading the language
    models (hundreds of MB, seconds) for text that was already identified.
    """
    stored = stored_languages(warehouse, [d.id for d in documents])
    fresh: list[Document] = []
    for document in documents:
        known = stored.get(document.id)
        if known is not None and known[0] == document.content_hash:
            document.language = known[1]
        else:
            fresh.append(document)
    assign_language(fresh)


# -- API (Telethon) ------------------------------------------------------------------------------------------


def channel_cache_key(channel: str) -> str:
    """How a configured channel is keyed in ``telegram_channels`` (lowercased username, or the id)."""
    username = username_from_url(channel)
    return username.lower() if username else channel.strip()


def resolve_channel(
    source: TelegramSource, client: TelegramClientProtocol, warehouse: Warehouse, sleep: Callable[[float], None]
) -> ChannelRef:
    """The channel from the warehouse cache, else resolved once through the API and cached."""
    key = channel_cache_key(source.channel)
    cached = get_channel(warehouse, key)
    if cached is not None:
        return ChannelRef(cached.channel_id, cached.access_hash, cached.username, cached.title)
    target = username_from_url(source.channel) or source.channel.strip()
    ref: ChannelRef = _call(source, sleep, lambda: client.resolve_channel(target))
    save_channel(warehouse, key, CachedChannel(ref.channel_id, ref.access_hash, ref.username, ref.title))
    return ref


class _ApiLander:
    """One API source's run on one channel: its calls (with the flood-wait rule), and the landing of what it
    reads (Telethon messages become raw items in ``connectors.telegram``)."""

    def __init__(self, run: SourceRun[TelegramSource], channel: ChannelRef, client: TelegramClientProtocol) -> None:
        self.source = run.source
        self.channel = channel
        self.client = client
        self.warehouse = run.warehouse
        self.run_id = run.run_id
        self.stats = run.stats
        self.resources = run.resources
        self.username = channel.username or username_from_url(run.source.channel)
        # post external id -> (message id, replies.max_id) of posts whose discussion thread has comments
        self.threads: dict[str, tuple[int, int]] = {}

    def call(self, action: Callable[[], T]) -> T:
        """One API call under the source's flood-wait rule."""
        result: T = _call(self.source, self.resources.sleep, action)
        return result

    def _download(self, message: Any) -> str | None:
        if not self.source.download_media or not self.source.media_dir or getattr(message, "media", None) is None:
            return None
        if type(getattr(message, "media", None)).__name__ == "MessageMediaWebPage":
            return None
        folder = Path(self.source.media_dir) / channel_key(self.username, self.channel.channel_id)
        existing = sorted(folder.glob(f"{message.id}.*"))
        if existing:
            return str(existing[0])
        try:
            return self.call(lambda: self.client.download_media(message, str(folder / str(message.id))))
        except FloodStop:
            raise
        except Exception as exc:  # a failed download must not lose the post: it lands without local_path
            self.stats.record_error(f"media download failed for message {message.id}: {type(exc).__name__}: {exc}")
            return None

    def land(self, messages: Sequence[Any], move_cursor: bool = False, resampled: bool = False) -> None:
        """Land messages (oldest first); albums become one raw item and one document. ``move_cursor``: each
        landing batch moves the cursor to its highest message id (forward reading).

        ``resampled``: a by-id re-read, whose counters are recorded even when unchanged."""
        if not messages:
            return
        fetched_at = self.resources.now()
        payloads = []
        for message in messages:
            payload = message_payload(message)
            local = self._download(message)
            if local and isinstance(payload.get("media"), dict):
                payload["media"]["local_path"] = local
            payloads.append(payload)
        items = api_raw_items(self.source.name, self.channel, self.username, payloads, fetched_at)
        if self.source.comments:
            self._note_threads(items.posts)
        self.stats.fetched += len(messages)
        dates = {int(m.id): getattr(m, "date", None) for m in messages}
        _land_items(
            self.source.name,
            self.warehouse,
            self.run_id,
            self.stats,
            sorted([*items.posts, *items.services], key=lambda item: item_message_ids(item.payload)[0]),
            fetched_at,
            cursor_for=(lambda part: self.cursor_covering(part, dates)) if move_cursor else None,
            every_snapshot=resampled,
        )

    def _note_threads(self, posts: Sequence[RawItem]) -> None:
        for item in posts:
            replies = item.payload["messages"][0].get("replies") or {}
            if replies.get("comments") and replies.get("max_id"):
                self.threads[item.external_id] = (int(item.payload["messages"][0]["id"]), int(replies["max_id"]))

    def cursor_covering(self, batch: LandBatch, dates: Mapping[int, datetime | None]) -> Cursor | None:
        """The forward cursor covering a landing batch of raw items: its highest message id (and that message's
        date from ``dates``, by id)."""
        top = highest_message_id(batch.raw_items)
        if top is None:
            return None
        return TELEGRAM.cursor(
            self.source.name, last_id=top, last_date=dates.get(top), state={"channel_id": self.channel.channel_id}
        )


def _trailing_album(messages: Sequence[Any]) -> list[Any]:
    """The messages at the end of a batch that belong to one album (it may continue in the next batch)."""
    if not messages:
        return []
    gid = getattr(messages[-1], "grouped_id", None)
    if gid is None:
        return []
    tail = []
    for message in reversed(messages):
        if getattr(message, "grouped_id", None) != gid:
            break
        tail.append(message)
    return list(reversed(tail))


def _read_forward(lander: _ApiLander, min_id: int, offset_date: datetime | None, window: Window | None = None) -> None:
    """Read oldest first from ``min_id``/``offset_date`` in batches, landing each batch as it arrives; forward
    reading moves the cursor, a backfill ``window`` keeps the messages it holds and stops past its end."""
    carry: list[Any] = []
    limit = lander.source.batch_size
    client, channel = lander.client, lander.channel
    while True:
        batch = lander.call(
            lambda low=min_id, after=offset_date: client.fetch_messages(  # type: ignore[misc]
                channel, MessageWindow(limit, min_id=low, offset_date=after, reverse=True)
            ),
        )
        batch = sorted(batch, key=lambda m: int(m.id))
        if not batch:
            break
        offset_date = None
        min_id = int(batch[-1].id)
        done = len(batch) < limit or any(past_window(TELEGRAM.item_date(m), window) for m in batch)
        messages = carry + TELEGRAM.in_window(batch, window)
        carry = [] if done else _trailing_album(messages)
        ready = messages[: len(messages) - len(carry)]
        lander.land(ready, move_cursor=window is None)
        if done:
            break
    lander.land(carry, move_cursor=window is None)


def _first_run_start(lander: _ApiLander, now: datetime) -> tuple[int, datetime | None]:
    """Where a channel's first run starts: the newest ``lookback_messages``, else ``lookback_days`` back."""
    source, client, channel = lander.source, lander.client, lander.channel
    if source.lookback_messages:
        count = source.lookback_messages
        newest = lander.call(lambda: client.fetch_messages(channel, MessageWindow(count, reverse=False)))
        if not newest:
            return 0, None
        return min(int(m.id) for m in newest) - 1, None
    if source.lookback_days is not None:
        return 0, now - timedelta(days=source.lookback_days)
    return 0, None


def _refresh_recent(lander: _ApiLander, last_id: int) -> None:
    """Re-read the newest landed posts: edits land new revisions, counters land snapshots; cursor unchanged."""
    count, client, channel = lander.source.refresh_messages, lander.client, lander.channel
    recent = lander.call(
        lambda: client.fetch_messages(channel, MessageWindow(count, max_id=last_id + 1, reverse=False))
    )
    recent = sorted(recent, key=lambda m: int(m.id))
    if len(recent) == count and recent and getattr(recent[0], "grouped_id", None) is not None:
        gid = recent[0].grouped_id
        recent = [m for m in recent if getattr(m, "grouped_id", None) != gid]  # album cut by the limit
    if recent:
        lander.land(recent)


def _resample(lander: _ApiLander, now: datetime) -> None:
    """Re-read by id the posts younger than ``resample_days`` that are due (see :func:`posts_to_resample`).

    Counters that changed land as snapshots, edits as revisions; a post none of whose messages come back was
    deleted by the channel: it gets a tombstone (``telegram_tombstones``), its rows stay.
    """
    source = lander.source
    if not source.resample_days or not source.resample_max_posts:
        return
    due = posts_to_resample(
        lander.warehouse,
        source.name,
        published_after=now - timedelta(days=source.resample_days),
        observed_before=now - timedelta(minutes=source.resample_interval_minutes),
        limit=source.resample_max_posts,
    )
    for chunk in _id_chunks(due, IDS_PER_CALL):
        ids = [i for post in chunk for i in post.message_ids]
        found = lander.call(lambda ids=ids: lander.client.fetch_by_ids(lander.channel, ids))  # type: ignore[misc]
        by_id = {int(m.id): m for m in found if m is not None}
        alive = [by_id[i] for i in ids if i in by_id]
        gone = [post for post in chunk if not any(i in by_id for i in post.message_ids)]
        if alive:
            lander.land(sorted(alive, key=lambda m: int(m.id)), resampled=True)
        if gone:
            marked = mark_deleted(lander.warehouse, [replace(p, deleted_at=now) for p in gone], "api", lander.run_id)
            log.info("%s: %d posts deleted by the channel", source.name, marked)


def _id_chunks(posts: Sequence[StoredPost], size: int) -> list[list[StoredPost]]:
    """Posts packed into chunks of at most ``size`` message ids (an album's ids stay in one chunk)."""
    chunks: list[list[StoredPost]] = []
    count = 0
    for post in posts:
        if not chunks or count + len(post.message_ids) > size:
            chunks.append([])
            count = 0
        chunks[-1].append(post)
        count += len(post.message_ids)
    return chunks


def _read_comments(lander: _ApiLander) -> None:
    """Land the new comments of the posts this run read whose thread grew (opt-in ``comments = true``).

    Each thread's cursor is the highest comment id landed for it: only threads whose ``replies.max_id`` is above
    it are read, from there on, in ``batch_size`` pages.
    """
    if not lander.threads:
        return
    landed = comment_cursors(lander.warehouse, lander.source.name, list(lander.threads))
    for thread, (post_id, max_id) in sorted(lander.threads.items(), key=lambda t: t[1][0]):
        low = landed.get(thread, 0)
        while low < max_id:
            page = lander.call(
                lambda post_id=post_id, low=low: lander.client.fetch_replies(  # type: ignore[misc]
                    lander.channel, post_id, min_id=low, limit=lander.source.batch_size
                )
            )
            page = sorted((m for m in page if int(m.id) > low), key=lambda m: int(m.id))
            if not page:
                break
            fetched_at = lander.resources.now()
            payloads = [message_payload(m) for m in page]
            items = api_comment_items(
                lander.source.name, lander.channel, lander.username, thread, post_id, payloads, fetched_at
            )
            lander.stats.fetched += len(page)
            _land_items(lander.source.name, lander.warehouse, lander.run_id, lander.stats, items, fetched_at)
            low = int(page[-1].id)


@register(TELEGRAM.kind)
def ingest_telegram(run: SourceRun[TelegramSource]) -> None:
    """Read one channel through the API: forward from the cursor, or the backfill ``window``.

    The client is the run's shared client of the source's account (``resources``); it stays open for the
    account's other sources.
    """
    source, warehouse, stats, window, resources = run.source, run.warehouse, run.stats, run.window, run.resources
    client = resources.telegram_client_for(source)
    try:
        channel = resolve_channel(source, client, warehouse, resources.sleep)
        lander = _ApiLander(run, channel, client)
        cursor = warehouse.get_cursor(source.name)
        now = resources.now()
        if window is not None:
            start = window.since - timedelta(seconds=1) if window.since is not None else None
            _read_forward(lander, 0, start, window)
        else:
            if cursor.last_id is not None:
                if source.refresh_messages:
                    _refresh_recent(lander, cursor.last_id)
                _resample(lander, now)
                min_id, offset_date = cursor.last_id, None
            else:
                min_id, offset_date = _first_run_start(lander, now)
            _read_forward(lander, min_id, offset_date)
        _read_comments(lander)
    except FloodStop as stop:
        landed = warehouse.get_cursor(source.name).last_id
        stats.record_error(
            f"FloodWaitError: Telegram asked to wait {stop.seconds}s, over max_flood_wait_seconds="
            f"{source.max_flood_wait_seconds}; stopped this channel with the cursor at message {landed} "
            "(the next run resumes from there)"
        )


# -- t.me/s preview ------------------------------------------------------------------------------------------


def _preview_item(source: str, username: str, title: str | None, post: PreviewPost, fetched_at: datetime) -> RawItem:
    payload = {"channel": {"username": username, "title": title}, "post_id": post.post_id, "html": post.html}
    kind = SERVICE_ITEM if post.service else PREVIEW_ITEM
    return telegram_raw_item(source, kind, payload, fetched_at)


@register(TELEGRAM_PREVIEW.kind)
def ingest_telegram_preview(run: SourceRun[TelegramPreviewSource]) -> None:
    """Walk ``t.me/s/<channel>`` backwards down to the cursor (or the window start) and land the posts."""
    source, warehouse, run_id, stats, window = run.source, run.warehouse, run.run_id, run.stats, run.window
    username = (username_from_url(source.channel) or source.channel).lower()
    cursor = warehouse.get_cursor(source.name)
    fetcher: Fetcher = PageArchive(source.page_archive) if source.page_archive else AnyUrlFetcher()
    try:
        read = read_preview(
            username,
            source.base_url,
            fetcher,
            stop_at_id=None if window is not None else cursor.last_id,
            since=window.since if window is not None else None,
            max_pages=source.max_pages,
            limits=source.http,
        )
    finally:
        close = getattr(fetcher, "close", None)
        if close is not None:
            close()
    if read.error:
        stats.record_error(f"stopped paging: {read.error}")
    if read.stopped_by_max_pages and window is None and cursor.last_id is not None:
        oldest = read.posts[0].post_id if read.posts else None
        stats.record_error(
            f"max_pages={source.max_pages} reached before the cursor (message {cursor.last_id}); posts between "
            f"{cursor.last_id} and {oldest} not read yet, cursor kept: raise max_pages or run a backfill"
        )
    # The cursor moves only when the walk reached the old cursor (or, on a first run, ended without an
    # error): otherwise posts between the cursor and the oldest page read would never be asked for again.
    move_cursor = window is None and read.error is None and (read.reached_floor or cursor.last_id is None)
    fetched_at = utc_now()
    items = [
        _preview_item(source.name, username, read.channel_title, p, fetched_at)
        for p in TELEGRAM_PREVIEW.in_window(read.posts, window)
    ]
    stats.fetched += len(items)
    if read.error is None:
        _mark_missing_previews(source.name, warehouse, items, run.resources.now(), run_id)

    def cursor_for(batch: LandBatch) -> Cursor | None:  # posts are oldest first: the batch's newest covers it
        top = highest_message_id(batch.raw_items)
        if top is None:
            return None
        return TELEGRAM_PREVIEW.cursor(source.name, last_id=max(top, cursor.last_id or 0), state=cursor.state)

    _land_items(
        source.name, warehouse, run_id, stats, items, fetched_at, cursor_for=cursor_for if move_cursor else None
    )


def _mark_missing_previews(
    source: str, warehouse: Warehouse, items: Sequence[RawItem], now: datetime, run_id: str
) -> None:
    """Tombstone the landed posts that the pages just read no longer show between their oldest and newest post.

    The walk reads consecutive pages, so every post still in the channel between those two ids was on them.
    """
    seen = {i.external_id for i in items}
    ids = [i for item in items for i in item_message_ids(item.payload)]
    if len(ids) < 2:
        return
    gone = [
        replace(p, deleted_at=now)
        for p in posts_between(warehouse, source, min(ids), max(ids))
        if p.external_id not in seen
    ]
    if gone:
        log.info("%s: %d posts deleted by the channel", source, mark_deleted(warehouse, gone, "preview", run_id))


# -- Telegram Desktop export ---------------------------------------------------------------------------------


def _export_item(
    source: str, channel: Mapping[str, Any], group: Sequence[Mapping[str, Any]], fetched_at: datetime
) -> RawItem:
    """The raw item of one export post (an album's messages) or service message."""
    if group[0].get("type") == "service":
        payload: dict[str, Any] = {"channel": channel, "message": group[0]}
    else:
        payload = {"channel": channel, "messages": list(group)}
    kind = SERVICE_ITEM if "message" in payload else EXPORT_ITEM
    return telegram_raw_item(source, kind, payload, fetched_at)


@register(TELEGRAM_EXPORT.kind)
def ingest_telegram_export(run: SourceRun[TelegramExportSource]) -> None:
    """Import an export folder (a backfill by nature: reruns and newer exports only add what changed)."""
    source, warehouse, run_id, stats, window = run.source, run.warehouse, run.run_id, run.stats, run.window
    export = read_export(source.name, source.path, chat=source.chat)
    username = username_from_url(source.channel) if source.channel else None
    channel_id = export.channel.get("id")
    if username is None and not isinstance(channel_id, int):
        raise NormaliseError(f"{export.path}: the export has no channel id; set `channel` on source {source.name}")
    channel = {"id": channel_id, "name": export.channel.get("name"), "username": username}
    fetched_at = utc_now()
    groups = export_album_groups(export.messages)
    if window is not None:  # a backfill lands the posts of its window, and no service messages
        groups = TELEGRAM_EXPORT.in_window([g for g in groups if g[0].get("type") != "service"], window)
    items = [_export_item(source.name, channel, group, fetched_at) for group in groups]
    stats.fetched += len(export.messages) + len(export.quarantine)
    last_id = max((int(m["id"]) for m in export.messages), default=None)
    cursor = None
    if window is None and last_id is not None:  # the whole export is read: its cursor moves with the last batch
        cursor = TELEGRAM_EXPORT.cursor(source.name, last_id=last_id, last_date=export.exported_at)
    observed = export.exported_at or fetched_at
    _land_items(source.name, warehouse, run_id, stats, items, observed, cursor, quarantine=export.quarantine)
