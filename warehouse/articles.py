"""Warehouse side of articles: stored pages (``article_page`` raw items) and documents whose page to fetch again.

Story clustering, for documents of every kind, is in :mod:`warehouse.stories`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telefeed.models import Document
from warehouse.db import Warehouse

PAGE_ITEM_KIND = "article_page"


def documents_to_refetch(
    warehouse: Warehouse, source: str, limit: int, written_before: datetime | None = None
) -> list[Document]:
    """Stored documents of ``source`` whose page a later run should fetch again (``metadata.page_retry``), oldest
    first, at most ``limit``; only those last written before ``written_before`` when given."""
    if limit <= 0:
        return []
    sql = (
        "SELECT source, kind, external_id, text, url, title, author, published_at, language, summary, "
        "removed_lines, metadata FROM documents "
        "WHERE source = ? AND url IS NOT NULL "
        # A plain substring test first (metadata is compact canonical JSON): no JSON parsing of every row.
        "AND contains(CAST(metadata AS VARCHAR), '\"page_retry\":true') "
        "AND json_extract_string(metadata, '$.page_retry') = 'true'"
    )
    params: list[Any] = [source]
    if written_before is not None:
        sql += " AND updated_at < ?"
        params.append(written_before)
    sql += f" ORDER BY first_seen_at, id LIMIT {int(limit)}"
    with warehouse.peek() as con:
        rows = con.execute(sql, params).fetchall()
    return [
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
