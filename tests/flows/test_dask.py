"""Prefect's Dask task runner: one task per source runs in Dask worker processes and lands the same rows.

Feeds and their article pages are served from 127.0.0.1; the same sources are ingested once with the default
task runner and once on Dask (a cluster given by address, and a local cluster started by the flow).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from prefect import flow, task

from flows.ingest import _unexamined, ingest
from telefeed.resources import Resources
from telefeed.stopping import StopRequest
from tests.conftest import write_rss_sources
from tests.support.http_server import FixtureServer, serve
from tests.support.pages import PAGES
from warehouse.backends import open_warehouse

pytest.importorskip("prefect_dask", reason="needs prefect-dask (pip install '.[scale]')")
distributed = pytest.importorskip("distributed")

from flows.scale import LOCAL_CLUSTER, dask_task_runner, ingest_dask, on_dask  # noqa: E402

# The module's Dask cluster and reference run: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("dask")]

ARTICLES = ["syndicated_a.html", "syndicated_b.html", "unrelated_1.html", "unrelated_2.html"]
PAGE_PATH = "/f0/syndicated_a.html"

DOCUMENT_ROWS = (
    "select id, source, kind, external_id, url, title, author, published_at, language, text, summary, "
    "removed_lines, content_hash, version_hash, revision from documents order by id"
)
RAW_ROWS = "select source, external_id, item_kind from raw_items order by all"
EXTRACTION_ROWS = (
    "select 'mention' row_kind, document_id, text, label, canonical_id, start_char from mentions union all "
    "select 'quote', document_id, text, kind, speaker_canonical_id, start_char from quotes order by all"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A two-process Dask cluster on 127.0.0.1, reached by its scheduler address."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
    ) as local:
        yield local


@task
def _worker_pid(batch: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(batch)


@flow
def _probe(batches: list[list[int]]) -> list[tuple[int, int]]:
    return [f.result() for f in [_worker_pid.submit(b) for b in batches]]


@task
def _received(resources: Resources, stop: StopRequest) -> tuple[str, str, bool]:
    return type(resources).__name__, type(stop).__name__, stop.is_set()


@flow
def _hand_over() -> tuple[str, str, bool]:
    """What a task on a worker receives for the run's shared objects, as the ingest flow hands them over."""
    return _received.submit(_unexamined(Resources()), _unexamined(StopRequest())).result()


@dataclass(frozen=True)
class Reference:
    """The module's sources and their run on the default task runner, which every Dask run is compared with."""

    sources: str
    warehouse: str
    results: list[dict[str, Any]]
    page_fetches: int  # requests for one article page during the reference run


@pytest.fixture(scope="module")
def feeds() -> Iterator[FixtureServer]:
    """The module's 127.0.0.1 server of feeds and article pages (read by every run of the module)."""
    yield from serve()


@pytest.fixture(scope="module")
def reference(feeds: FixtureServer, tmp_path_factory: pytest.TempPathFactory, prefect_harness: Any) -> Reference:
    """The sources run once with the default task runner (the same rows for every test: run once per module)."""
    folder = tmp_path_factory.mktemp("dask_reference")
    sources = _sources(folder, feeds)
    warehouse = str(folder / "default.duckdb")
    results = ingest(sources_path=sources, warehouse_path=warehouse)
    return Reference(sources, warehouse, results, len(feeds.requests_to(PAGE_PATH)))


def _sources(tmp_path: Path, server: FixtureServer) -> str:
    feeds = {}
    for feed_number in range(2):
        items = ""
        for i, page in enumerate(ARTICLES[feed_number * 2 : feed_number * 2 + 2]):
            page_url = server.add(f"/f{feed_number}/{page}", body=(PAGES / page).read_bytes(), content_type="text/html")
            items += (
                f"<item><title>Story {feed_number}-{i}</title><link>{page_url}</link><guid>f{feed_number}-{i}</guid>"
                f"<pubDate>Mon, 23 Nov 2026 0{i}:00:00 +0000</pubDate><description>Teaser {i}</description></item>"
            )
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>f{feed_number}</title>{items}</channel></rss>'
        feeds[f"feed{feed_number}"] = server.add(f"/f{feed_number}.xml", body=rss.encode())
    return write_rss_sources(tmp_path, feeds, "fetch_pages = true")


def _rows(path: str, sql: str) -> list[dict[str, Any]]:
    return open_warehouse(path).query(sql).to_pylist()


def test_tasks_run_in_dask_worker_processes(cluster: Any) -> None:
    results = cast(list[tuple[int, int]], on_dask(_probe, cluster.scheduler_address)(batches=[[1, 2], [3], [4, 5, 6]]))
    assert [total for _, total in results] == [3, 3, 15]
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids
    with distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2 and pids <= worker_pids


def test_a_task_on_a_worker_gets_the_runs_resources_and_stop_request_themselves(cluster: Any) -> None:
    assert on_dask(_hand_over, cluster.scheduler_address)() == ("Resources", "StopRequest", False)


def test_runner_choice() -> None:
    remote = dask_task_runner("tcp://10.0.0.5:8786")
    assert remote.cluster_class is None and remote.cluster_kwargs == {}  # an address: no local cluster of its own
    for address in (None, "", LOCAL_CLUSTER):
        runner = dask_task_runner(address, n_workers=3)
        assert runner.address is None
        assert runner.cluster_kwargs["n_workers"] == 3 and runner.cluster_kwargs["processes"] is True


def test_dask_runner_lands_the_same_rows_as_the_default_runner(
    tmp_path: Path, feeds: FixtureServer, reference: Reference
) -> None:
    local_wh = str(tmp_path / "local.duckdb")
    fetched_before = len(feeds.requests_to(PAGE_PATH))
    local = ingest_dask(sources_path=reference.sources, warehouse_path=local_wh, n_workers=2)  # no address: own cluster

    def summary(results: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
        return sorted((r["source"], r["status"], r["new"]) for r in results)

    assert summary(reference.results) == [("feed0", "ok", 2), ("feed1", "ok", 2)]
    assert summary(local) == summary(reference.results)
    documents = _rows(reference.warehouse, DOCUMENT_ROWS)
    assert len(documents) == 4
    assert all(len(d["text"]) > 200 for d in documents), "pages were not fetched and extracted"
    assert _rows(local_wh, DOCUMENT_ROWS) == documents
    raw = _rows(reference.warehouse, RAW_ROWS)
    assert sum(r["item_kind"] == "article_page" for r in raw) == 4
    assert _rows(local_wh, RAW_ROWS) == raw
    # one page fetch per run
    assert (reference.page_fetches, len(feeds.requests_to(PAGE_PATH)) - fetched_before) == (1, 1)
    extracted = _rows(reference.warehouse, EXTRACTION_ROWS)
    assert sum(r["row_kind"] == "mention" for r in extracted) >= 10, "the extract flow did not run"
    assert _rows(local_wh, EXTRACTION_ROWS) == extracted  # extraction batches ran on the Dask workers


def test_cli_run_dask_address_lands_the_same_rows(tmp_path: Path, reference: Reference, cluster: Any) -> None:
    from typer.testing import CliRunner

    from telefeed.cli import app

    warehouse, default_wh = str(tmp_path / "cli.duckdb"), reference.warehouse
    result = CliRunner().invoke(
        app, ["run", "--sources", reference.sources, "--warehouse", warehouse, "--dask", cluster.scheduler_address]
    )
    assert result.exit_code == 0, result.output
    assert "feed0" in result.output and "feed1" in result.output
    assert len(_rows(warehouse, DOCUMENT_ROWS)) == 4
    assert _rows(warehouse, DOCUMENT_ROWS) == _rows(default_wh, DOCUMENT_ROWS)
    assert _rows(warehouse, RAW_ROWS) == _rows(default_wh, RAW_ROWS)


def test_dask_workers_write_to_a_ducklake(reference: Reference, cluster: Any, lake_url: str) -> None:
    pytest.importorskip("duckdb_extension_ducklake", reason="needs duckdb-extension-ducklake (pip install '.[scale]')")
    sources, default_wh = reference.sources, reference.warehouse
    try:
        lake = lake_url
        results = ingest_dask(sources_path=sources, warehouse_path=lake, dask_address=cluster.scheduler_address)
        assert sorted((r["source"], r["status"], r["new"]) for r in results) == [("feed0", "ok", 2), ("feed1", "ok", 2)]
        assert _rows(lake, DOCUMENT_ROWS) == _rows(default_wh, DOCUMENT_ROWS)
        assert _rows(lake, RAW_ROWS) == _rows(default_wh, RAW_ROWS)
    finally:
        from warehouse.ducklake import close_instances

        close_instances()
