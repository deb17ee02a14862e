"""Story clustering step: cluster newly landed documents (any source kind) into ``story_clusters``.

Call :func:`cluster_new_documents` after landing with the new document ids (or ``None`` for every document
not yet clustered). Loading known signatures, clustering and writing run in one warehouse transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extraction import dedup
from warehouse import articles
from warehouse.db import Warehouse


@dataclass(slots=True)
class ClusterStats:
    """What one clustering step did."""

    documents: int = 0
    new_clusters: int = 0
    joined: int = 0


def cluster_new_documents(
    warehouse: Warehouse, document_ids: Sequence[str] | None = None, window_days: int | None = 30
) -> ClusterStats:
    """Cluster documents not yet clustered (only ``document_ids`` when given) against the last ``window_days``."""
    stats = ClusterStats()
    if document_ids is not None and not document_ids:
        return stats
    if document_ids is None:
        with warehouse.peek() as con:  # usually nothing is left: do not queue for a write transaction then
            if not articles.any_unclustered(con):
                return stats
    with warehouse.transaction() as con:
        inputs = articles.documents_to_cluster(con, document_ids)
        if not inputs:
            return stats
        known = [
            dedup.KnownDocument(k.document_id, k.signature, k.content_hash, k.cluster_id)
            for k in articles.known_clusters(con, window_days)
        ]
        assignments = dedup.cluster_documents(
            [dedup.NewDocument(i.document_id, i.text, i.content_hash) for i in inputs], known
        )
        rows = [
            articles.ClusterRow(
                a.document_id, a.cluster_id, a.similarity, a.matched_document_id, a.method, a.signature, a.token_count
            )
            for a in assignments
        ]
        stats.documents = articles.save_clusters(
            con, inputs, rows, dedup.NUM_PERM, dedup.SHINGLE_WORDS, dedup.DEDUP_VERSION
        )
    stats.new_clusters = sum(a.method == "new" for a in assignments)
    stats.joined = sum(a.method in ("exact", "minhash") for a in assignments)
    return stats
