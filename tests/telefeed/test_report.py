"""`telefeed report`: a self-contained HTML page whose charts carry the warehouse's numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from telefeed.models import utc_now
from telefeed.report import build_report
from warehouse.db import Warehouse

# The module's analyst warehouse: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("analyst-report")

FIXED_SOURCES = ("wire", "frontline", "channel")  # fixture sources with fixed dates


def chart_data(page: str, div_id: str) -> list[dict[str, Any]]:
    """The traces passed to Plotly.newPlot for the chart in ``div_id``."""
    match = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(div_id) + r'",\s*(\[.*?\]),\s*\{', page, flags=re.DOTALL)
    assert match, f"no chart {div_id}"
    traces: list[dict[str, Any]] = json.loads(match.group(1))
    return traces


def test_report_is_self_contained_and_charts_documents_per_source(analyst_warehouse_file: str) -> None:
    page = build_report(Warehouse(analyst_warehouse_file), datetime(2026, 11, 20, tzinfo=UTC))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src=" not in page and '<link rel="stylesheet" href' not in page  # nothing fetched when opened
    assert "Plotly.newPlot" in page and len(page) > 3_000_000  # the plotly.js bundle is inlined
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in chart_data(page, "chart-documents-per-source")}
    assert {"dispatch", "ledger", "front_channel"} <= set(traces)  # the recent (Bakhmut) fixture sources
    assert {name: traces[name] for name in FIXED_SOURCES} == {
        "channel": {"2026-11-20": 1, "2026-11-22": 1},
        "frontline": {"2026-11-21": 1, "2026-11-22": 1},
        "wire": {"2026-11-20": 1, "2026-11-21": 1, "2026-11-22": 1},
    }
    assert "Grid struck near Kyiv" in page  # top stories table
    assert "frontline broke" in page  # source health table


def test_report_window_limits_the_data(analyst_warehouse_file: str) -> None:
    page = build_report(
        Warehouse(analyst_warehouse_file), datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC)
    )
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in chart_data(page, "chart-documents-per-source")}
    fixed = {name: trace for name, trace in traces.items() if name in FIXED_SOURCES}
    assert fixed == {"frontline": {"2026-11-21": 1}, "wire": {"2026-11-21": 1}}
    empty = build_report(Warehouse(analyst_warehouse_file), datetime(2027, 1, 1, tzinfo=UTC))
    assert "chart-documents-per-source" not in empty and "No documents in this window." in empty


def test_cli_report_writes_the_file(analyst_warehouse_file: str, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    result = CliRunner().invoke(
        app, ["report", "--since", "2026-11-20", "--out", str(out), "-w", analyst_warehouse_file]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "2026-11-20" in page and "chart-documents-per-source" in page
    bad = CliRunner().invoke(app, ["report", "--since", "yesterday", "--out", str(out), "-w", analyst_warehouse_file])
    assert bad.exit_code == 2
    missing = CliRunner().invoke(app, ["report", "--since", "2026-11-20", "-w", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no warehouse" in missing.output


def test_report_charts_entity_mentions_over_time(analyst_warehouse_file: str) -> None:
    page = build_report(
        Warehouse(analyst_warehouse_file), datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)
    )
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in chart_data(page, "chart-entity-mentions")}
    assert traces["Kyiv"] == {"2026-11-20": 2, "2026-11-21": 1, "2026-11-22": 1}
    assert traces["Ukrenergo"] == {"2026-11-20": 1, "2026-11-21": 1}
    assert traces["Olaf Scholz"] == {"2026-11-21": 1}
    assert len(traces) <= 8  # the top 8 entities of the window
    section = page[page.index('id="mentions-over-time') :]
    assert "<td>Kyiv</td><td>LOC</td><td>4</td><td>4</td><td>3</td>" in section  # top entities table
    top3 = build_report(
        Warehouse(analyst_warehouse_file), datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), top=3
    )
    # Kyiv 4 mentions, Ukrenergo 2, then ties at 1 go by canonical id: LOC:avdivka first.
    assert {t["name"] for t in chart_data(top3, "chart-entity-mentions")} == {"Kyiv", "Ukrenergo", "Avdiivka"}


def test_report_charts_top_speakers_and_lists_quotes_and_cited_posts(analyst_warehouse_file: str) -> None:
    since = utc_now() - timedelta(days=7)
    page = build_report(Warehouse(analyst_warehouse_file), since)
    (trace,) = chart_data(page, "chart-top-speakers")
    assert dict(zip(trace["y"], trace["x"], strict=True)) == {
        "Oleksandr Syrskyi": 1,
        "Serhiy Cherevatyi": 1,
        "Oleh Kiper": 1,
    }  # Zelensky's quote is 10 days old: outside the window
    assert "We are holding the line in Bakhmut" in page  # latest quotes table
    assert "https://t.me/bakhmut_front/7" in page and "https://t.me/bakhmut_front/8" in page  # cited posts table
    assert "Bakhmut" in {t["name"] for t in chart_data(page, "chart-entity-mentions")}
