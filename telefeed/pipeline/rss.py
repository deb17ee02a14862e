"""RSS/Atom ingestion: conditional feed fetch, entry normalisation, landing with the feed's validators."""

from __future__ import annotations

from connectors.http import AnyUrlFetcher, FetchLimits
from connectors.rss import read_feed
from extraction.normalise import normalise_items
from telefeed.config import RssSource
from telefeed.models import Cursor, LandBatch
from telefeed.pipeline import SourceStats, Window, register
from warehouse.db import Warehouse

BATCH_SIZE = 500


def limits_for(source: RssSource) -> FetchLimits:
    """Fetch limits from a source's ``http`` settings."""
    opts = source.http
    return FetchLimits(opts.timeout_seconds, opts.max_bytes, opts.retries, opts.backoff_seconds)


@register("rss")
def ingest_rss(source: RssSource, warehouse: Warehouse, run_id: str, stats: SourceStats, window: Window | None) -> None:
    """Fetch one feed and land its entries; the feed's ETag/Last-Modified move with the last batch."""
    cursor = warehouse.get_cursor(source.name)
    backfill = window is not None
    fetcher = AnyUrlFetcher()
    try:
        feed = read_feed(
            source.name,
            source.url,
            fetcher,
            etag=None if backfill else cursor.etag,
            last_modified=None if backfill else cursor.last_modified,
            limits=limits_for(source),
        )
    finally:
        fetcher.close()
    if feed.not_modified:
        stats.status = "not_modified"
        return
    if feed.bozo_reason:
        stats.record_error(f"ill-formed feed: {feed.bozo_reason}")
    documents, quarantine = normalise_items(feed.raw_items)
    quarantine = feed.quarantine + quarantine
    if window is not None:
        documents = [
            d
            for d in documents
            if d.published_at is None
            or (
                (window.since is None or d.published_at >= window.since)
                and (window.until is None or d.published_at < window.until)
            )
        ]
    stats.fetched += len(feed.raw_items) + len(feed.quarantine)
    new_cursor = (
        None
        if backfill
        else Cursor(source=source.name, etag=feed.etag, last_modified=feed.last_modified, state=cursor.state)
    )
    raw = feed.raw_items
    count = max(len(raw), len(documents), len(quarantine), 1)
    for start in range(0, count, BATCH_SIZE):
        is_last = start + BATCH_SIZE >= count
        batch = LandBatch(
            source=source.name,
            raw_items=raw[start : start + BATCH_SIZE],
            documents=documents[start : start + BATCH_SIZE],
            quarantine=quarantine[start : start + BATCH_SIZE],
            cursor=new_cursor if is_last else None,
        )
        stats.add_landing(warehouse.land(batch, run_id))
