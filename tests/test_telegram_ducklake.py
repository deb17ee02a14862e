"""Telegram landing on the DuckLake backend (PostgreSQL catalog on 127.0.0.1): revision-aware landing,
counter snapshots and the channel cache work there too; reruns add nothing."""

from __future__ import annotations

import pytest

import telefeed.pipeline.telegram as tg
from telefeed.config import TelegramExportSource, TelegramSource
from telefeed.pipeline import ingest_source
from tests.conftest import FIXTURES
from tests.support.fake_telegram import FakeTelegramClient, severny_vestnik_messages
from warehouse.backends import open_warehouse

pytest.importorskip("duckdb_extension_ducklake", reason="needs duckdb-extension-ducklake")
pytest.importorskip("duckdb_extension_postgres", reason="needs duckdb-extension-postgres")


def test_telegram_paths_land_on_ducklake(lake_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = open_warehouse(lake_url)
    client = FakeTelegramClient(severny_vestnik_messages())
    monkeypatch.setattr(tg, "client_factory", lambda source: client)
    api = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    export = TelegramExportSource(
        name="sever-export",
        kind="telegram_export",
        path=str(FIXTURES / "telegram" / "export"),
        channel="severny_vestnik",
    )
    assert ingest_source(api, warehouse, "r1", None).new == 6
    again = ingest_source(api, warehouse, "r2", None)
    assert again.new == 0 and again.skipped == 6
    assert ingest_source(export, warehouse, "r3", None).new == 6
    counts = {
        table: warehouse.query(f"select count(*) from {table}").column(0)[0].as_py()
        for table in ("documents", "telegram_counter_snapshots", "telegram_channels")
    }
    assert counts == {"documents": 12, "telegram_counter_snapshots": 8, "telegram_channels": 1}
    assert [c.name for c in client.calls].count("resolve_channel") == 1
