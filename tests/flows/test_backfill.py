"""Backfill: a window lands once, reruns add nothing, the forward cursor never moves; CLI and chunking."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from typer.testing import CliRunner

from flows.backfill import ChunkProgress, listen
from flows.backfill import backfill as backfill_flow
from flows.ingest import ingest
from telefeed.cli import app
from telefeed.pipeline.backfill import split_window
from tests.conftest import write_rss_sources, write_sources
from tests.support.http_server import FixtureServer, feed_of_missing_pages
from tests.support.warehouse import scalar
from warehouse.db import Warehouse

backfill = cast(Any, backfill_flow)  # called with ISO strings, as a deployment run passes them

pytestmark = pytest.mark.usefixtures("prefect_harness")

ETAG = '"feed-v1"'


def _item(n: int, day: int) -> str:
    return (
        f"<item><title>Report {n}</title><link>https://dated.example/{n}</link><guid>dated-{n}</guid>"
        f"<pubDate>{day:02d} Nov 2026 12:00:00 +0000</pubDate>"
        f"<description>Item number {n} published on day {day}.</description></item>"
    )


# Expect: five entries published on 1, 3, 5, 7 and 9 November 2026 (noon UTC).
FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Dated</title>'
    "<link>https://dated.example/</link>"
    + "".join(_item(n, d) for n, d in enumerate([1, 3, 5, 7, 9], 1))
    + "</channel></rss>"
).encode()


def _sources(tmp_path: Path, server: FixtureServer) -> str:
    return write_rss_sources(tmp_path, {"dated": server.url("/dated.xml")}, "fetch_pages = false")


def _cursor_row(path: str) -> list[dict[str, object]]:
    return Warehouse(path).query("select * from cursors order by source").to_pylist()


def test_backfill_lands_the_window_once_and_never_moves_the_cursor(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/dated.xml", body=FEED, etag=ETAG)
    sources = _sources(tmp_path, http_server)

    def backfill_dated(since: str, until: str) -> dict[str, Any]:
        return backfill(
            source="dated", since=since, until=until, sources_path=sources, warehouse_path=warehouse_path, extract=False
        )

    first = backfill_dated("2026-11-03", "2026-11-08")
    assert first["status"] == "ok"
    assert first["new"] == 3 and first["chunks"] == 1
    titles = Warehouse(warehouse_path).query("select title from documents order by title").column(0).to_pylist()
    assert titles == ["Report 2", "Report 3", "Report 4"]
    assert _cursor_row(warehouse_path) == []  # a backfill never writes the forward cursor
    assert "if-none-match" not in http_server.requests_to("/dated.xml")[-1].headers
    raw_before = scalar(warehouse_path, "select count(*) from raw_items")

    again = backfill_dated("2026-11-03", "2026-11-08")
    assert again["new"] == 0 and again["updated"] == 0
    assert scalar(warehouse_path, "select count(*) from documents") == 3
    assert scalar(warehouse_path, "select count(*) from raw_items") == raw_before

    # A forward run sets the cursor; a later backfill leaves it exactly as it was.
    forward = ingest(sources_path=sources, warehouse_path=warehouse_path, extract=False)
    assert forward[0]["new"] == 2
    cursor = _cursor_row(warehouse_path)
    assert cursor[0]["etag"] == ETAG
    late = backfill_dated("2026-11-01", "2026-11-10")
    assert late["new"] == 0
    assert _cursor_row(warehouse_path) == cursor
    modes = Warehouse(warehouse_path).query("select mode, count(*) from runs group by mode order by mode").to_pylist()
    assert modes == [{"mode": "backfill", "count_star()": 3}, {"mode": "forward", "count_star()": 1}]


def test_chunks_report_progress_and_cover_the_window(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/dated.xml", body=FEED)
    events: list[ChunkProgress] = []
    with listen(events.append):
        totals = backfill(
            source="dated",
            since=datetime(2026, 11, 1, tzinfo=UTC),
            until=datetime(2026, 11, 7, tzinfo=UTC),
            chunk_days=2,
            sources_path=_sources(tmp_path, http_server),
            warehouse_path=warehouse_path,
            extract=False,  # extraction after a backfill: tests/flows/test_deployments.py
        )
    assert [(e.index, e.total) for e in events] == [(1, 3), (2, 3), (3, 3)]
    assert [e.stats["new"] for e in events] == [1, 1, 1]  # 1 Nov, 3 Nov, 5 Nov: one per two-day chunk
    assert totals["new"] == 3 and totals["chunks"] == 3
    assert events[-1].until == datetime(2026, 11, 7, tzinfo=UTC)


def test_split_window() -> None:
    lo, hi = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=UTC)
    assert split_window(lo, hi, None) == [(lo, hi)]
    chunks = split_window(lo, hi, 1)
    assert len(chunks) == 3 and chunks[0][0] == lo and chunks[-1][1] == hi
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
    with pytest.raises(ValueError, match="empty backfill window"):
        split_window(hi, lo, 1)


def test_cli_backfill_prints_totals_and_refuses_bad_dates(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/dated.xml", body=FEED)
    sources = _sources(tmp_path, http_server)
    runner = CliRunner()
    args = [
        "backfill",
        "--source",
        "dated",
        "--since",
        "2026-11-05",
        "--no-extract",
        "-w",
        warehouse_path,
        "-s",
        sources,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "new=3" in result.output  # 5, 7 and 9 November
    assert "1/1" in result.output  # the progress bar finished its one chunk
    rerun = runner.invoke(app, args)
    assert rerun.exit_code == 0 and "new=0" in rerun.output
    bad = runner.invoke(app, ["backfill", "--source", "dated", "--since", "last week", "-s", sources])
    assert bad.exit_code == 2 and "not a date" in bad.output
    unknown = runner.invoke(app, ["backfill", "--source", "nope", "--since", "2026-11-01", "-s", sources])
    assert unknown.exit_code == 2 and "unknown source" in unknown.output


def test_cli_backfill_exits_1_and_prints_each_page_failure(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    url = feed_of_missing_pages(http_server, "/paged.xml", 2)
    sources = write_sources(
        tmp_path,
        f'[[sources]]\nname = "paged"\nkind = "rss"\nurl = "{url}"\nhttp = {{ retries = 0, backoff_seconds = 0 }}\n',
    )
    args = ["backfill", "--source", "paged", "--since", "2026-11-01", "--no-extract", "-w", warehouse_path]
    result = CliRunner().invoke(app, [*args, "-s", sources])
    assert result.exit_code == 1, result.output  # the documents landed, but two pages failed: cron must see it
    assert "status=partial" in result.output and "new=2" in result.output
    failures = [line for line in result.output.splitlines() if line.startswith("paged: page ")]
    assert len(failures) == 2 and all("404" in line for line in failures), result.output
