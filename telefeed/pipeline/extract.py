"""Extraction glue without Prefect: load stored documents, run the pure extraction, land the rows.

``flows/extract.py`` runs :func:`extract_ids` per batch as a task; ``telefeed reextract`` runs
:func:`run_extraction` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from extraction.pipeline import EXTRACTOR_VERSION, batch_rows, extract_batch
from telefeed.memory import release_free_memory
from warehouse import extraction as store
from warehouse.db import Warehouse

DEFAULT_BATCH_SIZE = 200


def extract_ids(warehouse: Warehouse, document_ids: Sequence[str]) -> dict[str, int]:
    """Extract and land one batch of stored documents (replacing their older rows); returns rows per table."""
    inputs = store.load_inputs(warehouse, document_ids)
    if not inputs:
        return {"documents": 0}
    batch = extract_batch(inputs, store.known_channels(warehouse), store.known_entities(warehouse))
    rows = batch_rows(batch)
    del batch
    # The batch's parses and arrays are free now; hand them back before DuckDB (its own allocator) lands the rows,
    # or the landing's memory comes on top of them.
    release_free_memory()
    counts = store.land_extraction(warehouse, [i.document_id for i in inputs], rows)
    counts["documents"] = len(inputs)
    return counts


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    """``ids`` cut into lists of at most ``size``."""
    size = max(1, size)
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def documents_to_extract(
    warehouse: Warehouse, since: datetime | None = None, source: str | None = None, all_documents: bool = False
) -> list[str]:
    """Ids of the documents lacking the current extractor version (every matching one with ``all_documents``)."""
    return store.documents_to_extract(warehouse, EXTRACTOR_VERSION, since, source, all_documents)


def sum_counts(results: Sequence[dict[str, int]]) -> dict[str, int]:
    """Rows per table summed over batches (``documents`` always present)."""
    total: dict[str, int] = {"documents": 0}
    for counts in results:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total


def run_extraction(
    warehouse: Warehouse,
    since: datetime | None = None,
    source: str | None = None,
    all_documents: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Extract every document needing it (all matching documents with ``all_documents``), batch by batch.

    Returns the summed rows per table plus ``documents``.
    """
    ids = documents_to_extract(warehouse, since, source, all_documents)
    results: list[dict[str, int]] = []
    for chunk in batches(ids, batch_size):
        results.append(extract_ids(warehouse, chunk))
        if progress is not None:
            progress(sum_counts(results)["documents"], len(ids))
    return sum_counts(results)
