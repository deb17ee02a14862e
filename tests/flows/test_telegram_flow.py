"""Telegram sources through the Prefect ``ingest`` flow.

Claims: the repository's default sources land the sample Telegram posts offline with no credentials (and
enable no live API source); a ``secret_block`` source reads its credentials from a Prefect Secret block; an API
source configured in TOML runs through the flow with the fake client.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from telethon.tl.functions.contacts import ResolveUsernameRequest
from telethon.tl.types import Message, PeerChannel

from connectors.telegram import TelegramCredentials, TelethonClient
from flows.ingest import ingest
from telefeed.config import TelegramSource, load_sources
from telefeed.resources import Resources
from tests.conftest import REPO_ROOT, write_sources
from tests.support.fake_telegram import (
    BASE_DATE,
    CHANNEL_ID,
    FakeTelegramClient,
    ScriptedChannel,
    ScriptedTelegram,
    channel_entity,
    scripted_telethon,
    severny_vestnik_messages,
)
from warehouse.db import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

SAMPLE_SOURCES = ["kyiv-pulse-export", "sever-vesti-web"]


def test_default_sources_land_sample_posts_offline(warehouse_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TELEGRAM_API_ID", "TELEGRAM_API_HASH", "TELEGRAM_SESSION", "TELEGRAM_SESSION_FILE"):
        monkeypatch.delenv(var, raising=False)
    sources_file = str(REPO_ROOT / "sources.toml")
    kinds = {s.name: s.kind for s in load_sources(sources_file)}
    api = [s for s in load_sources(sources_file) if isinstance(s, TelegramSource)]
    assert api and all(s.snapshot for s in api)  # the only API sources replay a recording: no credentials needed
    assert {kinds[n] for n in SAMPLE_SOURCES} == {"telegram_export", "telegram_preview"}
    results = ingest(sources=SAMPLE_SOURCES, sources_path=sources_file, warehouse_path=warehouse_path)
    by_name = {r["source"]: r for r in results}
    # 15 export messages: 2 service, an album of 3 -> 11 posts; 12 preview widgets: 1 service -> 11 posts
    assert by_name["kyiv-pulse-export"]["status"] == "ok" and by_name["kyiv-pulse-export"]["new"] == 11
    assert by_name["sever-vesti-web"]["status"] == "ok" and by_name["sever-vesti-web"]["new"] == 11
    langs = (
        Warehouse(warehouse_path)
        .query(
            "select count(*) filter (where text like '%Київ%') uk, count(*) filter (where text like '%Киев%') ru "
            "from documents where kind = 'post'"
        )
        .to_pylist()[0]
    )
    assert langs["uk"] >= 1 and langs["ru"] >= 1
    detected = (
        Warehouse(warehouse_path)
        .query(
            "select count(*) filter (where text like '%Київ%' and language = 'uk') uk,"
            " count(*) filter (where text like '%Киев%' and language = 'ru') ru,"
            " count(*) filter (where language is null and text <> '') missing from documents where kind = 'post'"
        )
        .to_pylist()[0]
    )
    assert detected == {"uk": langs["uk"], "ru": langs["ru"], "missing": 0}  # polls have no text, so no language
    clustered = Warehouse(warehouse_path).query(
        "select count(*) from documents d where kind = 'post' and not exists "
        "(select 1 from story_clusters c where c.document_id = d.id)"
    )
    assert clustered.column(0)[0].as_py() == 0  # every landed post joined (or started) a story cluster
    again = ingest(sources=SAMPLE_SOURCES, sources_path=sources_file, warehouse_path=warehouse_path)
    assert sum(r["new"] for r in again) == 0 and sum(r["updated"] for r in again) == 0


def test_secret_block_supplies_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.blocks.system import Secret

    from flows.telegram_secrets import flow_resources, load_secret

    secret = {"api_id": 271828, "api_hash": "hash-from-block", "session_file": "/tmp/unused.session"}
    block: Secret[str] = Secret(value=json.dumps(secret))  # type: ignore[arg-type]  # a str is accepted at run time
    block.save("telefeed-test-telegram", overwrite=True)
    assert load_secret("telefeed-test-telegram") == secret  # Prefect hands back JSON as a dict
    source = TelegramSource(name="x", kind="telegram", channel="@c", secret_block="telefeed-test-telegram")
    credentials = flow_resources().telegram_credentials(source)  # what the ingest flow's resources read
    assert credentials.api_id == 271828 and credentials.api_hash == "hash-from-block"


def test_api_source_from_toml_runs_through_the_flow(
    tmp_path: Path, warehouse_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = FakeTelegramClient(severny_vestnik_messages(), flood_on_calls={1: 2})
    slept: list[float] = []
    resources = Resources(telegram_client=lambda source: client, sleep=slept.append)
    sources = write_sources(
        tmp_path,
        """
[[sources]]
name = "sever-api"
kind = "telegram"
channel = "https://t.me/severny_vestnik"
lookback_messages = 1000
""",
    )
    result = ingest(sources_path=sources, warehouse_path=warehouse_path, resources=resources)[0]
    assert result["status"] == "ok" and result["new"] == 6 and slept == [2]
    assert client.closed  # the flow closed its resources
    config = Warehouse(warehouse_path).query("select config from sources where name = 'sever-api'").column(0)
    assert json.loads(config[0].as_py())["channel"] == "https://t.me/severny_vestnik"


def test_three_api_sources_share_one_session_file_through_the_flow(tmp_path: Path, warehouse_path: str) -> None:
    """Three channels of one account, run by the flow's parallel tasks on one Telethon session file: one client
    is opened and the sources take turns on it (three clients on the file gave ``database is locked``)."""
    channels = [
        ScriptedChannel(
            channel_entity(CHANNEL_ID + n, f"channel_{n}", f"Channel {n}", 1000 + n), _posts(CHANNEL_ID + n)
        )
        for n in range(3)
    ]
    server = ScriptedTelegram(channels)
    credentials = TelegramCredentials(12345, "0123456789abcdef", session_file=str(tmp_path / "account"))
    opened: list[TelethonClient] = []

    def open_client(source: TelegramSource) -> TelethonClient:
        opened.append(TelethonClient(credentials, telethon_class=scripted_telethon(server)))
        return opened[-1]

    sources = write_sources(
        tmp_path,
        "\n".join(
            f'[[sources]]\nname = "api-{n}"\nkind = "telegram"\nchannel = "@channel_{n}"\nlookback_days = 3650\n'
            for n in range(3)
        ),
    )
    resources = Resources(telegram_client=open_client, now=lambda: BASE_DATE + timedelta(days=30))
    results = ingest(sources_path=sources, warehouse_path=warehouse_path, resources=resources, extract=False)
    assert [(r["source"], r["status"], r["new"]) for r in sorted(results, key=lambda r: r["source"])] == [
        ("api-0", "ok", 4),
        ("api-1", "ok", 4),
        ("api-2", "ok", 4),
    ], [r["error_message"] for r in results]
    assert len(opened) == 1  # one client for the account, shared by its three sources
    assert server.count(ResolveUsernameRequest) == 3


def _posts(channel_id: int) -> list[Message]:
    return [
        Message(id=i, peer_id=PeerChannel(channel_id), date=BASE_DATE + timedelta(minutes=i), message=f"post {i}")
        for i in range(1, 5)
    ]
