"""Story clustering step: cluster newly landed documents (any source kind) into ``story_clusters``.

Call :func:`cluster_new_documents` after landing (``None``: every document not yet clustered). Documents go
in chunks, oldest first; each chunk is one warehouse transaction that looks up its candidates (stored documents
sharing an LSH band key or the content hash, see ``warehouse.articles.cluster_candidates``), clusters the chunk
against them and writes the assignments. Memory holds one chunk and its candidates, not the corpus. A crash
between chunks leaves the rest unclustered for the next call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from extraction import dedup
from telefeed.models import utc_now
from warehouse import articles
from warehouse.db import Warehouse

CHUNK_SIZE = 2000  # documents per clustering transaction


@dataclass(slots=True)
class ClusterStats:
    """What one clustering step did."""

    documents: int = 0
    new_clusters: int = 0
    joined: int = 0
    chunks: int = 0


def cluster_new_documents(
    warehouse: Warehouse,
    document_ids: Sequence[str] | None = None,
    window_days: int | None = 30,
    chunk_size: int = CHUNK_SIZE,
) -> ClusterStats:
    """Cluster documents not yet clustered (only ``document_ids`` when given) against the last ``window_days``.

    The documents of one call also match each other whatever their age, across chunks.
    """
    stats = ClusterStats()
    if document_ids is not None and not document_ids:
        return stats
    if document_ids is None:
        with warehouse.peek() as con:  # usually nothing is left: do not queue for a write transaction then
            if not articles.any_unclustered(con):
                return stats
    started = utc_now()
    seen_since = started - timedelta(days=window_days) if window_days is not None else None
    after = None
    # One open file for every chunk's transaction, under the clustering cap (unless already in a session).
    with warehouse.session(memory_limit=warehouse.clustering_memory_limit):
        while True:
            with warehouse.transaction() as con:
                inputs = articles.documents_to_cluster(con, document_ids, after, chunk_size)
                if not inputs:
                    break
                rows = _cluster_chunk(con, inputs, seen_since, started)
                stats.documents += articles.save_clusters(
                    con, inputs, rows, dedup.NUM_PERM, dedup.SHINGLE_WORDS, dedup.DEDUP_VERSION
                )
            stats.chunks += 1
            stats.new_clusters += sum(r.method == "new" for r in rows)
            stats.joined += sum(r.method in ("exact", "minhash") for r in rows)
            after = inputs[-1].order_key
            if len(inputs) < chunk_size:
                break
    return stats


def _cluster_chunk(
    con: duckdb.DuckDBPyConnection,
    inputs: Sequence[articles.ClusterInput],
    seen_since: datetime | None,
    started: datetime,
) -> list[articles.ClusterRow]:
    """Assign one chunk, in order, against its candidates from the warehouse (and its own earlier documents)."""
    signed = [dedup.sign(dedup.NewDocument(i.document_id, i.text, i.content_hash)) for i in inputs]
    candidates = articles.cluster_candidates(
        con, [(s.document.document_id, s.document.content_hash, s.signature_bytes) for s in signed], seen_since, started
    )
    clusterer = dedup.StoryClusterer()
    clusterer.add_known(
        dedup.KnownDocument(k.document_id, k.signature, k.content_hash, k.cluster_id) for k in candidates
    )
    return [
        articles.ClusterRow(
            a.document_id, a.cluster_id, a.similarity, a.matched_document_id, a.method, a.signature, a.token_count
        )
        for a in map(clusterer.assign, signed)
    ]
