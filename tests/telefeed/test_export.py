"""`telefeed export` and `telefeed sql --format ... --out`: Parquet readable by pyarrow, since filter applied."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from warehouse.analyst import UnknownRelationError, read_relation
from warehouse.db import Warehouse

# The module's analyst warehouse: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("analyst-export")

runner = CliRunner()


FIXED_SOURCES = ("wire", "frontline", "channel")  # fixture sources with fixed dates


def test_export_view_with_since(analyst_warehouse_file: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["export", "daily_documents", "--since", "2026-11-21", "--out", str(tmp_path), "-w", analyst_warehouse_file],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "daily_documents.parquet")
    days = table.column("day").to_pylist()
    fixed = [r["day"] for r in table.to_pylist() if r["source"] in FIXED_SOURCES]
    assert min(days) == date(2026, 11, 21) and len(fixed) == 5  # 21st: 2 rows, 22nd: 3 rows
    assert f"wrote {len(days)} row(s)" in result.output


def test_export_table_filters_on_its_time_column(analyst_warehouse_file: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "documents",
            "--since",
            "2026-11-22",
            "--until",
            "2026-11-23",
            "--out",
            str(tmp_path),
            "-w",
            analyst_warehouse_file,
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "documents.parquet")
    fixed = [s for s in table.column("source").to_pylist() if s in FIXED_SOURCES]
    assert sorted(fixed) == ["channel", "frontline", "wire"]
    assert all(t >= datetime(2026, 11, 22, tzinfo=UTC) for t in table.column("published_at").to_pylist())
    everything = runner.invoke(
        app, ["export", "documents", "--out", str(tmp_path / "all"), "-w", analyst_warehouse_file]
    )
    assert everything.exit_code == 0
    assert pq.read_table(tmp_path / "all" / "documents.parquet").num_rows == 13  # 7 fixed-date + 6 recent


def test_export_refuses_unknown_names_and_injection(analyst_warehouse_file: str, tmp_path: Path) -> None:
    for name in ("nope", "documents; drop table documents", 'documents" --'):
        result = runner.invoke(app, ["export", name, "--out", str(tmp_path), "-w", analyst_warehouse_file])
        assert result.exit_code == 2 and "no table or view" in result.output
    with pytest.raises(UnknownRelationError):
        read_relation(Warehouse(analyst_warehouse_file), "nope")
    assert Warehouse(analyst_warehouse_file).query("select count(*) from documents").column(0)[0].as_py() == 13


def test_sql_formats_write_files(analyst_warehouse_file: str, tmp_path: Path) -> None:
    query = f"select source, documents from source_health where source in {FIXED_SOURCES} order by source"
    expected = [
        {"source": "channel", "documents": 2},
        {"source": "frontline", "documents": 2},
        {"source": "wire", "documents": 3},
    ]
    parquet = tmp_path / "h.parquet"
    assert (
        runner.invoke(app, ["sql", query, "-f", "parquet", "-o", str(parquet), "-w", analyst_warehouse_file]).exit_code
        == 0
    )
    assert pq.read_table(parquet).to_pylist() == expected
    js = tmp_path / "h.json"
    assert runner.invoke(app, ["sql", query, "-f", "json", "-o", str(js), "-w", analyst_warehouse_file]).exit_code == 0
    assert json.loads(js.read_text(encoding="utf-8")) == expected
    csv = tmp_path / "h.csv"
    assert runner.invoke(app, ["sql", query, "-f", "csv", "-o", str(csv), "-w", analyst_warehouse_file]).exit_code == 0
    assert csv.read_text(encoding="utf-8").splitlines() == [
        '"source","documents"',
        '"channel",2',
        '"frontline",2',
        '"wire",3',
    ]
    no_out = runner.invoke(app, ["sql", query, "-f", "parquet", "-w", analyst_warehouse_file])
    assert no_out.exit_code == 2 and "--out" in no_out.output
