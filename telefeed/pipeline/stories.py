"""Story clustering step: cluster newly landed documents (any source kind) into ``story_clusters``.

Call :func:`cluster_new_documents` after landing (``None``: every document not yet clustered). Documents go
in chunks, oldest first; each chunk is one warehouse transaction that looks up its candidates (stored documents
sharing an LSH band key or the content hash, see ``warehouse.story_store.cluster_candidates``), clusters the chunk
against them and writes the assignments. Memory holds one chunk and its candidates, not the corpus. A crash
between chunks leaves the rest unclustered for the next call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from telefeed.models import utc_now
from warehouse import stories as story_store
from warehouse.db import Warehouse

CHUNK_SIZE = 2000  # documents per clustering transaction
# Chunks per open warehouse file. DuckDB's native memory outside its buffer pool (not under the memory cap) grew
# ~90 KB per chunk while one connection stayed open for the whole pass (45 MB over 1M documents); reopening the file
# every 10 chunks cut that growth to about a third at the same speed (bench/README.md, 2026-12-06, seventh session).
CHUNKS_PER_SESSION = 10


@dataclass(slots=True)
class ClusterStats:
    """What one clustering step did."""

    documents: int = 0
    new_clusters: int = 0
    joined: int = 0
    chunks: int = 0


ChunkClusterer = Callable[
    [duckdb.DuckDBPyConnection, Sequence[story_store.ClusterInput], datetime | None, datetime],
    list[story_store.ClusterRow],
]
"""Assigns one chunk of documents to stories inside its transaction (``con``, the chunk, ``seen_since``, the
clustering's start): :func:`cluster_chunk`'s signature."""


def cluster_chunk(
    con: duckdb.DuckDBPyConnection,
    inputs: Sequence[story_store.ClusterInput],
    seen_since: datetime | None,
    started: datetime,
) -> list[story_store.ClusterRow]:
    """Assign one chunk, in order, against its candidates from the warehouse (and its own earlier documents)."""
    from extraction import dedup

    signed = [dedup.sign(dedup.NewDocument(i.document_id, i.text, i.content_hash)) for i in inputs]
    candidates = story_store.cluster_candidates(
        con, [(s.document.document_id, s.document.content_hash, s.signature_bytes) for s in signed], seen_since, started
    )
    clusterer = dedup.StoryClusterer()
    clusterer.add_known(
        dedup.KnownDocument(k.document_id, k.signature, k.content_hash, k.cluster_id) for k in candidates
    )
    return [
        story_store.ClusterRow(
            a.document_id, a.cluster_id, a.similarity, a.matched_document_id, a.method, a.signature, a.token_count
        )
        for a in map(clusterer.assign, signed)
    ]


def cluster_new_documents(
    warehouse: Warehouse,
    document_ids: Sequence[str] | None = None,
    window_days: int | None = 30,
    chunk_size: int = CHUNK_SIZE,
    chunks_per_session: int = CHUNKS_PER_SESSION,
    chunk_clusterer: ChunkClusterer = cluster_chunk,
) -> ClusterStats:
    """Cluster documents not yet clustered (only ``document_ids`` when given) against the last ``window_days``.

    The documents of one call also match each other whatever their age, across chunks. ``chunk_clusterer``
    assigns each chunk inside its transaction.
    """
    stats = ClusterStats()
    if document_ids is not None and not document_ids:
        return stats
    if document_ids is None:
        with warehouse.peek() as con:  # usually nothing is left: do not queue for a write transaction then
            if not story_store.any_unclustered(con):
                return stats
    started = utc_now()
    seen_since = started - timedelta(days=window_days) if window_days is not None else None
    after: tuple[datetime, datetime, str] | None = None
    # One open file for up to `chunks_per_session` chunks' transactions, under the clustering cap (unless already
    # in a session, whose file stays open); then the file is closed and opened again.
    while True:
        with warehouse.session(memory_limit=warehouse.clustering_memory_limit):
            for _ in range(chunks_per_session):
                after = _cluster_next_chunk(
                    warehouse, document_ids, after, chunk_size, seen_since, started, stats, chunk_clusterer
                )
                if after is None:
                    return stats


def _cluster_next_chunk(
    warehouse: Warehouse,
    document_ids: Sequence[str] | None,
    after: tuple[datetime, datetime, str] | None,
    chunk_size: int,
    seen_since: datetime | None,
    started: datetime,
    stats: ClusterStats,
    chunk_clusterer: ChunkClusterer,
) -> tuple[datetime, datetime, str] | None:
    """Cluster the chunk after ``after`` in one transaction; the next chunk's start, or None when none is left."""
    from extraction import dedup  # imported only when there is something to cluster

    with warehouse.transaction() as con:
        inputs = story_store.documents_to_cluster(con, document_ids, after, chunk_size)
        if not inputs:
            return None
        rows = chunk_clusterer(con, inputs, seen_since, started)
        stats.documents += story_store.save_clusters(
            con, inputs, rows, dedup.NUM_PERM, dedup.SHINGLE_WORDS, dedup.DEDUP_VERSION
        )
    stats.chunks += 1
    stats.new_clusters += sum(r.method == "new" for r in rows)
    stats.joined += sum(r.method in ("exact", "minhash") for r in rows)
    return inputs[-1].order_key if len(inputs) == chunk_size else None
