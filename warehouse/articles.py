"""Warehouse side of articles: stored pages (``article_page`` raw items) and documents whose page to fetch again.

Story clustering, for documents of every kind, is in :mod:`warehouse.stories`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from telefeed.models import Document, LandBatch, LandResult
from warehouse.db import Warehouse, land_batches_in_transaction

PAGE_ITEM_KIND = "article_page"


@dataclass(slots=True)
class PageFetchState:
    """Where fetching one document's article page stands (a row of ``page_fetches``); not part of the document."""

    document_id: str
    source: str
    external_id: str
    url: str | None
    attempts: int  # fetches tried so far (0: not tried yet)
    status: str  # ok | failed | no_text | skipped
    http_status: int | None = None
    error: str | None = None
    retry: bool = False  # a later run should fetch the page again


PAGE_FETCH_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()),
        ("source", pa.string()),
        ("external_id", pa.string()),
        ("url", pa.string()),
        ("attempts", pa.int32()),
        ("last_status", pa.string()),
        ("http_status", pa.int32()),
        ("last_error", pa.string()),
        ("retry", pa.bool_()),
    ]
)


def save_page_fetches(con: duckdb.DuckDBPyConnection, states: Sequence[PageFetchState]) -> None:
    """Replace the ``page_fetches`` rows of these documents (inside the caller's transaction). A page worth
    another try gets ``next_retry_at`` = now: any later run may fetch it."""
    if not states:
        return
    latest = {s.document_id: s for s in states}
    table = pa.table(
        {
            "document_id": list(latest),
            "source": [s.source for s in latest.values()],
            "external_id": [s.external_id for s in latest.values()],
            "url": [s.url for s in latest.values()],
            "attempts": [s.attempts for s in latest.values()],
            "last_status": [s.status for s in latest.values()],
            "http_status": [s.http_status for s in latest.values()],
            "last_error": [s.error[:500] if s.error else None for s in latest.values()],
            "retry": [s.retry for s in latest.values()],
        },
        schema=PAGE_FETCH_SCHEMA,
    )
    con.register("_page_fetches", table)
    try:
        con.execute("DELETE FROM page_fetches WHERE document_id IN (SELECT document_id FROM _page_fetches)")
        con.execute(
            "INSERT INTO page_fetches SELECT document_id, source, external_id, url, attempts, last_status, "
            "http_status, last_error, CASE WHEN retry THEN now() END, now() FROM _page_fetches"
        )
    finally:
        con.unregister("_page_fetches")


PagedBatch = tuple[LandBatch, Sequence[PageFetchState]]
"""A source's batch and the page-fetch states of its documents, landed in one transaction."""


def land_with_page_fetches(
    warehouse: Warehouse, batch: LandBatch, states: Sequence[PageFetchState], run_id: str | None
) -> LandResult:
    """Land ``batch`` and the page-fetch state of its documents in one transaction."""
    total = LandResult()
    for result in _land_in_one_transaction(warehouse, [(batch, states)], run_id).values():
        total.add(result)
    return total


def land_together(
    warehouse: Warehouse, parts: Sequence[PagedBatch], run_id: str | None
) -> dict[str, LandResult | Exception]:
    """Land the batches of several sources (one each at most) and the page-fetch states of their documents in one
    transaction (:func:`warehouse.db.land_batches_in_transaction`); what changed, by source.

    When that transaction fails, each source's batch lands in a transaction of its own: a batch that cannot land
    fails alone, its exception in place of its result (nothing of it is stored), and the others land.
    """
    try:
        return dict(_land_in_one_transaction(warehouse, parts, run_id))
    except Exception as exc:
        if len(parts) == 1:
            return {parts[0][0].source: exc}
    outcomes: dict[str, LandResult | Exception] = {}
    for part in parts:
        outcomes.update(land_together(warehouse, [part], run_id))
    return outcomes


def _land_in_one_transaction(
    warehouse: Warehouse, parts: Sequence[PagedBatch], run_id: str | None
) -> dict[str, LandResult]:
    def work(con: duckdb.DuckDBPyConnection) -> dict[str, LandResult]:
        results = land_batches_in_transaction(con, [batch for batch, _ in parts], run_id)
        save_page_fetches(con, [state for _, states in parts for state in states])
        return results

    return warehouse.run_in_transaction(work)


def page_fetch_states(warehouse: Warehouse, source: str) -> dict[str, PageFetchState]:
    """The stored page-fetch state of every document of ``source`` that has one, by external id."""
    sql = (
        "SELECT document_id, source, external_id, url, attempts, last_status, http_status, last_error, "
        "next_retry_at IS NOT NULL FROM page_fetches WHERE source = ?"
    )
    with warehouse.peek() as con:
        rows = con.execute(sql, [source]).fetchall()
    return {r[2]: _page_fetch_state(r) for r in rows}


def _page_fetch_state(row: Sequence[Any]) -> PageFetchState:
    """A state from (document_id, source, external_id, url, attempts, last_status, http_status, last_error,
    due again)."""
    document_id, source, external_id, url, attempts, status, http_status, error, due = row
    return PageFetchState(document_id, source, external_id, url, attempts, status, http_status, error, bool(due))


def documents_to_refetch(
    warehouse: Warehouse, source: str, limit: int, due_before: datetime | None = None
) -> list[tuple[Document, PageFetchState]]:
    """Stored documents of ``source`` whose page a later run should fetch again (``page_fetches.next_retry_at``
    set, before ``due_before`` when given), with their page-fetch state; oldest first, at most ``limit``."""
    if limit <= 0:
        return []
    sql = (
        "SELECT d.source, d.kind, d.external_id, d.text, d.url, d.title, d.author, d.published_at, d.language, "
        "d.summary, d.removed_lines, d.metadata, p.document_id, p.source, p.external_id, p.url, p.attempts, "
        "p.last_status, p.http_status, p.last_error, TRUE FROM page_fetches p JOIN documents d ON d.id = p.document_id "
        "WHERE p.source = ? AND d.url IS NOT NULL AND p.next_retry_at IS NOT NULL"
    )
    params: list[Any] = [source]
    if due_before is not None:
        sql += " AND p.next_retry_at < ?"
        params.append(due_before)
    sql += f" ORDER BY d.first_seen_at, d.id LIMIT {int(limit)}"
    with warehouse.peek() as con:
        rows = con.execute(sql, params).fetchall()
    return [
        (
            Document(
                source=r[0],
                kind=r[1],
                external_id=r[2],
                text=r[3],
                url=r[4],
                title=r[5],
                author=r[6],
                published_at=r[7],
                language=r[8],
                summary=r[9],
                removed_lines=list(r[10] or []),
                metadata=json.loads(r[11]) if r[11] else {},
            ),
            _page_fetch_state(r[12:]),
        )
        for r in rows
    ]


def page_payloads(warehouse: Warehouse, source: str, external_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Stored ``article_page`` payloads of a source (latest fetch per entry), for re-extraction without refetching."""
    sql = (
        "SELECT external_id, payload FROM raw_items WHERE source = ? AND item_kind = ? "
        "QUALIFY row_number() OVER (PARTITION BY external_id ORDER BY fetched_at DESC) = 1 ORDER BY external_id"
    )
    table = warehouse.query(sql, [source, PAGE_ITEM_KIND])
    wanted = set(external_ids) if external_ids is not None else None
    out: list[dict[str, Any]] = []
    for external_id, payload in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
        if wanted is None or external_id in wanted:
            out.append({"external_id": external_id, **json.loads(payload)})
    return out
