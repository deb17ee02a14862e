"""End-to-end benchmark: feeds and pages from a 127.0.0.1 server plus a Telegram channel through the fake client.

Two measurements, each in a fresh child process (``python -m bench.end_to_end --child ...``):

- **cold vs no-change rerun**: the Prefect ``ingest`` flow (with its ``extract`` step) over ``--feeds`` RSS
  feeds of ``--items`` article-sized items whose pages live on the local server (``tests/support/http_server``)
  plus one Telegram API source of ``--messages`` posts served by a synthetic subclass of
  ``tests/support/fake_telegram.FakeTelegramClient``. The first run lands everything; the second run finds
  nothing new (feeds answer 304 to the stored ETag, the channel has no message past the cursor). A throwaway
  flow runs first so Prefect's temporary server start-up is in neither figure. Target: rerun <= 5% of cold.
- **peak memory**: ``telefeed.pipeline.ingest_source`` on the Telegram source alone (no Prefect, no
  extraction) for each ``--memory-size``; the child reports its own peak RSS (``VmHWM``). Target: the largest
  size within 20% of the smallest (streaming in batches, not holding the corpus).

The fake channel generates each message from its id on request (``bench.corpus.post_text``), so the client
holds nothing and only telefeed's own memory grows with the channel.

    .venv/bin/python -m bench.end_to_end --messages 2000 --feeds 4 --items 25 --memory-size 10k --memory-size 200k
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.corpus import CorpusSpec, corpus_parser, corpus_size, iter_records, post_text, rss_feed

CHANNEL_START = datetime(2024, 1, 1, tzinfo=UTC)
MESSAGE_SPACING = timedelta(seconds=30)
RESULT_PREFIX = "BENCH_RESULT "
EXTRACTING_PEAK_TARGET_MB = 600  # issue 29: one 100k-post Telegram source through ingest with extraction


# -- the child side ------------------------------------------------------------------------------------------


def synthetic_client_class() -> type[Any]:
    """A ``FakeTelegramClient`` whose channel has ``count`` posts made on request from their ids."""
    from telethon.tl.types import Message

    from tests.support.fake_telegram import FakeTelegramClient, channel_post

    @dataclass
    class SyntheticChannelClient(FakeTelegramClient):
        count: int = 0
        seed: int = 7
        messages: list[Any] = field(default_factory=list)

        def message(self, mid: int) -> Message:
            text, _ = post_text(self.seed, mid)
            return channel_post(mid, CHANNEL_START + MESSAGE_SPACING * mid, text[:4000], views=100 + mid % 1000)

        def select(
            self, limit: int, min_id: int, max_id: int, offset_date: datetime | None, reverse: bool
        ) -> list[Any]:
            """Telethon's ``get_messages`` semantics over ids 1..count (dates grow with the id)."""
            low, high = min_id + 1, (max_id - 1 if max_id else self.count)
            if offset_date is not None:
                pivot = int((offset_date - CHANNEL_START) / MESSAGE_SPACING)  # messages <= pivot are not after it
                if reverse:
                    low = max(low, pivot + 1)
                else:
                    high = min(high, pivot if CHANNEL_START + MESSAGE_SPACING * pivot < offset_date else pivot - 1)
            if high < low:
                return []
            ids = (
                range(low, min(high, low + limit - 1) + 1)
                if reverse
                else range(high, max(low, high - limit + 1) - 1, -1)
            )
            return [self.message(mid) for mid in ids]

    return SyntheticChannelClient


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _telegram_toml(name: str = "bench-channel") -> str:
    return (
        f'[[sources]]\nname = "{name}"\nkind = "telegram"\nchannel = "https://t.me/severny_vestnik"\n'
        "lookback_days = 36500\n"
    )


def _synthetic_resources(messages: int, seed: int) -> Any:
    """Run resources whose Telegram client is the synthetic channel of ``messages`` posts."""
    from telefeed.resources import Resources

    client_class = synthetic_client_class()
    return Resources(telegram_client=lambda source: client_class(count=messages, seed=seed))


def _page_html(title: str, text: str) -> bytes:
    from xml.sax.saxutils import escape

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n"))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><header><a href='/'>Home</a></header><article><h1>{escape(title)}</h1>{paragraphs}</article>"
        "<footer>© bench</footer></body></html>"
    ).encode()


def _serve_feeds(server: Any, feeds: int, items: int, seed: int) -> str:
    """Feeds with ETags and their article pages on ``server``; returns the sources TOML for them."""
    records = list(iter_records(CorpusSpec(size=feeds * items, seed=seed, article_share=1.0)))
    toml = []
    for f in range(feeds):
        mine = records[f * items : (f + 1) * items]
        for rec in mine:
            path = f"/pages/feed{f}/{rec['external_id']}"
            rec["url"] = server.url(path)
            server.add(path, body=_page_html(str(rec["title"]), str(rec["text"])), content_type="text/html")
        url = server.add(f"/feed{f}.xml", body=rss_feed(mine, f"feed {f}"), etag=f'"feed{f}-v1"')
        toml.append(f'[[sources]]\nname = "bench-feed-{f}"\nkind = "rss"\nurl = "{url}"\nmax_pages_per_run = {items}\n')
    return "\n".join(toml)


@contextmanager
def _prefect_server(database: str) -> Iterator[str]:
    """A temporary Prefect API server with its database on a temporary PostgreSQL (``database="postgres"``, falling
    back to SQLite when no PostgreSQL can be started) or on SQLite (Prefect's own test harness); yields the
    backend used."""
    from tests.support.postgres import PostgresUnavailable, postgres_server
    from tests.support.prefect_server import prefect_test_server

    with ExitStack() as stack:
        postgres = None
        if database == "postgres":
            try:
                postgres = stack.enter_context(postgres_server())
            except PostgresUnavailable:
                postgres = None
        stack.enter_context(prefect_test_server(postgres, startup_timeout=180))
        yield "postgres" if postgres is not None else "sqlite"


def child_end_to_end(
    messages: int,
    feeds: int,
    items: int,
    seed: int,
    extract: bool,
    write_slot: bool = True,
    prefect_database: str = "postgres",
) -> dict[str, Any]:
    """Cold run then no-change rerun of the ingest flow in this process.

    ``write_slot=False`` is a diagnostic: the flow's warehouse is not wrapped by ``flows.writes.serialised``, so
    connections do not take the Prefect global concurrency slot (the warehouse's own locks still apply).
    ``prefect_database``: where the temporary Prefect server keeps its database (see :func:`_prefect_server`).
    """
    from prefect import flow

    import flows.ingest
    from flows.ingest import ingest

    if not write_slot:
        flows.ingest.serialised = lambda warehouse, *args, **kwargs: warehouse
    from tests.support.http_server import FixtureServer
    from warehouse.db import Warehouse

    workdir = Path(tempfile.mkdtemp(prefix="telefeed-bench-e2e-"))
    server = FixtureServer().start()
    try:
        sources = workdir / "sources.toml"
        sources.write_text(_serve_feeds(server, feeds, items, seed) + "\n" + _telegram_toml(), encoding="utf-8")
        resources = _synthetic_resources(messages, seed)
        warehouse = str(workdir / "warehouse.duckdb")

        @flow(name="bench-warm-up")
        def warm_up() -> int:
            return 1

        with _prefect_server(prefect_database) as backend:
            warm_up()
            start = time.perf_counter()
            cold = ingest(sources_path=str(sources), warehouse_path=warehouse, extract=extract, resources=resources)
            cold_seconds = time.perf_counter() - start
            start = time.perf_counter()
            again = ingest(sources_path=str(sources), warehouse_path=warehouse, extract=extract, resources=resources)
            rerun_seconds = time.perf_counter() - start
        counts = (
            Warehouse(warehouse)
            .query("SELECT kind, count(*) AS n FROM documents GROUP BY kind ORDER BY kind")
            .to_pylist()
        )
        mentions = Warehouse(warehouse).query("SELECT count(*) FROM mentions").column(0)[0].as_py() if extract else 0
        page_requests = sum(1 for r in server.requests if r.path.startswith("/pages/"))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "cold_seconds": cold_seconds,
        "rerun_seconds": rerun_seconds,
        "cold_new": sum(r["new"] for r in cold),
        "rerun_new": sum(r["new"] for r in again),
        "rerun_updated": sum(r["updated"] for r in again),
        "cold_source_seconds": sum(r["seconds"] for r in cold),
        "rerun_source_seconds": sum(r["seconds"] for r in again),
        "rerun_by_source": {r["source"]: r["seconds"] for r in again},
        "statuses": sorted({r["status"] for r in (*cold, *again)}),
        "documents": {row["kind"]: row["n"] for row in counts},
        "mentions": mentions,
        "page_requests": page_requests,
        "peak_rss_mb": _peak_rss_mb(),
        "write_slot": write_slot,
        "prefect_database": backend,
    }


def child_memory(
    messages: int,
    seed: int,
    clustering: bool = True,
    writer_memory_limit: str | None = None,
    checkpoint_threshold: str | None = None,
    extract: bool = False,
) -> dict[str, Any]:
    """The Telegram source alone through ``ingest_source`` (no Prefect); peak RSS of this process.

    ``extract=True`` then runs the extraction of every landed post (``telefeed.pipeline.extract.run_extraction``,
    batch by batch, with its worker processes), and the result also carries the peak of this process and its
    children together (sampled every 0.2 s) and the extraction's seconds.

    ``clustering=False`` is a diagnostic: story clustering after the landing is switched off;
    ``writer_memory_limit`` another: the warehouse's writer connections get this DuckDB cap instead of the default;
    ``checkpoint_threshold`` a third: their WAL size that triggers a checkpoint ("16MB": DuckDB's default).
    """
    from telefeed.config import load_sources
    from telefeed.pipeline import ingest_source
    from warehouse.db import Warehouse

    workdir = Path(tempfile.mkdtemp(prefix="telefeed-bench-mem-"))
    sources = workdir / "sources.toml"
    sources.write_text(_telegram_toml(), encoding="utf-8")
    resources = _synthetic_resources(messages, seed)
    warehouse = Warehouse(workdir / "warehouse.duckdb")
    if writer_memory_limit is not None:
        warehouse.writer_memory_limit = writer_memory_limit
    if checkpoint_threshold is not None:
        warehouse.writer_checkpoint_threshold = checkpoint_threshold
    baseline = _peak_rss_mb()
    extract_seconds = 0.0
    extracted = 0
    try:
        with TreeRssSampler() as tree:
            start = time.perf_counter()
            stats = ingest_source(load_sources(str(sources))[0], warehouse, "bench-memory", None, resources, clustering)
            seconds = time.perf_counter() - start
            if extract:
                from telefeed.pipeline.extract import run_extraction

                start = time.perf_counter()
                extracted = run_extraction(warehouse)["documents"]
                extract_seconds = time.perf_counter() - start
        landed = warehouse.query("SELECT count(*) FROM documents").column(0)[0].as_py()
        size_mb = os.path.getsize(warehouse.path) / 2**20
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "messages": messages,
        "clustering": clustering,
        "writer_memory_limit": warehouse.writer_memory_limit,
        "checkpoint_threshold": warehouse.writer_checkpoint_threshold,
        "clustering_memory_limit": warehouse.clustering_memory_limit,
        "seconds": seconds,
        "status": stats.status,
        "error": stats.error_message,
        "new": stats.new,
        "landed": landed,
        "rss_after_imports_mb": baseline,
        "peak_rss_mb": _peak_rss_mb(),
        "peak_tree_rss_mb": tree.peak_mb,
        "extracted": extracted,
        "extract_seconds": extract_seconds,
        "warehouse_mb": size_mb,
    }


def _tree_rss_mb(root: int) -> float:
    """Resident memory of process ``root`` and all its descendants now, in MB (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1024


class TreeRssSampler:
    """Samples :func:`_tree_rss_mb` of this process every ``interval`` seconds in a thread; keeps the peak."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, _tree_rss_mb(os.getpid()))


# -- the parent side -----------------------------------------------------------------------------------------


def run_child(args: list[str]) -> dict[str, Any]:
    """Run ``python -m bench.end_to_end --child ...`` in a fresh process and return its result."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.end_to_end", "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    raise RuntimeError(f"child {args} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")


def print_end_to_end(result: dict[str, Any], messages: int, feeds: int, items: int, extract: bool) -> None:
    """The cold/rerun table."""
    ratio = result["rerun_seconds"] / result["cold_seconds"]
    slot = "" if result.get("write_slot", True) else ", WITHOUT the Prefect write slot (diagnostic)"
    print(
        f"\n## end to end: {messages:,} Telegram posts + {feeds} feeds x {items} pages, extract={extract}{slot}, "
        f"Prefect server database: {result['prefect_database']}"
    )
    print("| run | seconds | new | updated | note |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| cold | {result['cold_seconds']:.2f} | {result['cold_new']:,} | - | documents {result['documents']}, "
        f"{result['mentions']:,} mentions, {result['page_requests']} page requests in both runs |"
    )
    print(
        f"| no-change rerun | {result['rerun_seconds']:.2f} | {result['rerun_new']} | {result['rerun_updated']} | "
        f"statuses {result['statuses']}, peak RSS {result['peak_rss_mb']:.0f} MB |"
    )
    print(
        f"\nsum of per-source ingest seconds (ingest_source inside the tasks): cold "
        f"{result['cold_source_seconds']:.2f}, rerun {result['rerun_source_seconds']:.2f} "
        f"({', '.join(f'{k} {v:.2f}' for k, v in result['rerun_by_source'].items())}); sources run concurrently, "
        "so the sum can exceed the wall time; the rest is Prefect (flow and task runs, artifacts) and the extract flow"
    )
    print(f"\ntarget rerun <= 5% of cold: {ratio:.1%} -> {'met' if ratio <= 0.05 else 'MISSED'}")


def print_memory(results: list[dict[str, Any]]) -> None:
    """The peak-memory table."""
    notes = "" if results[0].get("clustering", True) else ", story clustering OFF (diagnostic)"
    notes += f", writer DuckDB cap {results[0].get('writer_memory_limit')}"
    notes += f", checkpoint threshold {results[0].get('checkpoint_threshold')}"
    notes += f", clustering DuckDB cap {results[0].get('clustering_memory_limit')}"
    print(f"\n## peak memory: Telegram source through ingest_source, one fresh process per size{notes}")
    print(
        "| messages | seconds | msgs/s | landed | status | RSS after imports MB | peak RSS MB | warehouse MB "
        "| extracted | extraction s | peak RSS with worker processes MB |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['messages']:,} | {r['seconds']:.1f} | {r['messages'] / r['seconds']:,.0f} | {r['landed']:,} | "
            f"{r['status']} | {r['rss_after_imports_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['warehouse_mb']:.0f} | "
            f"{r.get('extracted', 0):,} | {r.get('extract_seconds', 0.0):.1f} | {r.get('peak_tree_rss_mb', 0.0):.0f} |"
        )
    for r in results:
        if r.get("error"):
            print(f"\n{r['messages']:,} messages: status {r['status']}, first error: {r['error']}")
    for r in results:
        if r.get("extracted"):
            peak = r["peak_tree_rss_mb"]
            verdict = "met" if peak <= EXTRACTING_PEAK_TARGET_MB else "MISSED"
            print(
                f"\n{r['messages']:,} posts with extraction: peak {peak:.0f} MB with worker processes "
                f"(target <= {EXTRACTING_PEAK_TARGET_MB} MB at 100k) -> {verdict}"
            )
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"] - 1
        # A run that did not finish cleanly (e.g. clustering failed) did not go through every step: no verdict.
        complete = all(r["status"] == "ok" for r in (small, large))
        verdict = ("met" if growth <= 0.2 else "MISSED") if complete else "NOT MEASURED (a run's status is not ok)"
        print(
            f"\ntarget peak RSS at {large['messages']:,} within 20% of {small['messages']:,}: {growth:+.0%} -> "
            f"{verdict}"
        )


def main() -> None:
    """Command line entry point."""
    parser = corpus_parser(
        "telefeed end-to-end benchmark",
        "--messages",
        default="2000",
        help="Telegram posts for the cold/rerun measurement",
    )
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--items", type=int, default=25, help="items (article pages) per feed")
    parser.add_argument("--no-extract", action="store_true", help="run the ingest flow with extract=False")
    parser.add_argument(
        "--no-write-slot",
        action="store_true",
        help="diagnostic: warehouse connections skip the Prefect global concurrency slot (flows.writes.serialised)",
    )
    parser.add_argument(
        "--prefect-db",
        choices=["postgres", "sqlite"],
        default="postgres",
        help="where the temporary Prefect server keeps its database (postgres falls back to sqlite when no "
        "PostgreSQL server can be started; see scripts/ensure_postgres.sh)",
    )
    parser.add_argument("--memory-size", action="append", help="Telegram posts per memory run (repeatable)")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-no-clustering", action="store_true", help="diagnostic: memory runs skip story clustering"
    )
    parser.add_argument(
        "--memory-writer-cap", help="diagnostic: DuckDB memory cap of the memory runs' writers (e.g. 64MB)"
    )
    parser.add_argument(
        "--memory-checkpoint-threshold",
        help="diagnostic: WAL size at which the memory runs' writers checkpoint (16MB: DuckDB's default)",
    )
    parser.add_argument(
        "--memory-extract",
        action="store_true",
        help="memory runs also extract every landed post (the target: 100k posts <= 600 MB with extraction)",
    )
    parser.add_argument("--child", choices=["e2e", "memory"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    messages = args.messages
    if args.child == "e2e":
        result = child_end_to_end(
            messages, args.feeds, args.items, args.seed, not args.no_extract, not args.no_write_slot, args.prefect_db
        )
        print(RESULT_PREFIX + json.dumps(result))
        return
    if args.child == "memory":
        result = child_memory(
            messages,
            args.seed,
            not args.memory_no_clustering,
            args.memory_writer_cap,
            args.memory_checkpoint_threshold,
            args.memory_extract,
        )
        print(RESULT_PREFIX + json.dumps(result))
        return
    if not args.skip_e2e:
        child_args = ["e2e", "--messages", str(messages), "--feeds", str(args.feeds), "--items", str(args.items)]
        child_args += ["--seed", str(args.seed)] + (["--no-extract"] if args.no_extract else [])
        child_args += ["--no-write-slot"] if args.no_write_slot else []
        child_args += ["--prefect-db", args.prefect_db]
        result = run_child(child_args)
        print_end_to_end(result, messages, args.feeds, args.items, not args.no_extract)
    if args.skip_memory:
        return
    sizes = [corpus_size(s) for s in (args.memory_size or ["10k", "1m"])]
    memory = []
    for size in sizes:
        child_args = ["memory", "--messages", str(size), "--seed", str(args.seed)]
        child_args += ["--memory-no-clustering"] if args.memory_no_clustering else []
        child_args += ["--memory-extract"] if args.memory_extract else []
        child_args += ["--memory-writer-cap", args.memory_writer_cap] if args.memory_writer_cap else []
        if args.memory_checkpoint_threshold:
            child_args += ["--memory-checkpoint-threshold", args.memory_checkpoint_threshold]
        memory.append(run_child(child_args))
        print_memory(memory)


if __name__ == "__main__":
    main()
