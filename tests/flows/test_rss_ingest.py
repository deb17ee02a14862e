"""RSS ingestion end to end: the ingest flow against a real 127.0.0.1 server and a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ingest import ingest
from tests.conftest import FIXTURES, write_rss_sources
from tests.support.http_server import FixtureServer
from tests.support.warehouse import CountingOpener
from warehouse.db import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

GOOD_FEED = (FIXTURES / "feeds" / "good_rss.xml").read_bytes()
ETAG = '"v1-good"'
LAST_MODIFIED = "Mon, 23 Nov 2026 10:00:00 GMT"


def _sources(tmp_path: Path, server: FixtureServer, extra: str = "") -> str:
    return write_rss_sources(tmp_path, {"good": server.url("/good.xml")}, f"fetch_pages = false\n{extra}")


def _count(path: str, sql: str) -> int:
    return int(Warehouse(path).query(sql).column(0)[0].as_py())


def test_first_run_lands_every_entry_and_second_run_is_conditional(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/good.xml", body=GOOD_FEED, etag=ETAG, last_modified=LAST_MODIFIED)
    sources = _sources(tmp_path, http_server)

    first = ingest(sources_path=sources, warehouse_path=warehouse_path)
    assert first[0]["status"] == "ok"
    assert first[0]["new"] == 3
    assert _count(warehouse_path, "select count(*) from documents") == 3
    assert _count(warehouse_path, "select count(*) from raw_items") == 3
    cursor = Warehouse(warehouse_path).get_cursor("good")
    assert cursor.etag == ETAG and cursor.last_modified == LAST_MODIFIED

    second = ingest(sources_path=sources, warehouse_path=warehouse_path)
    assert second[0]["status"] == "not_modified"
    assert second[0]["new"] == 0
    assert _count(warehouse_path, "select count(*) from documents") == 3
    conditional = http_server.requests_to("/good.xml")[-1].headers
    assert conditional.get("if-none-match") == ETAG
    assert conditional.get("if-modified-since") == LAST_MODIFIED
    statuses = Warehouse(warehouse_path).query("select status from runs order by finished_at").column(0).to_pylist()
    assert statuses == ["ok", "not_modified"]


def test_rerun_without_validators_adds_nothing(tmp_path: Path, http_server: FixtureServer, warehouse_path: str) -> None:
    http_server.add("/good.xml", body=GOOD_FEED)  # no ETag / Last-Modified: every run refetches
    sources = _sources(tmp_path, http_server)
    ingest(sources_path=sources, warehouse_path=warehouse_path)
    again = ingest(sources_path=sources, warehouse_path=warehouse_path)
    assert again[0]["new"] == 0 and again[0]["skipped"] == 3
    assert _count(warehouse_path, "select count(*) from documents") == 3
    assert _count(warehouse_path, "select count(*) from raw_items") == 3


def test_ill_formed_feed_lands_good_entries_and_quarantines_the_rest(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/good.xml", body=(FIXTURES / "feeds" / "ill_formed_rss.xml").read_bytes())
    result = ingest(sources_path=_sources(tmp_path, http_server), warehouse_path=warehouse_path)[0]
    assert result["new"] == 3  # the entry with only a description lands too (its id is made from its text)
    assert result["quarantined"] == 1
    reasons = Warehouse(warehouse_path).query("select reason from quarantine order by reason").column(0).to_pylist()
    assert len(reasons) == 1 and "neither text nor title" in reasons[0]
    assert result["error_message"] and "ill-formed" in result["error_message"]


def test_server_errors_and_slow_feeds_fail_one_source_and_the_rest_go_on(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/good.xml", body=GOOD_FEED)
    http_server.add("/broken.xml", status=500, body=b"boom", content_type="text/plain")
    http_server.add("/slow.xml", body=GOOD_FEED, delay_seconds=3)
    sources = write_rss_sources(
        tmp_path,
        {name: http_server.url(f"/{name}.xml") for name in ("good", "broken", "slow")},
        "fetch_pages = false\nhttp = { timeout_seconds = 0.5, retries = 1, backoff_seconds = 0.05 }",
    )
    results = {r["source"]: r for r in ingest(sources_path=sources, warehouse_path=warehouse_path)}
    assert results["good"]["new"] == 3
    assert results["broken"]["status"] == "failed" and "HTTP 500" in results["broken"]["error_message"]
    assert len(http_server.requests_to("/broken.xml")) == 2  # one retry
    assert results["slow"]["status"] == "failed" and "timed out" in results["slow"]["error_message"]
    assert Warehouse(warehouse_path).get_cursor("broken").etag is None
    failed = Warehouse(warehouse_path).query("select source from runs where status = 'failed' order by source")
    assert failed.column(0).to_pylist() == ["broken", "slow"]


def test_transient_503_is_retried(tmp_path: Path, http_server: FixtureServer, warehouse_path: str) -> None:
    from tests.support.http_server import Route

    http_server.add("/good.xml", Route(body=GOOD_FEED, failures_before_success=2))
    extra = "http = { retries = 3, backoff_seconds = 0.01 }"
    result = ingest(sources_path=_sources(tmp_path, http_server, extra), warehouse_path=warehouse_path)[0]
    assert result["status"] == "ok" and result["new"] == 3
    assert len(http_server.requests_to("/good.xml")) == 3


def test_a_no_change_rerun_opens_the_warehouse_file_twice(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    """The fixed cost of a rerun is mostly file opens (bench/README.md, "End to end"): here (no article pages)
    the cursor read, then one open for the clustering check and the run record together."""
    from telefeed.config import load_sources
    from telefeed.pipeline import ingest_source

    http_server.add("/good.xml", body=GOOD_FEED, etag=ETAG, last_modified=LAST_MODIFIED)
    (source,) = load_sources(_sources(tmp_path, http_server))
    assert ingest_source(source, Warehouse(warehouse_path), "cold").new == 3
    opener = CountingOpener()
    rerun = ingest_source(source, Warehouse(warehouse_path, opener=opener), "rerun")
    assert rerun.status == "not_modified" and rerun.new == 0
    assert len(opener.opened) == 2, opener.opened
    runs = Warehouse(warehouse_path).query("select run_id, status from runs order by finished_at").to_pylist()
    assert runs == [{"run_id": "cold", "status": "ok"}, {"run_id": "rerun", "status": "not_modified"}]
