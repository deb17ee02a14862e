"""RSS/Atom ingestion: conditional feed fetch, entry normalisation, article pages, language, landing with the
feed's validators, then story clustering of the new documents.

The kind has two phases (:func:`telefeed.pipeline.register_preparer`): :func:`prepare_rss` fetches and normalises
(reading the warehouse only), and the :class:`~telefeed.pipeline.Landing` it returns writes, so that a run lands
many feeds in one open warehouse file.

Pages are fetched for entries that have no document yet, and again for stored entries whose page an earlier
run could not get for a transient reason (``page_fetches.next_retry_at``), so a no-change rerun adds no page
fetches. How a page fetch went lives in ``page_fetches``, not in the document: a failed retry changes no document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlparse

from connectors.http import AnyUrlFetcher, FetchError
from connectors.pages import HttpPageFetcher, PageArchive, PageFetcher, page_raw_payload
from connectors.rss import ITEM_KIND, entry_external_id, read_feed
from extraction.article import ExtractionError, apply_article, extract_article_bytes
from extraction.language import assign_language
from extraction.normalise import normalise_items
from telefeed.config import RssSource
from telefeed.models import Cursor, Document, LandBatch, RawItem, utc_now
from telefeed.pipeline import Landing, SourceRun, SourceStats, register_preparer
from telefeed.pipeline.contract import SourceContract, slices
from warehouse.articles import PAGE_ITEM_KIND, PageFetchState, documents_to_refetch
from warehouse.db import Warehouse

BATCH_SIZE = 500  # rows of each kind per landing transaction

# The RSS kind's contract: entries and their article pages, ids as the feed writes them, the feed's validators as
# the cursor, and backfill windows on the entry's date.
RSS = SourceContract(
    kind="rss",
    item_kinds=(ITEM_KIND, PAGE_ITEM_KIND),
    external_id=entry_external_id,
    cursor_fields=("etag", "last_modified", "state"),
    item_date=lambda document: document.published_at,
)


def page_fetcher_for(source: RssSource) -> PageFetcher:
    """The source's page archive when it has one, else the network (limits from the source's ``http``)."""
    if source.page_archive:
        return PageArchive(source.page_archive, max_bytes=source.http.max_bytes)
    return HttpPageFetcher(source.http)


def _page_state(doc: Document, attempts: int, status: str, **details: Any) -> PageFetchState:
    return PageFetchState(doc.id, doc.source, doc.external_id, doc.url, attempts, status, **details)


def fetch_articles(
    source: RssSource,
    documents: list[Document],
    stats: SourceStats,
    fetcher: PageFetcher | None = None,
    attempts_before: Mapping[str, int] | None = None,
) -> tuple[list[RawItem], list[PageFetchState]]:
    """Fetch the page of each document, make the page text its text; returns the ``article_page`` raw items and
    the page-fetch state of each document (for ``page_fetches``).

    A page that fails (HTTP error, size cap, timeout, no main text) leaves the feed's text in place; its state
    says why, and the run goes on. Pages worth another try (timeouts, connection errors, 429/5xx, entries over
    ``max_pages_per_run``) get ``retry`` until ``page_attempts`` fetches (``attempts_before``: fetches of earlier
    runs, by document id).
    """
    earlier = attempts_before or {}
    with_url = [d for d in documents if d.url]
    todo = with_url[: source.max_pages_per_run]
    reason = f"not fetched: max_pages_per_run ({source.max_pages_per_run}) reached"
    states = [
        _page_state(d, earlier.get(d.id, 0), "skipped", error=reason, retry=True)
        for d in with_url[source.max_pages_per_run :]
    ]
    if not todo:
        return [], states
    try:
        fetcher = fetcher or page_fetcher_for(source)
    except FetchError as exc:  # e.g. a page archive without index.json: entries keep their summary
        error = f"page fetcher unavailable: {exc}"
        states += [_page_state(d, earlier.get(d.id, 0), "failed", error=error) for d in todo]
        stats.record_error(error)
        return [], states
    fetches = fetcher.fetch_many([d.url or "" for d in todo])
    raw: list[RawItem] = []
    for doc, fetch in zip(todo, fetches, strict=True):
        raw.append(RawItem(source.name, doc.external_id, PAGE_ITEM_KIND, page_raw_payload(fetch)))
        attempts = earlier.get(doc.id, 0) + 1
        if not fetch.ok:
            retry = fetch.transient and attempts < source.page_attempts
            error = fetch.error or "unknown error"
            states.append(_page_state(doc, attempts, "failed", http_status=fetch.status, error=error, retry=retry))
            stats.record_error(f"page {fetch.url}: {fetch.error}")
            continue
        try:
            article = extract_article_bytes(fetch.body, fetch.headers, fetch.final_url or fetch.url)
        except ExtractionError as exc:
            states.append(_page_state(doc, attempts, "no_text", http_status=fetch.status, error=str(exc)))
            stats.record_error(f"page {fetch.url}: {exc}")
            continue
        apply_article(doc, article, fetch.final_url)
        states.append(_page_state(doc, attempts, "ok", http_status=fetch.status))
    return raw, states


def _refetch_pages(
    source: RssSource, warehouse: Warehouse, stats: SourceStats, budget: int, started: datetime
) -> Landing:
    """Fetch again the pages due for another try since before ``started`` (earlier runs), at most ``budget``; the
    landing returned lands them. A page that arrives updates its document (a new revision); a failed try only
    updates ``page_fetches``."""
    if not source.fetch_pages:
        return Landing()
    due = documents_to_refetch(warehouse, source.name, budget, due_before=started)
    if not due:
        return Landing()
    documents = [doc for doc, _ in due]
    attempts = {state.document_id: state.attempts for _, state in due}
    page_items, states = fetch_articles(source, documents, stats, attempts_before=attempts)
    arrived_ids = {s.document_id for s in states if s.status == "ok"}
    arrived = [d for d in documents if d.id in arrived_ids]
    for doc in arrived:  # detect again on the page text, from the language the feed declared (as a new entry)
        doc.language = doc.metadata.pop("declared_language", doc.language)
    assign_language(arrived)
    return Landing([(LandBatch(source=source.name, raw_items=page_items, documents=arrived), states)])


class FeedUnusableError(RuntimeError):
    """Nothing in the feed could be used (e.g. an empty body); it was quarantined with the reason."""


def keep_legacy_ids(
    warehouse: Warehouse, source: RssSource, items: list[RawItem], read_from: str | None
) -> list[RawItem]:
    """Entries whose id is relative (``<guid>post-1</guid>``) keep the id an older telefeed stored for them.

    Ids are now taken as the feed writes them; telefeed up to migration 081 resolved relative ones against the
    URL the feed was read from. Migration 081 rewrote those of local files; for feeds read over HTTP that base
    is not stored unambiguously, so a relative id whose resolved form (against the source's URL or the URL read
    now) is stored, and which is not stored itself, keeps the stored form: no duplicate document appears.
    """
    relative = [i for i in items if not urlparse(i.external_id).scheme]
    if not relative:
        return items
    bases = [b for b in dict.fromkeys([source.url, read_from]) if b]
    candidates = {i.external_id: [urljoin(b, i.external_id) for b in bases] for i in relative}
    wanted = [i.external_id for i in relative] + [c for cs in candidates.values() for c in cs]
    stored = warehouse.existing_external_ids(source.name, wanted)
    legacy = {
        rel: next(c for c in cs if c in stored)
        for rel, cs in candidates.items()
        if rel not in stored and any(c in stored for c in cs)
    }
    return [replace(i, external_id=legacy[i.external_id]) if i.external_id in legacy else i for i in items]


@register_preparer(RSS.kind)
def prepare_rss(run: SourceRun[RssSource], cursor: Cursor) -> Landing:
    """Fetch one feed (conditionally, with ``cursor``'s ETag/Last-Modified), normalise its entries and fetch their
    pages, and fetch again the pages that earlier runs could not get (``page_fetches``), within
    ``max_pages_per_run``; the landing returned lands it all, the feed's validators moving with its last batch.

    Only reads touch the warehouse before the landing (known ids, pages due again), so the landings of several
    feeds can share one open warehouse file (:func:`telefeed.pipeline.ingest_sources`).
    """
    source, warehouse, stats, window = run.source, run.warehouse, run.stats, run.window
    started = utc_now()
    backfill = window is not None
    fetcher = AnyUrlFetcher()
    try:
        feed = read_feed(
            source.name,
            source.url,
            fetcher,
            etag=None if backfill else cursor.etag,
            last_modified=None if backfill else cursor.last_modified,
            limits=source.http,
        )
    finally:
        fetcher.close()
    if feed.not_modified:
        stats.status = "not_modified"
        return Landing() if backfill else _refetch_pages(source, warehouse, stats, source.max_pages_per_run, started)
    if feed.failed:  # nothing usable: keep why in quarantine, leave the cursor, and fail the source
        stats.fetched += len(feed.quarantine)
        unusable = LandBatch(source=source.name, quarantine=feed.quarantine)
        return Landing([(unusable, [])], failure=FeedUnusableError(f"{feed.failed} at {source.url}"))
    if feed.bozo_reason:
        stats.record_error(f"ill-formed feed: {feed.bozo_reason}")
    feed.raw_items = keep_legacy_ids(warehouse, source, feed.raw_items, feed.read_from)
    documents, quarantine = normalise_items(feed.raw_items)
    quarantine = feed.quarantine + quarantine
    documents = RSS.in_window(documents, window)
    stats.fetched += len(feed.raw_items) + len(feed.quarantine)
    page_items: list[RawItem] = []
    page_states: dict[str, PageFetchState] = {}
    if source.fetch_pages and documents:
        # Known entries keep their stored article (their page is not refetched, their document not rewritten).
        known = warehouse.existing_external_ids(source.name, [d.external_id for d in documents])
        stats.skipped += sum(d.external_id in known for d in documents)
        documents = [d for d in documents if d.external_id not in known]
        page_items, states = fetch_articles(source, documents, stats)
        page_states = {state.document_id: state for state in states}
    assign_language(documents)
    new_cursor = (
        None
        if backfill
        else RSS.cursor(source.name, etag=feed.etag, last_modified=feed.last_modified, state=cursor.state)
    )
    everything = LandBatch(source.name, feed.raw_items + page_items, documents, quarantine, new_cursor)
    # Pages of stored entries due again: not those this run just fetched (they are not stored yet).
    refetched = (
        Landing()
        if backfill
        else _refetch_pages(source, warehouse, stats, source.max_pages_per_run - len(page_items), started)
    )

    parts = [  # each slice with the page-fetch state of its documents
        (part, [page_states[d.id] for d in part.documents if d.id in page_states])
        for part in slices(everything, BATCH_SIZE)
    ]
    return Landing(parts + refetched.parts)
