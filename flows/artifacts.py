"""Prefect artifacts a run publishes: a table of per-source counts and a markdown digest of what it found."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from telefeed.memory import peak_rss_mb
from warehouse.analyst import run_highlights
from warehouse.backends import open_warehouse

log = logging.getLogger("telefeed.flows.artifacts")

STATS_COLUMNS = ("source", "status", "fetched", "new", "updated", "quarantined", "errors", "seconds")


def stats_rows(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One artifact row per source: fetched, new, updated, quarantined, errors, seconds (and status)."""
    return [{column: r.get(column) for column in STATS_COLUMNS} for r in results]


def _md_cell(value: Any) -> str:
    return " ".join(str("" if value is None else value).split()).replace("|", "\\|")


def _md_section(title: str, columns: dict[str, str], rows: list[list[Any]], empty: str) -> list[str]:
    """``## title`` over a markdown table (``columns``: heading -> alignment cell), or the ``empty`` line."""
    lines = [f"## {title}", ""]
    if not rows:
        return [*lines, empty]
    lines += ["| " + " | ".join(columns) + " |", "|" + "|".join(columns.values()) + "|"]
    return lines + ["| " + " | ".join(_md_cell(value) for value in row) + " |" for row in rows]


def highlights_markdown(
    results: Sequence[dict[str, Any]], entities: list[dict[str, Any]] | None, quotes: list[dict[str, Any]] | None
) -> str:
    """The run digest: totals, the top entities and the quotes of the documents the run added."""
    new = sum(int(r.get("new") or 0) for r in results)
    updated = sum(int(r.get("updated") or 0) for r in results)
    lines = [f"# telefeed run: {new} new and {updated} updated document(s) from {len(results)} source(s)", ""]
    lines += [f"Peak memory of the run's process: {peak_rss_mb():.0f} MB.", ""]
    if entities is None and quotes is None:
        lines.append("_No extraction tables in this warehouse yet; entities and quotes appear after extraction._")
        return "\n".join(lines) + "\n"
    lines += _md_section(
        "Top entities",
        {"entity": "---", "type": "---", "mentions": "---:", "documents": "---:"},
        [[e["entity"], e["entity_type"], e["mentions"], e["documents"]] for e in entities or []],
        "_No entities extracted from this run's documents (yet)._",
    )
    lines.append("")
    lines += _md_section(
        "Quotes",
        {"speaker": "---", "quote": "---", "source": "---"},
        [[q["speaker"], str(q["quote"])[:300], q["source"]] for q in quotes or []],
        "_No quotes extracted from this run's documents (yet)._",
    )
    return "\n".join(lines) + "\n"


def publish_run_artifacts(
    results: Sequence[dict[str, Any]], warehouse_path: str, run_id: str, key_prefix: str = "ingest"
) -> None:
    """Publish the per-source table artifact and the markdown digest for the current flow run.

    ``results`` are the per-source stats dicts of the run; the digest's entities and quotes are those of the
    documents the run added (``run_documents`` rows of ``run_id``; a run that added none does not read the
    warehouse). Failing to read the highlights never fails the run: the table artifact is published regardless.
    """
    create_table_artifact(
        key=f"{key_prefix}-sources",
        table=stats_rows(results),
        description=f"telefeed {key_prefix} run {run_id}: per-source counts",
    )
    entities: list[dict[str, Any]] | None = []
    quotes: list[dict[str, Any]] | None = []
    try:
        if any(r.get("new") for r in results):  # the digest covers the run's new documents; else it is empty
            entities, quotes = run_highlights(open_warehouse(warehouse_path), run_id)
    except Exception as exc:  # the digest is a convenience; the landing already happened
        log.warning("could not read run highlights: %s", exc)
        entities, quotes = None, None
    create_markdown_artifact(
        key=f"{key_prefix}-highlights",
        markdown=highlights_markdown(results, entities, quotes),
        description=f"telefeed {key_prefix} run {run_id}: top entities and quotes",
    )
