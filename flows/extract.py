"""The ``extract`` flow: extraction rows for documents that have none for the current extractor version.

One coarse task per batch of documents (ids only cross the task boundary). Each task loads its documents'
text from the warehouse, runs the pure batched extraction and lands the rows in one transaction. The plain
functions here are also what ``telefeed reextract`` runs (without a Prefect server).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task

from extraction.pipeline import EXTRACTOR_VERSION, batch_rows, extract_batch
from warehouse import extraction as store
from warehouse.backends import open_warehouse
from warehouse.db import Warehouse

DEFAULT_BATCH_SIZE = 200


def extract_ids(warehouse: Warehouse, document_ids: Sequence[str]) -> dict[str, int]:
    """Extract and land one batch of stored documents (replacing their older rows); returns rows per table."""
    inputs = store.load_inputs(warehouse, document_ids)
    if not inputs:
        return {"documents": 0}
    batch = extract_batch(inputs, store.known_channels(warehouse), store.known_entities(warehouse))
    counts = store.land_extraction(warehouse, [i.document_id for i in inputs], batch_rows(batch))
    counts["documents"] = len(inputs)
    return counts


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    """``ids`` cut into lists of at most ``size``."""
    size = max(1, size)
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


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
    ids = store.documents_to_extract(warehouse, EXTRACTOR_VERSION, since, source, all_documents)
    total: dict[str, int] = {"documents": 0}
    for chunk in batches(ids, batch_size):
        for key, value in extract_ids(warehouse, chunk).items():
            total[key] = total.get(key, 0) + value
        if progress is not None:
            progress(total["documents"], len(ids))
    return total


@task(name="extract-batch", task_run_name="extract-batch-{index}")
def extract_batch_task(warehouse_path: str, document_ids: list[str], index: int = 0) -> dict[str, int]:
    """Extract and land one batch of documents given by id."""
    from flows.writes import serialised

    counts = extract_ids(serialised(open_warehouse(warehouse_path)), document_ids)
    get_run_logger().info("batch %d: %s", index, counts)
    return counts


@flow(name="extract", log_prints=True)
def extract(
    warehouse_path: str | None = None,
    since: str | None = None,
    source: str | None = None,
    all_documents: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    concurrent: bool = False,
) -> dict[str, Any]:
    """Extract entities, quotes, attributions, links and Telegram refs for documents that need it.

    Args:
        warehouse_path: DuckDB file or ``ducklake:`` URL (default: ``TELEFEED_WAREHOUSE``).
        since: only documents published (or first seen) at or after this ISO date/time.
        source: only this source.
        all_documents: re-extract every matching document, not only those lacking the current version.
        batch_size: documents per task (one model pipe per batch).
        concurrent: submit the batches to the flow's task runner at once (on a Dask cluster each worker
            process extracts its batches; writes still take turns). Off by default: on one machine the
            batches share few cores and the models' memory.
    """
    from telefeed.config import Settings

    path = warehouse_path or Settings().warehouse
    warehouse = open_warehouse(path)
    since_dt = datetime.fromisoformat(since) if since else None
    ids = store.documents_to_extract(warehouse, EXTRACTOR_VERSION, since_dt, source, all_documents)
    # Batches run one after another: each holds the models and a write transaction; the machine has few cores.
    chunks = batches(ids, batch_size)
    if concurrent:
        futures = [extract_batch_task.submit(path, chunk, i) for i, chunk in enumerate(chunks)]
        results = [future.result() for future in futures]
    else:
        results = [extract_batch_task(path, chunk, i) for i, chunk in enumerate(chunks)]
    summary: dict[str, Any] = {"extractor_version": EXTRACTOR_VERSION, "batches": len(results)}
    for counts in results:
        for key, value in counts.items():
            summary[key] = summary.get(key, 0) + value
    summary.setdefault("documents", 0)
    return summary
