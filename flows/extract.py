"""The ``extract`` flow: extraction rows for documents that have none for the current extractor version.

One coarse task per batch of documents (ids only cross the task boundary). Each task loads its documents'
text from the warehouse, runs the pure batched extraction and lands the rows in one transaction
(telefeed/pipeline/extract.py, which ``telefeed reextract`` runs without Prefect).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task

from extraction.pipeline import EXTRACTOR_VERSION
from telefeed.pipeline.extract import DEFAULT_BATCH_SIZE, batches, documents_to_extract, extract_ids, sum_counts
from warehouse.backends import open_warehouse


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
    ids = documents_to_extract(warehouse, since_dt, source, all_documents)
    # Batches run one after another: each holds the models and a write transaction; the machine has few cores.
    chunks = batches(ids, batch_size)
    if concurrent:
        futures = [extract_batch_task.submit(path, chunk, i) for i, chunk in enumerate(chunks)]
        results = [future.result() for future in futures]
    else:
        results = [extract_batch_task(path, chunk, i) for i, chunk in enumerate(chunks)]
    return {"extractor_version": EXTRACTOR_VERSION, "batches": len(results), **sum_counts(results)}
