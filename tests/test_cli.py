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
