"""Many sources in one run: ``telefeed run`` over ``--sources`` local RSS files of ``--items`` items each.

Each feed is a file of article-sized items (``bench.corpus``), ``fetch_pages = false``, ``telefeed run --no-extract``
(the sources are fetched, normalised, landed and clustered; extraction is measured by bench/extraction.py). The run
is the real command line in a child process (its own temporary Prefect server, as a user's first run); the figures
are its wall time and the peak RSS of the largest process of the run (``RUSAGE_CHILDREN`` of a parent
that only starts it), and every source must
end ``ok`` with all its items landed.

    .venv/bin/python -m bench.many_sources --sources 2000 --items 20 --baseline-sources 100

The baseline (the same run over ``--baseline-sources``, measured first in the same invocation) shows whether the
cost per source stays flat as the sources grow.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import CorpusSpec, iter_records, rss_feed

# Runs argv[1:] and prints the peak RSS (KiB) of the largest process it started, then exits with its code.
PEAK_OF_CHILD = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def write_feeds(folder: Path, sources: int, items: int, seed: int = 7) -> Path:
    """``sources`` feed files of ``items`` items each and the sources file naming them; returns its path."""
    records = iter_records(CorpusSpec(size=sources * items, seed=seed))
    lines = []
    for n in range(sources):
        batch = [next(records) for _ in range(items)]
        feed = folder / "feeds" / f"feed-{n:05d}.xml"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_bytes(rss_feed(batch, title=f"feed {n}"))
        lines.append(f'[[sources]]\nname = "feed-{n:05d}"\nkind = "rss"\nfetch_pages = false\nurl = "{feed}"\n')
    path = folder / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _sql(telefeed: str, env: dict[str, str], query: str) -> list[dict[str, Any]] | None:
    """Rows of ``telefeed sql QUERY -f json`` (None when it failed)."""
    done = subprocess.run([telefeed, "sql", query, "-f", "json"], env=env, capture_output=True, text=True, check=False)
    return list(json.loads(done.stdout)) if done.returncode == 0 else None


def run(sources: int, items: int, in_flight: int | None = None) -> dict[str, Any]:
    """One ``telefeed run`` over fresh feeds and a fresh warehouse; wall time, peak RSS and what landed."""
    with tempfile.TemporaryDirectory(prefix="telefeed-many-") as tmp:
        folder = Path(tmp)
        sources_path = write_feeds(folder, sources, items)
        warehouse = folder / "w.duckdb"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEFEED_", "PREFECT_API"))}
        env |= {"TELEFEED_SOURCES": str(sources_path), "TELEFEED_WAREHOUSE": str(warehouse), "COLUMNS": "100"}
        if in_flight:
            env["TELEFEED_MAX_SOURCES_IN_FLIGHT"] = str(in_flight)
        telefeed = str(Path(sys.executable).parent / "telefeed")
        started = time.perf_counter()
        # Through a small parent of its own, so that the peak is this run's (RUSAGE_CHILDREN only grows).
        command = [sys.executable, "-c", PEAK_OF_CHILD, telefeed, "run", "--no-extract"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        peak_mb = float(done.stdout.strip().splitlines()[-1]) / 1024
        counts = _sql(telefeed, env, "select count(*) as n, count(distinct source) as s from documents")
        landed = counts[0] if counts else {"n": None, "s": None}
        statuses = _sql(telefeed, env, "select status, count(*) as n from runs group by status")
    return {
        "sources": sources,
        "items": items,
        "exit_code": done.returncode,
        "seconds": seconds,
        "peak_rss_mb": peak_mb,
        "documents": landed["n"],
        "sources_landed": landed["s"],
        "statuses": statuses,
        "stderr_tail": done.stderr[-2000:] if done.returncode else "",
    }


def main() -> None:
    """Run the benchmark (and its baseline: the same run over fewer sources) and print its figures."""
    parser = argparse.ArgumentParser(description="telefeed: many sources in one run")
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument(
        "--baseline-sources", type=int, default=100, help="the same run over this many sources first (0: none)"
    )
    parser.add_argument(
        "--in-flight", type=int, default=None, help="TELEFEED_MAX_SOURCES_IN_FLIGHT (default: the setting's)"
    )
    args = parser.parse_args()
    sizes = [n for n in (args.baseline_sources, args.sources) if n]
    results = [run(n, args.items, args.in_flight) for n in sizes]
    print(json.dumps(results, indent=2))
    for result in results:
        expected = result["sources"] * args.items
        print(
            f"{result['sources']} sources x {args.items} items: {result['seconds']:.1f} s wall "
            f"({result['seconds'] / result['sources']:.3f} s per source), peak RSS {result['peak_rss_mb']:.0f} MB, "
            f"{result['documents']}/{expected} documents, exit {result['exit_code']}"
        )
    if len(results) == 2:
        small, large = results
        ratio = (large["seconds"] / large["sources"]) / (small["seconds"] / small["sources"])
        print(f"seconds per source at {large['sources']} / at {small['sources']}: {ratio:.2f}x (1.0 = linear)")
        # What each source past the baseline's added: the run's fixed cost (start-up, the temporary Prefect
        # server, the summary) counts in the ratio above but not here.
        marginal = (large["seconds"] - small["seconds"]) / (large["sources"] - small["sources"])
        print(f"each source past {small['sources']}: {marginal:.3f} s (the fixed cost of a run left out)")


if __name__ == "__main__":
    main()
