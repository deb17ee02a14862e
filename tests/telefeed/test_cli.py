"""The `telefeed` command line: run on fixture sources, read-only `sql`, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from tests.conftest import FIXTURES, write_sources
from tests.support.http_server import FixtureServer, feed_of_missing_pages

# The module's landed warehouse: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("cli")

runner = CliRunner()


@pytest.fixture(scope="module")
def landed_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> tuple[str, str]:
    """A warehouse with the good fixture feed landed through `telefeed run` (shared: the tests only read it)."""
    tmp_path = tmp_path_factory.mktemp("cli")
    sources = write_sources(
        tmp_path,
        f'[[sources]]\nname = "good"\nkind = "rss"\nfetch_pages = false\nurl = "{FIXTURES / "feeds" / "good_rss.xml"}"'
        "\n",
    )
    warehouse = str(tmp_path / "w.duckdb")
    result = runner.invoke(app, ["run", "--sources", sources, "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
    assert "good" in result.output
    assert re.search(r"peak memory: [1-9]\d* MB", result.output), result.output
    return warehouse, sources


def test_run_then_sql_counts_documents_and_rerun_adds_nothing(landed_warehouse: tuple[str, str]) -> None:
    warehouse, sources = landed_warehouse
    out = runner.invoke(app, ["sql", "select count(*) as n from documents", "-w", warehouse, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == [{"n": 3}]
    again = runner.invoke(app, ["run", "--sources", sources, "--warehouse", warehouse])
    assert again.exit_code == 0
    out = runner.invoke(app, ["sql", "select count(*) as n from documents", "-w", warehouse, "--format", "csv"])
    assert out.output.strip().splitlines() == ['"n"', "3"]


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE documents",
        "DELETE FROM documents",
        "INSERT INTO sources VALUES ('x','rss','{}',now(),now())",
        "ATTACH '/tmp/other.duckdb' AS other",
        "COPY documents TO '/tmp/leak.csv'",
        "INSTALL httpfs",
        "SET threads = 1",
        "CREATE TABLE t AS SELECT 1",
        "SELECT 1; DROP TABLE documents",
    ],
)
def test_sql_refuses_anything_but_reads(landed_warehouse: tuple[str, str], statement: str) -> None:
    warehouse, _ = landed_warehouse
    out = runner.invoke(app, ["sql", statement, "-w", warehouse])
    assert out.exit_code == 2
    assert "refused" in out.output
    count = runner.invoke(app, ["sql", "select count(*) from documents", "-w", warehouse, "-f", "csv"])
    assert count.output.strip().splitlines()[-1] == "3"


def test_sql_cannot_read_files_outside_the_warehouse(landed_warehouse: tuple[str, str]) -> None:
    warehouse, _ = landed_warehouse
    out = runner.invoke(app, ["sql", "select * from read_csv('/etc/passwd')", "-w", warehouse])
    assert out.exit_code == 2
    assert "disabled" in out.output.lower()


def test_sql_writes_parquet_and_json_files(landed_warehouse: tuple[str, str], tmp_path: Path) -> None:
    warehouse, _ = landed_warehouse
    target = tmp_path / "out" / "docs.parquet"
    out = runner.invoke(
        app, ["sql", "select id, title from documents order by id", "-w", warehouse, "-f", "parquet", "-o", str(target)]
    )
    assert out.exit_code == 0, out.output
    assert pq.read_table(target).num_rows == 3
    json_out = tmp_path / "docs.json"
    runner.invoke(app, ["sql", "select title from documents", "-w", warehouse, "-f", "json", "-o", str(json_out)])
    assert len(json.loads(json_out.read_text())) == 3


def test_run_with_bad_sources_file_prints_one_line_error(tmp_path: Path) -> None:
    deep = tmp_path / ("a-long-folder-name-" * 6) / ("another-long-folder-name-" * 4)
    deep.mkdir(parents=True)
    sources = write_sources(deep, '[[sources]]\nname = "a"\nkind = "rss"\n')
    out = runner.invoke(app, ["run", "--sources", sources, "--warehouse", str(tmp_path / "w.duckdb")])
    assert out.exit_code == 2
    assert "field 'url'" in out.output
    assert "Traceback" not in out.output
    (line,) = out.output.strip().splitlines()  # one line, even when the path is wider than the terminal
    assert sources in line


def test_sql_without_warehouse_says_so(tmp_path: Path) -> None:
    out = runner.invoke(app, ["sql", "select 1", "-w", str(tmp_path / "missing.duckdb")])
    assert out.exit_code == 2
    assert "telefeed run" in out.output


def test_run_exits_1_and_prints_every_error_when_some_sources_fail(
    tmp_path: Path, http_server: FixtureServer, prefect_harness: None
) -> None:
    """Exit codes: 0 all fine, 1 some source failed or had errors (page fetches included), 2 bad usage."""
    http_server.add("/good.xml", body=(FIXTURES / "feeds" / "good_rss.xml").read_bytes())
    http_server.add("/broken.xml", status=500, body=b"down")
    feed_of_missing_pages(http_server, "/paged.xml", 2)
    sources = write_sources(
        tmp_path,
        "".join(
            f'[[sources]]\nname = "{name}"\nkind = "rss"\nfetch_pages = {pages}\nurl = "{http_server.url(path)}"\n'
            "http = { retries = 0, backoff_seconds = 0 }\n"
            for name, path, pages in (
                ("good", "/good.xml", "false"),
                ("broken", "/broken.xml", "false"),
                ("paged-outlet", "/paged.xml", "true"),
            )
        ),
    )
    warehouse = str(tmp_path / "w.duckdb")
    out = runner.invoke(app, ["run", "-s", sources, "-w", warehouse])
    assert out.exit_code == 1, out.output
    lines = out.output.splitlines()
    assert any(line.startswith("broken: ") and "500" in line for line in lines), out.output
    paged = [line for line in lines if line.startswith("paged-outlet: page ")]
    assert len(paged) == 2 and all("404" in line for line in paged), out.output  # both pages, not only the first
    # The summary fits 80 columns: every header and source name whole, no ellipsis, the short headers spelled out.
    assert "…" not in out.output
    header = next(line for line in lines if line.startswith("source"))
    assert header.split() == ["source", "status", "fetched", "new", "upd", "skip", "quar", "err", "secs"]
    assert "quar = quarantined" in out.output
    row = next(line for line in lines if line.startswith("paged-outlet ") and "partial" in line)
    assert row.split()[2:4] == ["2", "2"] and len(row) <= 80

    only_good = runner.invoke(app, ["run", "-s", sources, "-w", warehouse, "--source", "good"])
    assert only_good.exit_code == 0, only_good.output
    unknown = runner.invoke(app, ["run", "-s", sources, "-w", warehouse, "--source", "nosuch"])
    assert unknown.exit_code == 2 and "unknown source" in unknown.output


def test_sql_csv_and_table_show_list_and_struct_columns_as_json(
    landed_warehouse: tuple[str, str], tmp_path: Path
) -> None:
    warehouse, _ = landed_warehouse
    query = "select [title, 'x'] as tags, {'n': 1, 'id': id} as info, metadata from documents order by id limit 1"
    csv_out = runner.invoke(app, ["sql", query, "-w", warehouse, "-f", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    import csv as csv_module

    (row,) = list(csv_module.DictReader(csv_out.output.splitlines()))
    assert json.loads(row["tags"])[1] == "x" and json.loads(row["info"])["n"] == 1
    table_out = runner.invoke(app, ["sql", query, "-w", warehouse])
    assert table_out.exit_code == 0, table_out.output
    assert '"n":1' in table_out.output.replace(" ", "").replace("│", "")
    # Every column of documents and of every view, as CSV.
    views = runner.invoke(
        app, ["sql", "select table_name from information_schema.tables", "-w", warehouse, "-f", "json"]
    )
    for name in ["documents", *(r["table_name"] for r in json.loads(views.output))]:
        target = tmp_path / f"{name}.csv"
        out = runner.invoke(app, ["sql", f"select * from {name}", "-w", warehouse, "-f", "csv", "-o", str(target)])
        assert out.exit_code == 0, (name, out.output)
        assert target.read_text(encoding="utf-8").startswith('"')


def test_sql_out_never_leaves_a_partial_file(landed_warehouse: tuple[str, str], tmp_path: Path) -> None:
    warehouse, _ = landed_warehouse
    target = tmp_path / "result.parquet"
    target.write_bytes(b"previous result")
    # Parquet cannot hold a union: the write fails half way and the previous file stays as it was.
    out = runner.invoke(
        app, ["sql", "select union_value(k := 1) as u", "-w", warehouse, "-f", "parquet", "-o", str(target)]
    )
    assert out.exit_code == 1 and "could not write" in out.output and "Traceback" not in out.output
    assert target.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.parquet"]  # no temporary file left behind
    fresh = tmp_path / "fresh.parquet"
    runner.invoke(app, ["sql", "select union_value(k := 1) as u", "-w", warehouse, "-f", "parquet", "-o", str(fresh)])
    assert not fresh.exists()


def test_commands_grouped_by_noun_and_old_names_still_work(landed_warehouse: tuple[str, str], tmp_path: Path) -> None:
    warehouse, _ = landed_warehouse
    for new, old in ((["warehouse", "info"], ["warehouse-info"]), (["extract", "cluster"], ["cluster"])):
        grouped = runner.invoke(app, [*new, "-w", warehouse])
        alias = runner.invoke(app, [*old, "-w", warehouse])
        assert grouped.exit_code == 0 == alias.exit_code, grouped.output + alias.output
    assert "DuckDB file" in runner.invoke(app, ["warehouse", "info", "-w", warehouse]).output
    note = tmp_path / "note.txt"
    note.write_text(
        "Kyiv, 23 November.\n\nThe city council said power was back   in all districts.\n", encoding="utf-8"
    )
    for command in (["extract", "text"], ["extract-text"]):  # a plain .txt is its own text
        out = runner.invoke(app, [*command, str(note)])
        assert out.exit_code == 0, out.output
        assert (
            json.loads(out.output)["text"]
            == "Kyiv, 23 November.\nThe city council said power was back in all districts."
        )
    for command in (["extract", str(note), "--json"], ["extract", "file", str(note), "--json"]):
        out = runner.invoke(app, command)
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["language"] == "en"


def test_reextract_refuses_an_unknown_source_like_run(landed_warehouse: tuple[str, str]) -> None:
    warehouse, _ = landed_warehouse
    for command in (["reextract"], ["extract", "rerun"]):
        out = runner.invoke(app, [*command, "--source", "nosuch", "-w", warehouse])
        assert out.exit_code == 2 and "unknown source: nosuch" in out.output and "good" in out.output


def test_run_dask_without_the_scale_extra_fails_at_once_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    sources = write_sources(tmp_path, f'[[sources]]\nname = "a"\nkind = "rss"\nurl = "{FIXTURES}/feeds/good_rss.xml"\n')
    script = (
        "import sys; sys.modules['prefect_dask'] = None  # as if the scale extra were not installed\n"
        "from telefeed.cli import main; main()"
    )
    command = [sys.executable, "-c", script, "run", "--dask", "local", "-s", sources, "-w", str(tmp_path / "w.duckdb")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --dask needs prefect_dask: pip install 'telefeed[scale]'"
    assert not (tmp_path / "w.duckdb").exists()
