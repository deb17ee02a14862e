"""RSS/Atom ingestion: conditional feed fetch, entry normalisation, article pages, language, landing with the
feed's validators, then story clustering of the new documents.

Pages are fetched for entries that have no document yet, and again for stored entries whose page an earlier
run could not get for a transient reason (``metadata.page_retry``), so a no-change rerun adds no page fetches.
"""

from __future__ import annotations

from datetime import datetime

from connectors.http import AnyUrlFetcher, FetchLimits
from connectors.pages import ArchivePageFetcher, HttpPageFetcher, PageFetcher, PageLimits, page_raw_payload
from connectors.rss import read_feed
from extraction.article import ExtractionError, apply_article, extract_article_bytes, mark_page_failure
from extraction.language import assign_language
from extraction.normalise import normalise_items
from telefeed.config import RssSource
from telefeed.models import Cursor, Document, LandBatch, RawItem, utc_now
from telefeed.pipeline import SourceStats, Window, register
from telefeed.resources import Resources
from warehouse.articles import PAGE_ITEM_KIND, documents_to_refetch
from warehouse.db import Warehouse

BATCH_SIZE = 500


def limits_for(source: RssSource) -> FetchLimits:
    """Fetch limits from a source's ``http`` settings."""
    opts = source.http
    return FetchLimits(opts.timeout_seconds, opts.max_bytes, opts.retries, opts.backoff_seconds)


def page_fetcher_for(source: RssSource) -> PageFetcher:
    """The source's page archive when it has one, else the network (limits from the source's ``http``)."""
    opts = source.http
    if source.page_archive:
        return ArchivePageFetcher(source.page_archive, max_bytes=opts.max_bytes)
    return HttpPageFetcher(
        PageLimits(
            timeout_seconds=opts.timeout_seconds,
            max_bytes=opts.max_bytes,
            retries=opts.retries,
            backoff_seconds=opts.backoff_seconds,
        )
    )


def fetch_articles(
    source: RssSource, documents: list[Document], stats: SourceStats, fetcher: PageFetcher | None = None
) -> list[RawItem]:
    """Fetch the page of each document, make the page text its text; returns the ``article_page`` raw items.

    A page that fails (HTTP error, size cap, timeout, no main text) leaves the feed's text in place and
    records why in ``metadata.page_status`` / ``metadata.page_error``; the run goes on. Pages worth another try
    (timeouts, connection errors, 429/5xx, entries over ``max_pages_per_run``) get ``metadata.page_retry``
    until ``page_attempts`` fetches; ``metadata.page_attempts`` counts the fetches once one has failed.
    """
    with_url = [d for d in documents if d.url]
    todo = with_url[: source.max_pages_per_run]
    for doc in with_url[source.max_pages_per_run :]:
        reason = f"not fetched: max_pages_per_run ({source.max_pages_per_run}) reached"
        mark_page_failure(doc, "skipped", reason, retry=True)
    if not todo:
        return []
    try:
        fetcher = fetcher or page_fetcher_for(source)
    except (OSError, ValueError) as exc:  # e.g. a page archive without index.json: entries keep their summary
        for doc in todo:
            mark_page_failure(doc, "failed", f"page fetcher unavailable: {exc}")
        stats.record_error(f"page fetcher unavailable: {exc}")
        return []
    fetches = fetcher.fetch_many([d.url or "" for d in todo])
    raw: list[RawItem] = []
    for doc, fetch in zip(todo, fetches, strict=True):
        raw.append(RawItem(source.name, doc.external_id, PAGE_ITEM_KIND, page_raw_payload(fetch)))
        attempts = int(doc.metadata.get("page_attempts", 0)) + 1
        if not fetch.ok or attempts > 1:
            doc.metadata["page_attempts"] = attempts
        if not fetch.ok:
            retry = fetch.transient and attempts < source.page_attempts
            mark_page_failure(doc, "failed", fetch.error or "unknown error", fetch.status, retry=retry)
            stats.record_error(f"page {fetch.url}: {fetch.error}")
            continue
        try:
            article = extract_article_bytes(fetch.body, fetch.headers, fetch.final_url or fetch.url)
        except ExtractionError as exc:
            mark_page_failure(doc, "no_text", str(exc), fetch.status)
            stats.record_error(f"page {fetch.url}: {exc}")
            continue
        apply_article(doc, article, fetch.final_url, fetch.status)
    return raw


def _land_refetched_pages(
    source: RssSource, warehouse: Warehouse, run_id: str, stats: SourceStats, budget: int, started: datetime
) -> None:
    """Fetch again the pages earlier runs (documents last written before ``started``) marked ``page_retry``, at
    most ``budget``, and land the documents again (a page that arrives makes a new revision)."""
    if not source.fetch_pages:
        return
    documents = documents_to_refetch(warehouse, source.name, budget, written_before=started)
    if not documents:
        return
    page_items = fetch_articles(source, documents, stats)
    arrived = [d for d in documents if d.metadata.get("page_status") == "ok"]
    for doc in arrived:  # detect again on the page text, from the language the feed declared (as a new entry)
        doc.language = doc.metadata.pop("declared_language", doc.language)
    assign_language(arrived)
    stats.add_landing(warehouse.land(LandBatch(source=source.name, raw_items=page_items, documents=documents), run_id))


@register("rss")
def ingest_rss(
    source: RssSource,
    warehouse: Warehouse,
    run_id: str,
    stats: SourceStats,
    window: Window | None,
    resources: Resources,
) -> None:
    """Fetch one feed and land its entries; the feed's ETag/Last-Modified move with the last batch. Then fetch
    again the pages that earlier runs could not get (``page_retry``), within ``max_pages_per_run``."""
    started = utc_now()
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
        if not backfill:
            _land_refetched_pages(source, warehouse, run_id, stats, source.max_pages_per_run, started)
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
    page_items: list[RawItem] = []
    if source.fetch_pages and documents:
        # Known entries keep their stored article (their page is not refetched, their document not rewritten).
        known = warehouse.existing_external_ids(source.name, [d.external_id for d in documents])
        stats.skipped += sum(d.external_id in known for d in documents)
        documents = [d for d in documents if d.external_id not in known]
        page_items = fetch_articles(source, documents, stats)
    assign_language(documents)
    new_cursor = (
        None
        if backfill
        else Cursor(source=source.name, etag=feed.etag, last_modified=feed.last_modified, state=cursor.state)
    )
    raw = feed.raw_items + page_items
    count = max(len(raw), len(documents), len(quarantine), 1)
    with warehouse.session():  # everything is fetched: one open file for all the batches
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
    if not backfill:
        budget = source.max_pages_per_run - len(page_items)
        _land_refetched_pages(source, warehouse, run_id, stats, budget, started)
