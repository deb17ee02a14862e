"""warehouse/tables.py against the migrations: every table, column, type and NOT NULL as a migrated warehouse has
them, keys that hold after real landings, and migrations that declare nothing DuckLake cannot store."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from tests.conftest import REPO_ROOT
from tests.support.warehouse import key_duplicates
from warehouse.backends import open_warehouse
from warehouse.db import Warehouse
from warehouse.tables import TABLES, Table

# DuckDB's DESCRIBE spelling -> the migrations' spelling used in warehouse/tables.py.
_DESCRIBED_AS = {"TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ"}


def _described(warehouse: Warehouse) -> dict[str, list[tuple[str, str, bool]]]:
    """table -> [(column, type, nullable)] of every base table of the main schema, in column order."""
    rows = warehouse.query(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_catalog = current_database() "
        "AND table_name IN (SELECT table_name FROM information_schema.tables "
        "                   WHERE table_schema = 'main' AND table_type = 'BASE TABLE') "
        "ORDER BY table_name, ordinal_position"
    ).to_pylist()
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for r in rows:
        sql_type = _DESCRIBED_AS.get(r["data_type"], r["data_type"])
        out.setdefault(r["table_name"], []).append((r["column_name"], sql_type, r["is_nullable"] == "YES"))
    return out


def _declared(table: Table) -> list[tuple[str, str, bool]]:
    return [(c.name, c.sql_type, c.nullable) for c in table.columns]


def _assert_matches_migrations(warehouse: Warehouse) -> None:
    described = _described(warehouse)
    assert sorted(described) == sorted(TABLES), "tables missing from warehouse/tables.py, or never created"
    for name, table in TABLES.items():
        assert described[name] == _declared(table), name
        nullable_keys = [c.name for c in table.columns if c.name in table.key and c.nullable]
        assert nullable_keys == [], f"{name}: key columns must be NOT NULL"


def test_every_table_is_declared_as_the_migrations_make_it(wh: Warehouse) -> None:
    _assert_matches_migrations(wh)


def test_a_lake_has_the_same_tables(lake_url: str) -> None:
    _assert_matches_migrations(open_warehouse(lake_url))


def test_landing_schemas_leave_out_what_the_warehouse_fills() -> None:
    documents = TABLES["documents"].landing_schema
    assert "version_hash" not in documents.names and "revision" not in documents.names
    assert documents.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert documents.field("removed_lines").type == pa.list_(pa.string())
    assert TABLES["minhash_bands"].landing_schema.field("band_key").type == pa.uint64()
    assert TABLES["raw_items"].key_match("r", "b") == (
        "r.source = b.source AND r.external_id = b.external_id AND r.content_hash = b.content_hash"
    )


def test_keys_hold_in_a_warehouse_built_by_the_real_landing(analyst_warehouse: Warehouse) -> None:
    counts = {name: analyst_warehouse.query(f"SELECT count(*) FROM {name}").column(0)[0].as_py() for name in TABLES}
    filled = {name for name, count in counts.items() if count}
    # The fixture lands sources, runs, quarantine, documents, extraction and clusters: the check is not vacuous.
    assert {"documents", "raw_items", "quarantine", "mentions", "quotes", "story_clusters", "links"} <= filled
    assert {name: key_duplicates(analyst_warehouse, name) for name in filled} == {name: [] for name in filled}


def test_a_duplicated_key_is_found(wh: Warehouse) -> None:
    wh.query("INSERT INTO sources VALUES ('a', 'rss', NULL, now(), now()), ('a', 'rss', NULL, now(), now())")
    assert key_duplicates(wh, "sources") == [{"name": "a", "rows": 2}]


@pytest.mark.parametrize("version_name_sql", Warehouse.migration_files(), ids=lambda m: m[1])
def test_migrations_declare_nothing_ducklake_cannot_store(version_name_sql: tuple[int, str, str]) -> None:
    code = re.sub(r"--[^\n]*", "", version_name_sql[2])
    found = re.findall(
        r"\b(PRIMARY\s+KEY|UNIQUE|REFERENCES|CHECK\s*\(|CREATE\s+(?:UNIQUE\s+)?INDEX|SEQUENCE)\b", code, re.I
    )
    assert found == [], "DuckLake has no keys, indexes or sequences: state keys in warehouse/tables.py"


def test_docs_state_the_same_keys() -> None:
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_0-9]+)`", text, flags=re.MULTILINE)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    documented = {}
    for name in TABLES:
        key = re.search(r"Key:\s*(.+?)(?:\.\s|\.$| \()", sections[name], re.DOTALL)
        documented[name] = tuple(re.findall(r"[a-z_]+", key.group(1))) if key else None
    assert documented == {name: table.key for name, table in TABLES.items()}
