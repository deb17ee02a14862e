"""DuckLake backend against a real PostgreSQL catalog on 127.0.0.1 (started by the test) and Parquet in tmp.

Claims: migrations run on DuckLake; two ingest flows writing at once land everything; a reader queries while
they write; conflicting commits are replayed; separate processes can write the same lake; analysts stay
read-only and cannot read files outside the lake.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import ingest
from telefeed.models import Cursor, LandBatch, RawItem
from tests.conftest import FIXTURES, write_sources
from tests.support.http_server import FixtureServer
from tests.support.warehouse import scalar
from warehouse.backends import describe_warehouse, open_warehouse, warehouse_exists
from warehouse.db import Warehouse, WriteRefusedError

ducklake = pytest.importorskip("warehouse.ducklake")
pytest.importorskip("duckdb_extension_ducklake", reason="needs duckdb-extension-ducklake (pip install '.[scale]')")
pytest.importorskip("duckdb_extension_postgres", reason="needs duckdb-extension-postgres (pip install '.[scale]')")


def feed(prefix: str, count: int) -> bytes:
    """An RSS feed with ``count`` distinct entries."""
    items = "".join(
        f"<item><title>{prefix} story {i}</title><link>https://{prefix}.example/a/{i}</link>"
        f"<guid>{prefix}-{i}</guid><pubDate>Mon, 23 Nov 2026 08:{i % 60:02d}:00 +0000</pubDate>"
        f"<description>Body of {prefix} story number {i} with enough words to be a document.</description></item>"
        for i in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{prefix}</title>'
        f"<link>https://{prefix}.example/</link>{items}</channel></rss>"
    ).encode()


def _raw(source: str, i: int) -> RawItem:
    return RawItem(source=source, external_id=f"{source}-{i}", item_kind="test", payload={"n": i})


# -- configuration ---------------------------------------------------------------------------------------------


def test_url_is_parsed_and_a_password_is_refused(tmp_path: Path) -> None:
    url = f"ducklake:postgres:dbname=t host=127.0.0.1 user=u;data_path={tmp_path}"
    spec = ducklake.parse_ducklake_url(url)
    assert spec.metadata == "postgres:dbname=t host=127.0.0.1 user=u"
    assert spec.data_path == str(tmp_path)
    assert describe_warehouse(url) == url
    with pytest.raises(ducklake.DuckLakeConfigError, match="PGPASSWORD") as refused:
        ducklake.parse_ducklake_url("ducklake:postgres:dbname=t password=s3cret user=u")
    assert "s3cret" not in str(refused.value)
    assert (
        ducklake.redact("at path postgres:dbname=t password='a b' user=u")
        == "at path postgres:dbname=t password=*** user=u"
    )
    with pytest.raises(ducklake.DuckLakeConfigError, match="unknown DuckLake URL option 'dta_path'"):
        ducklake.parse_ducklake_url("ducklake:postgres:dbname=t;dta_path=/x")
    with pytest.raises(ducklake.DuckLakeConfigError, match="no catalog"):
        ducklake.parse_ducklake_url("ducklake:")


def test_open_warehouse_picks_the_backend(tmp_path: Path) -> None:
    file_backend = open_warehouse(str(tmp_path / "w.duckdb"))
    assert type(file_backend) is Warehouse
    assert not warehouse_exists(str(tmp_path / "w.duckdb"))
    lake_backend = open_warehouse("ducklake:postgres:dbname=x host=127.0.0.1;data_path=/tmp/x")
    assert isinstance(lake_backend, ducklake.DuckLakeWarehouse)
    file_backend.migrate()
    assert warehouse_exists(str(tmp_path / "w.duckdb"))


# -- landing ---------------------------------------------------------------------------------------------------


def test_migrations_and_landing_match_the_file_backend(lake_url: str, warehouse_path: str) -> None:
    lake = open_warehouse(lake_url)
    file_backend = open_warehouse(warehouse_path)
    batch = LandBatch(
        source="s",
        raw_items=[_raw("s", i) for i in range(5)],
        cursor=Cursor(source="s", etag='"e1"', last_id=4),
    )
    for warehouse in (lake, file_backend):
        first = warehouse.land(batch, run_id="r1")
        again = warehouse.land(batch, run_id="r2")
        assert (first.raw_new, again.raw_new) == (5, 0)
        assert warehouse.get_cursor("s").etag == '"e1"'
    tables = "select table_name from information_schema.tables where table_schema = 'main' order by 1"
    assert lake.query(tables).column(0).to_pylist() == file_backend.query(tables).column(0).to_pylist()
    versions = "select version from schema_version order by 1"
    assert lake.query(versions).column(0).to_pylist() == file_backend.query(versions).column(0).to_pylist()
    rows = "select source, external_id, content_hash, payload from raw_items order by external_id"
    assert lake.query(rows).to_pylist() == file_backend.query(rows).to_pylist()


def test_a_conflicting_commit_is_replayed(lake_url: str) -> None:
    writer = ducklake.DuckLakeWarehouse(lake_url)
    rival = ducklake.DuckLakeWarehouse(lake_url)
    writer.save_cursor(Cursor(source="a", last_id=1))
    attempts: list[int] = []

    def work(con: Any) -> str:
        con.execute("DELETE FROM cursors WHERE source = 'a'")
        if not attempts:  # another writer deletes from the same table and commits first
            rival.save_cursor(Cursor(source="b", last_id=7))
        attempts.append(1)
        con.execute("INSERT INTO cursors VALUES ('a', NULL, NULL, 2, NULL, '{}', now())")
        return "done"

    assert writer.run_in_transaction(work) == "done"
    assert len(attempts) == 2 and writer.conflicts_retried == 1
    assert writer.get_cursor("a").last_id == 2
    assert writer.get_cursor("b").last_id == 7


def _land_in_child(url: str, source: str, batches: int, barrier: Any, results: Any) -> None:
    warehouse = ducklake.DuckLakeWarehouse(url)
    warehouse.migrate()  # attach and warm up before the start line
    barrier.wait(timeout=60)
    for b in range(batches):
        batch = LandBatch(
            source=source,
            raw_items=[_raw(source, b * 10 + i) for i in range(10)],
            cursor=Cursor(source=source, last_id=b) if b == batches - 1 else None,  # as pipelines do
        )
        warehouse.land(batch, run_id=source)
    results.put((source, warehouse.conflicts_retried + warehouse.lock_waits))


def test_writers_in_separate_processes_land_everything_once(lake_url: str) -> None:
    open_warehouse(lake_url).migrate()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    # two processes land the same p1 items at the same time, a third lands p2
    children = [
        context.Process(target=_land_in_child, args=(lake_url, source, 8, barrier, results))
        for source in ("p1", "p2", "p1")
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0, 0]
    retried = [results.get(timeout=5) for _ in children]
    lake = open_warehouse(lake_url)
    assert scalar(lake, "select count(*) from raw_items") == 160
    assert scalar(lake, "select count(distinct (source, external_id)) from raw_items") == 160
    cursors = lake.query("select source, last_id from cursors order by source").to_pylist()
    assert cursors == [{"source": "p1", "last_id": 7}, {"source": "p2", "last_id": 7}]
    assert sum(count for _, count in retried) > 0, "the writers never overlapped (no lock wait, no replay)"


# -- flows -----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("prefect_harness")
def test_two_ingest_flows_at_once_land_everything_while_a_reader_queries(
    lake_url: str, tmp_path: Path, http_server: FixtureServer
) -> None:
    per_feed, names = 30, {"a": ["a1", "a2", "a3"], "b": ["b1", "b2", "b3"]}
    files = {}
    for group, feeds in names.items():
        body = ""
        for name in feeds:
            url = http_server.add(f"/{name}.xml", body=feed(name, per_feed), delay_seconds=0.3)
            body += f'[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\nfetch_pages = false\n\n'
        folder = tmp_path / group
        folder.mkdir()
        files[group] = write_sources(folder, body)
    expected = per_feed * 6
    open_warehouse(lake_url).migrate()

    spans: dict[str, tuple[float, float]] = {}
    results: dict[str, list[dict[str, Any]]] = {}
    errors: list[BaseException] = []

    def run_flow(group: str) -> None:
        start = time.monotonic()
        try:
            results[group] = ingest(sources_path=files[group], warehouse_path=lake_url)
        except BaseException as exc:
            errors.append(exc)
        spans[group] = (start, time.monotonic())

    writers = [threading.Thread(target=run_flow, args=(g,)) for g in names]
    reads: list[tuple[float, int]] = []
    reader = open_warehouse(lake_url)
    for thread in writers:
        thread.start()
    while any(t.is_alive() for t in writers):
        count = reader.read_only_query("select count(*) from documents").column(0)[0].as_py()
        reads.append((time.monotonic(), count))
        time.sleep(0.05)
    for thread in writers:
        thread.join()

    assert not errors, errors
    (a_start, a_end), (b_start, b_end) = spans["a"], spans["b"]
    assert a_start < b_end and b_start < a_end, "the two flows did not overlap"
    for group, feeds in names.items():
        assert sorted(r["source"] for r in results[group]) == feeds
        assert all(r["status"] == "ok" and r["new"] == per_feed for r in results[group]), results[group]
    lake = open_warehouse(lake_url)
    assert scalar(lake, "select count(*) from documents") == expected
    assert scalar(lake, "select count(distinct id) from documents") == expected
    assert scalar(lake, "select count(*) from raw_items") == expected
    assert scalar(lake, "select count(*) from runs where status = 'ok'") == 6
    assert scalar(lake, "select count(*) from cursors") == 6
    assert scalar(lake, "select count(*) from sources") == 6
    during = [count for moment, count in reads if moment < max(a_end, b_end)]
    assert len(during) >= 3, reads
    assert during == sorted(during), "a reader saw rows disappear"
    assert all(0 <= count <= expected for count in during)


def test_reader_is_read_only_and_cannot_read_other_files(lake_url: str) -> None:
    lake = open_warehouse(lake_url)
    lake.land(LandBatch(source="s", raw_items=[_raw("s", i) for i in range(3)]))
    assert lake.read_only_query("select count(*) from raw_items").column(0)[0].as_py() == 3
    with pytest.raises(WriteRefusedError):
        lake.read_only_query("delete from raw_items")
    with lake.reader() as con:
        with pytest.raises(Exception, match=r"(?i)read.only|cannot execute"):
            con.execute("INSERT INTO raw_items SELECT * FROM raw_items")
        with pytest.raises(Exception, match=r"(?i)permission|disabled"):
            con.execute("SELECT * FROM read_text('/etc/hostname')").fetchall()
    assert scalar(lake, "select count(*) from raw_items") == 3


@pytest.mark.usefixtures("prefect_harness")
def test_cli_runs_and_queries_a_lake(lake_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from telefeed.cli import app

    good = FIXTURES / "feeds" / "good_rss.xml"
    sources = write_sources(tmp_path, f'[[sources]]\nname = "good"\nkind = "rss"\nfetch_pages = false\nurl = "{good}"')
    url = lake_url
    cli = CliRunner()
    ran = cli.invoke(app, ["run", "--sources", sources, "--warehouse", url])
    assert ran.exit_code == 0, ran.output
    out = cli.invoke(app, ["sql", "select count(*) as n from documents", "-w", url, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert out.output.strip().replace(" ", "").replace("\n", "") == '[{"n":3}]'
    refused = cli.invoke(app, ["sql", "delete from documents", "-w", url])
    assert refused.exit_code == 2
    info = cli.invoke(app, ["warehouse-info", "-w", url])
    assert info.exit_code == 0, info.output
    assert "DuckLake" in info.output and "001_core" in info.output
    maintained = cli.invoke(app, ["lake-maintain", "-w", url, "--older-than", "1 second"])
    assert maintained.exit_code == 0, maintained.output
    assert "expired_snapshots" in maintained.output
    with_password = cli.invoke(app, ["sql", "select 1", "-w", lake_url.replace(" user=", " password=hunter2 user=")])
    assert with_password.exit_code == 2 and "PGPASSWORD" in with_password.output
    assert "hunter2" not in with_password.output
    assert scalar(open_warehouse(lake_url), "select count(*) from documents") == 3
    # `cluster` opens the warehouse like every command (it used to open a DuckDB file at the URL's text).
    with open_warehouse(lake_url).transaction() as con:
        con.execute("DELETE FROM story_clusters")
    for command in (["cluster"], ["extract", "cluster"]):
        clustered = cli.invoke(app, [*command, "-w", url])
        assert clustered.exit_code == 0, clustered.output
    assert "clustered 0 document(s)" in clustered.output
    assert scalar(open_warehouse(lake_url), "select count(*) from story_clusters") == 3
