"""SIGKILL the ingest process at random points, rerun: nothing duplicated, nothing missing.

Each of ``KILL_RUNS`` runs ingests a local feed corpus (many entries, small batches, so a kill can land between
and inside many transactions, and during migrations, cursor writes, run records and story clustering) into a
fresh warehouse, is killed with SIGKILL after a random delay, then rerun to completion. The result must equal an
uninterrupted run's: the same documents (id and version), raw items and cursors, with no duplicate keys.
Set ``TELEFEED_KILL_SEED`` to replay a failing sequence.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.reliability.support import Zygote, fetch_all, read_only, write_feed_corpus

# The session's zygote (tests/reliability/conftest.py) loads the models: one pytest-xdist worker runs them all
# (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("zygote")

KILL_RUNS = int(os.environ.get("TELEFEED_KILL_RUNS", "20"))
BATCH_SIZE = 5

DOCS = "SELECT source, external_id, id, version_hash, content_hash FROM documents ORDER BY ALL"
RAW = "SELECT source, external_id, item_kind, content_hash FROM raw_items ORDER BY ALL"
CURSORS = "SELECT source, etag, last_modified FROM cursors ORDER BY ALL"
DUPLICATES = {
    "documents": "SELECT id FROM documents GROUP BY id HAVING count(*) > 1",
    "raw_items": "SELECT source, external_id, content_hash FROM raw_items GROUP BY ALL HAVING count(*) > 1",
    "cursors": "SELECT source FROM cursors GROUP BY source HAVING count(*) > 1",
    "story_clusters": "SELECT document_id FROM story_clusters GROUP BY document_id HAVING count(*) > 1",
    "minhash_bands": "SELECT document_id, band FROM minhash_bands GROUP BY ALL HAVING count(*) > 1",
    "run_documents": "SELECT document_id FROM run_documents GROUP BY document_id HAVING count(*) > 1",
}


def _inspect(path: Path) -> tuple[dict[str, list[tuple[object, ...]]], dict[str, list[tuple[object, ...]]]]:
    """The documents, raw items and cursors of a warehouse, and any duplicate keys (one short connection)."""
    with read_only(path) as con:
        snapshot = {
            "documents": con.execute(DOCS).fetchall(),
            "raw_items": con.execute(RAW).fetchall(),
            "cursors": con.execute(CURSORS).fetchall(),
        }
        tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        duplicates = {name: con.execute(sql).fetchall() for name, sql in DUPLICATES.items() if name in tables}
    return snapshot, duplicates


def test_sigkill_at_random_points_then_rerun_equals_uninterrupted_run(zygote: Zygote, tmp_path: Path) -> None:
    sources = write_feed_corpus(tmp_path / "feeds", feeds=2, entries_per_feed=30)
    baseline_path = tmp_path / "baseline.duckdb"
    baseline_run = zygote.ingest(sources, baseline_path, batch_size=BATCH_SIZE)
    assert baseline_run["exit_code"] == 0, baseline_run
    baseline, _ = _inspect(baseline_path)
    assert len(baseline["documents"]) == 60
    assert len(baseline["cursors"]) == 2

    seed = int(os.environ.get("TELEFEED_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    duration = float(baseline_run["seconds"])
    killed_runs = 0
    for run in range(KILL_RUNS):
        path = tmp_path / f"killed_{run}.duckdb"
        delay = rng.uniform(0.0, duration)
        first = zygote.ingest(sources, path, kill_after=delay, batch_size=BATCH_SIZE)
        killed_runs += bool(first["killed"])
        assert first["killed"] or first["exit_code"] == 0, (seed, run, first)
        rerun = zygote.ingest(sources, path, batch_size=BATCH_SIZE)
        assert rerun["exit_code"] == 0, (seed, run, delay, rerun)
        after, duplicates = _inspect(path)
        context = f"seed={seed} run={run} kill_after={delay:.3f}s"
        assert after["documents"] == baseline["documents"], f"documents differ ({context})"
        assert after["raw_items"] == baseline["raw_items"], f"raw items differ ({context})"
        assert after["cursors"] == baseline["cursors"], f"cursors differ ({context})"
        assert "story_clusters" in duplicates, f"story clustering did not run ({context})"
        assert duplicates == {name: [] for name in duplicates}, f"duplicates ({context})"
    # The delays are drawn inside the run's duration, so nearly every run must really have been killed.
    assert killed_runs >= KILL_RUNS * 0.7, f"only {killed_runs} of {KILL_RUNS} runs were killed (seed={seed})"


@pytest.mark.parametrize("delay", [0.0])
def test_kill_before_any_commit_leaves_a_usable_warehouse(zygote: Zygote, tmp_path: Path, delay: float) -> None:
    sources = write_feed_corpus(tmp_path / "feeds", feeds=1, entries_per_feed=5)
    path = tmp_path / "w.duckdb"
    assert zygote.ingest(sources, path, kill_after=delay)["killed"]
    assert zygote.ingest(sources, path)["exit_code"] == 0
    assert fetch_all(path, "SELECT count(*), count(DISTINCT id) FROM documents") == [(5, 5)]
