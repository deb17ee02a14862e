"""`telefeed report`: a self-contained HTML page whose charts carry the warehouse's numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from telefeed.report import build_report
from tests.support.analyst_fixture import build_fixture_warehouse
from warehouse.db import Warehouse


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "w.duckdb")
    build_fixture_warehouse(path)
    return path


def chart_data(page: str, div_id: str) -> list[dict[str, Any]]:
    """The traces passed to Plotly.newPlot for the chart in ``div_id``."""
    match = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(div_id) + r'",\s*(\[.*?\]),\s*\{', page, flags=re.DOTALL)
    assert match, f"no chart {div_id}"
    traces: list[dict[str, Any]] = json.loads(match.group(1))
    return traces


def test_report_is_self_contained_and_charts_documents_per_source(warehouse_file: str) -> None:
    page = build_report(Warehouse(warehouse_file), datetime(2026, 11, 20, tzinfo=UTC))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src=" not in page and '<link rel="stylesheet" href' not in page  # nothing fetched when opened
    assert "Plotly.newPlot" in page and len(page) > 3_000_000  # the plotly.js bundle is inlined
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in chart_data(page, "chart-documents-per-source")}
    assert traces == {
        "channel": {"2026-11-20": 1, "2026-11-22": 1},
        "frontline": {"2026-11-21": 1, "2026-11-22": 1},
        "wire": {"2026-11-20": 1, "2026-11-21": 1, "2026-11-22": 1},
    }
    assert "Grid struck near Kyiv" in page  # top stories table
    assert "frontline broke" in page  # source health table


def test_report_window_limits_the_data(warehouse_file: str) -> None:
    page = build_report(
        Warehouse(warehouse_file), datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC)
    )
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in chart_data(page, "chart-documents-per-source")}
    assert traces == {"frontline": {"2026-11-21": 1}, "wire": {"2026-11-21": 1}}
    empty = build_report(Warehouse(warehouse_file), datetime(2027, 1, 1, tzinfo=UTC))
    assert "chart-documents-per-source" not in empty and "No documents in this window." in empty


def test_cli_report_writes_the_file(warehouse_file: str, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    result = CliRunner().invoke(app, ["report", "--since", "2026-11-20", "--out", str(out), "-w", warehouse_file])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "2026-11-20" in page and "chart-documents-per-source" in page
    bad = CliRunner().invoke(app, ["report", "--since", "yesterday", "--out", str(out), "-w", warehouse_file])
    assert bad.exit_code == 2
    missing = CliRunner().invoke(app, ["report", "--since", "2026-11-20", "-w", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no warehouse" in missing.output
