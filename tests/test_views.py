"""Every documented view runs and returns the expected rows on the fixture warehouse (tests/support/analyst_fixture)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.support.analyst_fixture import build_fixture_warehouse
from warehouse.analyst import relations
from warehouse.db import Warehouse


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build_fixture_warehouse(str(tmp_path_factory.mktemp("views") / "w.duckdb"))


def rows(wh: Warehouse, sql: str) -> list[dict[str, Any]]:
    return wh.read_only_query(sql).to_pylist()


def documented_relations() -> set[str]:
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### `([a-z_0-9]+)`", text, flags=re.MULTILINE))


def test_every_table_and_view_is_documented_and_every_documented_one_exists(wh: Warehouse) -> None:
    known = set(relations(wh))
    documented = documented_relations()
    assert known - documented == set(), "undocumented tables/views"
    assert documented - known == set(), "documented but missing from the warehouse"


def test_every_documented_view_runs(wh: Warehouse) -> None:
    views = [r for r in relations(wh).values() if r.kind == "view"]
    assert {"source_health", "daily_documents", "story_spread"} <= {v.name for v in views}
    for view in views:
        wh.read_only_query(f'select * from "{view.name}" limit 5')


def test_source_health(wh: Warehouse) -> None:
    health = {r["source"]: r for r in rows(wh, "select * from source_health")}
    assert set(health) == {"wire", "frontline", "channel"}
    wire, frontline, channel = health["wire"], health["frontline"], health["channel"]
    assert wire["kind"] == "rss" and wire["enabled"] is True
    assert wire["runs"] == 2 and wire["last_status"] == "ok" and wire["errors"] == 0
    assert wire["last_success_at"] == wire["last_run_at"] and wire["last_error_at"] is None
    assert frontline["last_success_at"] is None and frontline["last_status"] == "partial"
    assert frontline["failed_runs"] == 1 and frontline["errors"] == 3 and frontline["errors_24h"] == 1
    assert frontline["quarantined"] == 2 and frontline["quarantined_24h"] == 2
    assert frontline["last_error_message"] == "frontline broke"
    assert channel["cursor_last_id"] == 42 and channel["documents"] == 2
    assert wire["documents"] == 3 and wire["quarantined"] == 0 and wire["cursor_last_id"] is None


def test_daily_documents(wh: Warehouse) -> None:
    got = rows(wh, "select day, source, documents, edited from daily_documents order by day, source")
    assert got == [
        {"day": date(2026, 11, 20), "source": "channel", "documents": 1, "edited": 0},
        {"day": date(2026, 11, 20), "source": "wire", "documents": 1, "edited": 0},
        {"day": date(2026, 11, 21), "source": "frontline", "documents": 1, "edited": 0},
        {"day": date(2026, 11, 21), "source": "wire", "documents": 1, "edited": 0},
        {"day": date(2026, 11, 22), "source": "channel", "documents": 1, "edited": 1},
        {"day": date(2026, 11, 22), "source": "frontline", "documents": 1, "edited": 0},
        {"day": date(2026, 11, 22), "source": "wire", "documents": 1, "edited": 0},
    ]


def test_story_spread_follows_the_grid_story_from_wire_to_frontline(wh: Warehouse) -> None:
    grid = rows(
        wh,
        "select day, first_source, documents, sources_that_day, cumulative_documents, cumulative_sources, "
        "total_sources from story_spread where first_title = 'Grid struck near Kyiv' order by day",
    )
    assert grid == [
        {
            "day": date(2026, 11, 20),
            "first_source": "wire",
            "documents": 1,
            "sources_that_day": ["wire"],
            "cumulative_documents": 1,
            "cumulative_sources": 1,
            "total_sources": 2,
        },
        {
            "day": date(2026, 11, 21),
            "first_source": "wire",
            "documents": 1,
            "sources_that_day": ["frontline"],
            "cumulative_documents": 2,
            "cumulative_sources": 2,
            "total_sources": 2,
        },
    ]
    singles = rows(wh, "select count(DISTINCT cluster_id) as n from story_spread where total_documents = 1")
    assert singles == [{"n": 5}]


def test_every_example_query_in_the_schema_doc_runs(wh: Warehouse) -> None:
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    examples = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    assert len(examples) >= len(documented_relations()) - 1
    for sql in examples:
        for statement in sql.split(";"):
            body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
            if body:
                wh.read_only_query(body)
