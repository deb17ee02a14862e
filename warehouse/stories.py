"""Story clustering in the warehouse: MinHash signatures, their LSH band keys and ``story_clusters``.

Clustering works in chunks of documents. Functions take a connection that the caller holds inside
``Warehouse.transaction()`` so that, for one chunk, looking up the candidate signatures, clustering and writing
the assignments happen under one writer lock (two sources landing at once cannot both found a cluster for the
same story: each chunk sees every committed earlier chunk). Candidates come from ``minhash_bands``, the LSH band
keys of the stored signatures, computed in SQL by the ``minhash_band_keys`` macro (051_minhash_bands.sql) for
stored and new signatures alike. Documents of every kind (posts and articles) are clustered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from telefeed.models import utc_now
from warehouse.tables import MINHASH_SIGNATURES, STORY_CLUSTERS


@dataclass(frozen=True, slots=True)
class ClusterInput:
    """A document waiting to be clustered."""

    document_id: str
    source: str
    text: str
    content_hash: str
    first_seen_at: datetime
    ordered_at: datetime  # second sort key: published_at, else first_seen_at

    @property
    def order_key(self) -> tuple[datetime, datetime, str]:
        """Where the document comes in the clustering order (oldest first)."""
        return (self.first_seen_at, self.ordered_at, self.document_id)


@dataclass(frozen=True, slots=True)
class KnownRow:
    """A document already clustered, with its stored signature."""

    document_id: str
    signature: bytes | None
    content_hash: str
    cluster_id: str


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """One row for ``story_clusters`` and ``minhash_signatures``."""

    document_id: str
    cluster_id: str
    similarity: float
    matched_document_id: str | None
    method: str
    signature: bytes | None
    token_count: int


_CLUSTER_ROW = "SELECT 1 FROM story_clusters c WHERE c.document_id = d.id"
_UNCLUSTERED = f"FROM documents d WHERE NOT EXISTS ({_CLUSTER_ROW})"
_CLUSTER_ORDER = ("d.first_seen_at", "coalesce(d.published_at, d.first_seen_at)", "d.id")


def band_rows_sql(relation: str) -> str:
    """SELECT (document_id, band, band_key) of the signatures in ``relation`` (columns document_id, signature)."""
    return (
        f"SELECT document_id, unnest(minhash_band_keys(signature), recursive := true) FROM {relation} "
        "WHERE signature IS NOT NULL"
    )


def any_unclustered(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any document is not yet in ``story_clusters`` (a cheap check before a write transaction)."""
    return con.execute(f"SELECT EXISTS (SELECT 1 {_UNCLUSTERED})").fetchone() == (True,)


def documents_to_cluster(
    con: duckdb.DuckDBPyConnection,
    document_ids: Sequence[str] | None,
    after: tuple[datetime, datetime, str] | None = None,
    limit: int | None = None,
) -> list[ClusterInput]:
    """Documents not yet in ``story_clusters`` (all of them, or only ``document_ids``), oldest first.

    ``after``: only documents after this :attr:`ClusterInput.order_key`; ``limit``: at most that many (a chunk).
    The chunk is chosen on narrow columns first; only its documents' texts are read (documents land in about
    first-seen order, so the time range of the chunk lets DuckDB skip the other row groups).
    """
    if document_ids is not None:
        if not document_ids:
            return []
        con.register("_cluster_ids", pa.table({"id": list(document_ids)}))
    try:
        if after is None:
            keys = _first_unclustered_keys(con, document_ids is not None, limit)
        else:
            keys = _unclustered_keys_after(con, document_ids is not None, after, limit)
    finally:
        if document_ids is not None:
            con.unregister("_cluster_ids")
    if not keys.num_rows:
        return []
    seen = keys.column(1).to_pylist()
    con.register("_cluster_chunk", keys.select([0]))
    rows = con.execute(
        "SELECT d.id, d.source, coalesce(d.title, '') || '\n' || d.text, d.content_hash, d.first_seen_at, "
        "coalesce(d.published_at, d.first_seen_at) FROM documents d JOIN _cluster_chunk k ON k.id = d.id "
        f"WHERE d.first_seen_at BETWEEN ? AND ? ORDER BY {', '.join(_CLUSTER_ORDER)}",
        [min(seen), max(seen)],
    ).fetchall()
    con.unregister("_cluster_chunk")
    return [ClusterInput(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


_KEY_COLUMNS = "d.id, d.first_seen_at, coalesce(d.published_at, d.first_seen_at) AS ordered_at"
_ONLY_GIVEN_IDS = " AND d.id IN (SELECT id FROM _cluster_ids)"
_KEYS_PAGE = 10_000  # about this many documents per page when later chunks look for unclustered ones (no limit)


def _first_unclustered_keys(con: duckdb.DuckDBPyConnection, only_given: bool, limit: int | None) -> pa.Table:
    """(id, first_seen_at, ordered_at) of the oldest unclustered documents: one anti-join of the whole tables."""
    sql = f"SELECT {_KEY_COLUMNS} {_UNCLUSTERED}" + (_ONLY_GIVEN_IDS if only_given else "")
    sql += f" ORDER BY {', '.join(_CLUSTER_ORDER)}" + (f" LIMIT {int(limit)}" if limit is not None else "")
    return con.execute(sql).arrow().read_all()


def _unclustered_keys_after(
    con: duckdb.DuckDBPyConnection,
    only_given: bool,
    after: tuple[datetime, datetime, str],
    limit: int | None,
) -> pa.Table:
    """Like :func:`_first_unclustered_keys`, for documents after ``after``: page by page in clustering order.

    A page is the documents after the key up to the ``limit``-th (or ``_KEYS_PAGE``-th) later first-seen time
    (found by sorting timestamps only), checked against ``story_clusters`` with a hash table of the page's ids.
    Sorting or checking every document after the key at once held all of their ids: a run that landed 1M posts
    took +90 MB while its chunks were chosen, whatever the DuckDB memory cap.
    """
    given = _ONLY_GIVEN_IDS if only_given else ""
    order = ", ".join(_CLUSTER_ORDER)
    cutoff_sql = (
        f"SELECT d.first_seen_at FROM documents d WHERE d.first_seen_at > ?{given} "
        f"ORDER BY d.first_seen_at LIMIT 1 OFFSET {(limit or _KEYS_PAGE) - 1}"
    )
    # The first condition lets DuckDB skip the row groups outside the page's time range.
    page_sql = f"SELECT {_KEY_COLUMNS} FROM documents d WHERE d.first_seen_at >= ? AND ({order}) > (?, ?, ?){given}"
    found: list[pa.Table] = []
    wanted = limit
    while wanted is None or wanted > 0:
        cutoff = con.execute(cutoff_sql, [after[0]]).fetchone()
        within = " AND d.first_seen_at <= ?" if cutoff is not None else ""
        params = [after[0], *after, *([cutoff[0]] if cutoff is not None else [])]
        page = con.execute(f"{page_sql}{within} ORDER BY {order}", params).arrow().read_all()
        if not page.num_rows:
            break
        con.register("_keys_page", page)
        fresh_sql = (
            f"SELECT * FROM _keys_page d WHERE NOT EXISTS ({_CLUSTER_ROW}) ORDER BY d.first_seen_at, d.ordered_at, d.id"
        )
        fresh_sql += f" LIMIT {int(wanted)}" if wanted is not None else ""
        fresh = con.execute(fresh_sql).arrow().read_all()
        con.unregister("_keys_page")
        found.append(fresh)
        wanted = None if wanted is None else wanted - fresh.num_rows
        if cutoff is None:
            break
        last = page.slice(page.num_rows - 1).to_pylist()[0]
        after = (last["first_seen_at"], last["ordered_at"], last["id"])
    return pa.concat_tables(found) if found else pa.table({"id": pa.array([], pa.string())})


def cluster_candidates(
    con: duckdb.DuckDBPyConnection,
    chunk: Sequence[tuple[str, str, bytes | None]],
    seen_since: datetime | None,
    clustered_since: datetime,
) -> list[KnownRow]:
    """Clustered documents a chunk of new documents can match, with their stored signatures.

    ``chunk`` holds the new documents' (document id, content hash, signature or None for short texts). A
    candidate shares an LSH band key or the content hash with one of them, and was seen at or after
    ``seen_since`` (None: any time) or clustered at or after ``clustered_since`` (earlier chunks of the same
    clustering call match whatever their age, as they did when a call was one chunk). Order: documents clustered
    before the call by (seen, id), then the call's own in clustering order (the first of equal hashes wins).
    """
    signatures = pa.table(
        {
            "document_id": pa.array([c[0] for c in chunk], pa.string()),
            "content_hash": pa.array([c[1] for c in chunk], pa.string()),
            "signature": pa.array([c[2] for c in chunk], pa.binary()),
        }
    )
    con.register("_chunk_sigs", signatures)
    in_call = "c.clustered_at >= $clustered_since"
    window = f"({in_call} OR c.document_seen_at >= $seen_since)" if seen_since is not None else "TRUE"
    sql = f"""
        WITH keys AS ({band_rows_sql("_chunk_sigs")}),
        hits AS (
            SELECT m.document_id FROM minhash_bands m JOIN keys k ON m.band = k.band AND m.band_key = k.band_key
            UNION
            SELECT s.document_id FROM minhash_signatures s
            WHERE s.content_hash IN (SELECT content_hash FROM _chunk_sigs)
        )
        SELECT c.document_id, s.signature, coalesce(s.content_hash, ''), c.cluster_id
        FROM story_clusters c
        JOIN hits h ON h.document_id = c.document_id
        LEFT JOIN minhash_signatures s ON s.document_id = c.document_id
        WHERE {window}
        ORDER BY {in_call}, c.document_seen_at,
            CASE WHEN {in_call} THEN
                (SELECT coalesce(d.published_at, d.first_seen_at) FROM documents d WHERE d.id = c.document_id)
            END,
            c.document_id
    """
    params: dict[str, Any] = {"clustered_since": clustered_since}
    if seen_since is not None:
        params["seen_since"] = seen_since
    rows = con.execute(sql, params).fetchall()
    con.unregister("_chunk_sigs")
    return [KnownRow(r[0], bytes(r[1]) if r[1] is not None else None, r[2], r[3]) for r in rows]


def save_clusters(
    con: duckdb.DuckDBPyConnection,
    inputs: Sequence[ClusterInput],
    rows: Sequence[ClusterRow],
    num_perm: int,
    shingle_words: int,
    dedup_version: str,
) -> int:
    """Insert signatures, their band keys and cluster rows for new documents (already clustered ones are skipped)."""
    by_id = {i.document_id: i for i in inputs}
    fresh = [r for r in rows if r.method != "known" and r.document_id in by_id]
    if not fresh:
        return 0
    now = utc_now()
    # A cluster's first source/time: from the table for existing clusters, else from this batch.
    cluster_ids = sorted({r.cluster_id for r in fresh})
    firsts: dict[str, tuple[str, datetime]] = {}
    con.register("_cids", pa.table({"cluster_id": cluster_ids}))
    for cid, source, seen in con.execute(
        "SELECT cluster_id, any_value(first_source), min(first_seen_at) FROM story_clusters "
        "WHERE cluster_id IN (SELECT cluster_id FROM _cids) GROUP BY cluster_id"
    ).fetchall():
        firsts[cid] = (source, seen)
    con.unregister("_cids")
    for row in fresh:
        if row.cluster_id not in firsts and row.cluster_id in by_id:
            founder = by_id[row.cluster_id]
            firsts[row.cluster_id] = (founder.source, founder.first_seen_at)
    signatures = pa.table(
        {
            "document_id": [r.document_id for r in fresh],
            "content_hash": [by_id[r.document_id].content_hash for r in fresh],
            "num_perm": [num_perm] * len(fresh),
            "shingle_words": [shingle_words] * len(fresh),
            "token_count": [r.token_count for r in fresh],
            "signature": [r.signature for r in fresh],
            "dedup_version": [dedup_version] * len(fresh),
            "created_at": [now] * len(fresh),
        },
        schema=MINHASH_SIGNATURES.landing_schema,
    )
    clusters = pa.table(
        {
            "cluster_id": [r.cluster_id for r in fresh],
            "document_id": [r.document_id for r in fresh],
            "source": [by_id[r.document_id].source for r in fresh],
            "first_source": [firsts[r.cluster_id][0] for r in fresh],
            "first_seen_at": [firsts[r.cluster_id][1] for r in fresh],
            "document_seen_at": [by_id[r.document_id].first_seen_at for r in fresh],
            "similarity": [r.similarity for r in fresh],
            "matched_document_id": [r.matched_document_id for r in fresh],
            "method": [r.method for r in fresh],
            "dedup_version": [dedup_version] * len(fresh),
            "clustered_at": [now] * len(fresh),
        },
        schema=STORY_CLUSTERS.landing_schema,
    )
    con.register("_sigs", signatures)
    # Signatures left by an earlier clustering of these documents (their story_clusters rows gone) are replaced.
    # Usually there are none: look them up in minhash_signatures (one row per document) before deleting from
    # minhash_bands (25 rows per document), whose full scan grew with the warehouse (0.19 s per chunk at 1M).
    stale = con.execute(
        "SELECT count(*) FROM minhash_signatures WHERE document_id IN (SELECT document_id FROM _sigs)"
    ).fetchone()
    if stale and stale[0]:
        con.execute(
            "DELETE FROM minhash_signatures WHERE document_id IN (SELECT document_id FROM _sigs);"
            "DELETE FROM minhash_bands WHERE document_id IN (SELECT document_id FROM _sigs)"
        )
    con.execute(
        f"INSERT INTO minhash_signatures SELECT * FROM _sigs; INSERT INTO minhash_bands {band_rows_sql('_sigs')}"
    )
    con.unregister("_sigs")
    con.register("_clusters", clusters)
    con.execute(
        "INSERT INTO story_clusters SELECT * FROM _clusters b "
        f"WHERE NOT EXISTS (SELECT 1 FROM story_clusters c WHERE {STORY_CLUSTERS.key_match('c', 'b')})"
    )
    con.unregister("_clusters")
    return len(fresh)
