"""Telegram landing on the DuckLake backend (PostgreSQL catalog on 127.0.0.1): revision-aware landing,
counter snapshots and the channel cache work there too; reruns add nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telefeed.config import TelegramExportSource, TelegramSource
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.conftest import FIXTURES
from tests.support.fake_telegram import BASE_DATE, FakeTelegramClient, severny_vestnik_messages
from warehouse.backends import open_warehouse

pytest.importorskip("duckdb_extension_ducklake", reason="needs duckdb-extension-ducklake")
pytest.importorskip("duckdb_extension_postgres", reason="needs duckdb-extension-postgres")


def test_telegram_paths_land_on_ducklake(lake_url: str) -> None:
    warehouse = open_warehouse(lake_url)
    client = FakeTelegramClient(severny_vestnik_messages())
    resources = Resources(telegram_client=lambda source: client, now=lambda: BASE_DATE + timedelta(days=30))
    api = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    export = TelegramExportSource(
        name="sever-export",
        kind="telegram_export",
        path=str(FIXTURES / "telegram" / "export"),
        channel="severny_vestnik",
    )
    assert ingest_source(api, warehouse, "r1", None, resources).new == 6
    again = ingest_source(api, warehouse, "r2", None, resources)
    assert again.new == 0 and again.skipped == 6
    assert ingest_source(export, warehouse, "r3", None).new == 6
    counts = {
        table: warehouse.query(f"select count(*) from {table}").column(0)[0].as_py()
        for table in ("documents", "telegram_counter_snapshots", "telegram_channels")
    }
    assert counts == {"documents": 12, "telegram_counter_snapshots": 8, "telegram_channels": 1}
    assert [c.name for c in client.calls].count("resolve_channel") == 1


def test_re_sampling_and_tombstones_on_ducklake(lake_url: str) -> None:
    warehouse = open_warehouse(lake_url)
    client = FakeTelegramClient(severny_vestnik_messages())
    clock = [BASE_DATE + timedelta(days=1)]
    resources = Resources(telegram_client=lambda source: client, now=lambda: clock[0])
    api = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    assert ingest_source(api, warehouse, "r1", None, resources).new == 6
    clock[0] += timedelta(hours=2)
    client.delete(102)
    assert ingest_source(api, warehouse, "r2", None, resources).status == "ok"
    deleted = warehouse.query("select external_id, via from telegram_deleted_posts").to_pylist()
    assert deleted == [{"external_id": "severny_vestnik:102", "via": "api"}]
    snapshots = warehouse.query("select message_id, snapshots from telegram_post_counters order by 1").to_pylist()
    # every post observed at landing and at the re-sample, but the deleted one
    assert {r["message_id"]: r["snapshots"] for r in snapshots} == {101: 2, 102: 1, 103: 2, 106: 2, 107: 2, 109: 2}
