"""Many sources in one run: bounded sources in flight, per-host politeness, a clean stop on SIGTERM.

The full-size figure (2,000 feeds of 20 items) is bench/many_sources.py; these tests use a few dozen sources.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.ingest import ingest
from telefeed.config import RssSource
from telefeed.pipeline.scheduling import SourceQueue, group_size, source_groups, source_host
from tests.conftest import write_sources
from tests.support.feeds import rss_feed
from tests.support.http_server import FixtureServer
from tests.support.processes import sigterm_when
from warehouse.db import Warehouse


def _feed_sources(tmp_path: Path, server: FixtureServer, count: int, items: int, delay: float, hosts: int = 1) -> str:
    body = ""
    for n in range(count):
        name = f"feed{n:03d}"
        url = server.add(f"/{name}.xml", body=rss_feed(name, items), delay_seconds=delay)
        if n % hosts:  # the same server under another host name
            url = url.replace("127.0.0.1", "localhost")
        body += f'[[sources]]\nname = "{name}"\nkind = "rss"\nfetch_pages = false\nurl = "{url}"\n'
    return write_sources(tmp_path, body)


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    best = current = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


def test_queue_keeps_limits_and_file_order() -> None:
    def rss(name: str, url: str) -> RssSource:
        return RssSource(name=name, kind="rss", url=url)

    sources = [rss("a1", "https://a.example/1"), rss("a2", "https://A.example/2"), rss("b", "https://b.example/")]
    sources.append(rss("local", "/srv/feeds/x.xml"))
    assert [source_host(s) for s in sources] == ["a.example", "a.example", "b.example", ""]
    queue = SourceQueue(sources, in_flight=2, per_host=1)
    first, second = queue.take(), queue.take()
    assert (first and first.name, second and second.name) == ("a1", "b")  # a2 waits for a1's host
    assert queue.take() is None  # two in flight
    queue.done("a1")
    third = queue.take()
    assert third is not None and third.name == "a2"
    queue.done("b")
    assert [s.name for s in queue.drop_waiting()] == ["local"]


def test_groups_hold_one_host_each_in_file_order_and_split_a_run_into_a_few_per_slot() -> None:
    def rss(name: str, host: str) -> RssSource:
        return RssSource(name=name, kind="rss", url=f"https://{host}/{name}" if host else f"/srv/{name}.xml")

    hosts = ["a.example", "", "b.example", "a.example", "", "a.example", "", "b.example"]
    sources = [rss(f"s{n}", host) for n, host in enumerate(hosts)]
    groups = source_groups(sources, size=2)
    assert [[s.name for s in g.sources] for g in groups] == [
        ["s0", "s3"],  # a.example
        ["s1", "s4"],  # local files
        ["s2", "s7"],  # b.example
        ["s5"],
        ["s6"],
    ]
    assert [g.host for g in groups] == ["a.example", "", "b.example", "a.example", ""]
    assert [g.label for g in groups] == ["s0+1", "s1+1", "s2+1", "s5", "s6"]
    assert group_size(5, in_flight=8, largest=25) == 1  # a small run: one source a task, as many at once
    assert group_size(2000, in_flight=8, largest=25) == 25 and group_size(200, in_flight=8, largest=25) == 7
    queue = SourceQueue(groups, in_flight=3, per_host=1)
    started = [queue.take(), queue.take(), queue.take()]
    assert [g and g.name for g in started] == ["s0", "s1", "s2"]
    assert queue.take() is None  # three groups in flight
    queue.done("s0")
    after = queue.take()
    assert after is not None and after.name == "s5"  # a.example's next group once the first is done


def _overlap_of_requests(server: FixtureServer, delay: float, paths: set[str] | None = None) -> int:
    """Most requests the server was answering at once (each takes ``delay`` seconds)."""
    times = [r.received_at for r in server.requests if paths is None or r.path in paths]
    return _max_overlap([(t, t + delay) for t in times])


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_over_many_sources_keeps_at_most_n_in_flight_and_m_per_host(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEFEED_MAX_SOURCES_IN_FLIGHT", "3")
    monkeypatch.setenv("TELEFEED_MAX_SOURCES_PER_HOST", "2")
    sources = _feed_sources(tmp_path, http_server, count=30, items=5, delay=0.3, hosts=3)  # groups of 3 sources
    results = ingest(sources_path=sources, warehouse_path=warehouse_path, extract=False)
    assert [r["status"] for r in results] == ["ok"] * 30 and sum(r["new"] for r in results) == 150
    assert 2 <= _overlap_of_requests(http_server, 0.3) <= 3  # concurrent, but never more than the setting
    on_ip = {f"/feed{n:03d}.xml" for n in range(0, 30, 3)}
    assert _overlap_of_requests(http_server, 0.3, on_ip) <= 2  # the 127.0.0.1 feeds, at most two at once
    wh = Warehouse(warehouse_path)
    assert wh.query("select count(*) from runs").column(0)[0].as_py() == 30
    assert wh.query("select count(*) from story_clusters").column(0)[0].as_py() == 150


@pytest.mark.usefixtures("prefect_harness")
def test_sigterm_stops_a_run_cleanly_and_a_rerun_completes_it(tmp_path: Path, http_server: FixtureServer) -> None:
    sources = _feed_sources(tmp_path, http_server, count=12, items=4, delay=1.0)
    warehouse = str(tmp_path / "w.duckdb")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEFEED_", "PREFECT_API"))}
    env |= {"TELEFEED_MAX_SOURCES_IN_FLIGHT": "2", "COLUMNS": "100"}
    command = [str(Path(sys.executable).parent / "telefeed"), "run", "--no-extract", "-s", sources, "-w", warehouse]
    running = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = sigterm_when(running, lambda: len(http_server.requests) >= 2, 120, "the run fetched a feed")
    assert running.returncode == 1, text[-3000:]
    assert "not_run" in text and "Traceback" not in text
    wh = Warehouse(warehouse)
    ran = sorted(wh.query("select source from runs where status = 'ok'").column(0).to_pylist())
    assert 2 <= len(ran) < 12  # the sources in flight finished; the others never started
    per_source = wh.query("select source, count(*) as n from documents group by source order by source").to_pylist()
    assert per_source == [{"source": name, "n": 4} for name in ran]  # committed work kept, whole
    cursors = sorted(wh.query("select source from cursors").column(0).to_pylist())
    assert cursors == ran  # a cursor only where its items landed

    again = ingest(sources_path=sources, warehouse_path=warehouse, extract=False)
    assert {r["status"] for r in again} == {"ok"} and sum(r["new"] for r in again) == 48 - 4 * len(ran)
    assert wh.query("select count(*), count(distinct id) from documents").to_pylist() == [
        {"count_star()": 48, "count(DISTINCT id)": 48}
    ]
