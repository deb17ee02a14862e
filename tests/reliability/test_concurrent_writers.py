"""Writers at the same time on one DuckDB file: nothing lost, no lock error reaches the user.

``telefeed reextract`` runs in its own process (the CLI, as a user starts it) over the documents already landed,
in small batches, each batch one write transaction; while it writes, two ingest flows start together in this
process and land new feeds. DuckDB takes one read-write process at a time: the warehouse retries its file lock
(warehouse/db.py) and flows take the global write slot (flows/writes.py), so every writer must finish cleanly.
(Two in-process flows alone are also in tests/flows/test_deployments.py; here a second process competes for the file.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import ingest
from telefeed.config import load_sources
from telefeed.pipeline import ingest_source
from tests.reliability.support import REPO_ROOT, read_only, write_feed_corpus
from warehouse.db import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

ENTRIES = 12
LOCK_WORDS = ("lock", "busy", "held by another process", "traceback", "conflict")


def _feeds(folder: Path, names: list[str], seed: int) -> str:
    """A sources file of local feeds named ``names`` (each ``ENTRIES`` entries)."""
    path = write_feed_corpus(folder, feeds=len(names), entries_per_feed=ENTRIES, seed=seed)
    text = path.read_text(encoding="utf-8")
    for n, name in enumerate(names):
        text = text.replace(f'name = "feed_{n}"', f'name = "{name}"')
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_reextract_process_and_two_flows_write_at_once(tmp_path: Path) -> None:
    warehouse_path = str(tmp_path / "warehouse.duckdb")
    landed = _feeds(tmp_path / "landed", ["old_a", "old_b", "old_c"], seed=3)
    warehouse = Warehouse(warehouse_path)
    for source in load_sources(landed):
        assert ingest_source(source, warehouse, "setup").new == ENTRIES
    flow_sources = {
        "first": _feeds(tmp_path / "first", ["new_a", "new_b"], seed=5),
        "second": _feeds(tmp_path / "second", ["new_c", "new_d"], seed=7),
    }

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TELEFEED_"))}
    env.update(PYTHONPATH=str(REPO_ROOT), OPENBLAS_NUM_THREADS="1", COLUMNS="200")
    reextract = subprocess.Popen(
        [sys.executable, "-m", "telefeed", "reextract", "--batch-size", "3", "--warehouse", warehouse_path],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: list[str] = []
    writing = threading.Event()

    def read_stdout() -> None:
        assert reextract.stdout is not None
        for line in reextract.stdout:
            output.append(line)
            if line.startswith("extracted "):
                writing.set()

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    try:
        assert writing.wait(180), f"reextract never wrote a batch: {output} {reextract.poll()}"
        assert reextract.poll() is None, "reextract finished before the flows started: no overlap"

        results: dict[str, list[dict[str, Any]]] = {}
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def run(name: str) -> None:
            try:
                barrier.wait()
                results[name] = ingest(sources_path=flow_sources[name], warehouse_path=warehouse_path, extract=False)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        flows = [threading.Thread(target=run, args=(name,)) for name in flow_sources]
        batches_before_flows = len(output)
        for thread in flows:
            thread.start()
        for thread in flows:
            thread.join(timeout=300)
        code = reextract.wait(timeout=300)
    finally:
        if reextract.poll() is None:
            reextract.kill()
            reextract.wait()
    reader.join(timeout=10)
    assert reextract.stderr is not None
    stderr = reextract.stderr.read()
    stdout = "".join(output)

    assert not errors, errors
    assert code == 0, (stdout, stderr)
    assert f"documents={3 * ENTRIES}" in stdout, stdout
    for text in (stdout, stderr):
        assert not any(word in text.lower() for word in LOCK_WORDS), text
    batches = [line for line in output if line.startswith("extracted ")]
    assert len(batches) == 3 * ENTRIES // 3
    assert len(output) > batches_before_flows + 1  # reextract went on writing batches after the flows started
    statuses = {r["source"]: (r["status"], r["new"]) for batch in results.values() for r in batch}
    assert statuses == {name: ("ok", ENTRIES) for name in ("new_a", "new_b", "new_c", "new_d")}

    with read_only(warehouse_path) as con:
        per_source = dict(con.execute("SELECT source, count(DISTINCT id) FROM documents GROUP BY source").fetchall())
        duplicates = con.execute("SELECT count(*) - count(DISTINCT id) FROM documents").fetchone()
        extracted = con.execute(
            "SELECT d.source, count(*) FROM extracted_documents e JOIN documents d ON d.id = e.document_id "
            "GROUP BY d.source"
        ).fetchall()
        runs = con.execute("SELECT source, status FROM runs WHERE run_id <> 'setup' ORDER BY source").fetchall()
    assert per_source == {name: ENTRIES for name in ("old_a", "old_b", "old_c", "new_a", "new_b", "new_c", "new_d")}
    assert duplicates == (0,)
    assert {s: n for s, n in extracted if s.startswith("old_")} == {
        "old_a": ENTRIES,
        "old_b": ENTRIES,
        "old_c": ENTRIES,
    }
    assert runs == [(name, "ok") for name in ("new_a", "new_b", "new_c", "new_d")]
