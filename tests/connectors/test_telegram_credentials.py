"""Telegram credentials: loading (env, secret), the live client's session handling (no network), and that
credentials never reach logs, console output or any warehouse table.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

from connectors.telegram import (
    TelegramCredentialsError,
    TelethonClient,
    load_credentials,
    session_path,
)
from telefeed.config import TelegramSource
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.support.fake_telegram import FakeTelegramClient, severny_vestnik_messages
from warehouse.db import Warehouse

API_ID = "31415926"
API_HASH = "f4k3ap1hash0f4k3ap1hash0f4k3ap1h"


def _string_session() -> str:
    session = StringSession()
    session.set_dc(2, "149.154.167.51", 443)
    session.auth_key = AuthKey(bytes(range(256)))
    return session.save()


SESSION = _string_session()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_load_credentials_from_env_hides_secrets_in_repr() -> None:
    creds = load_credentials({"TELEGRAM_API_ID": API_ID, "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_SESSION": SESSION})
    assert creds.api_id == int(API_ID) and creds.api_hash == API_HASH and creds.session == SESSION
    for text in (repr(creds), str(creds), f"{creds}"):
        assert API_HASH not in text and SESSION not in text and API_ID not in text


def test_secret_block_values_win_over_env() -> None:
    secret = json.dumps({"api_id": 42, "api_hash": "from-secret", "session": SESSION})
    creds = load_credentials({"TELEGRAM_API_ID": API_ID, "TELEGRAM_API_HASH": API_HASH}, secret=secret)
    assert (creds.api_id, creds.api_hash, creds.session) == (42, "from-secret", SESSION)


def test_missing_credentials_name_variables_not_values() -> None:
    with pytest.raises(TelegramCredentialsError) as info:
        load_credentials({"TELEGRAM_API_HASH": API_HASH})
    message = str(info.value)
    assert "TELEGRAM_API_ID" in message and "TELEGRAM_SESSION or TELEGRAM_SESSION_FILE" in message
    assert API_HASH not in message
    with pytest.raises(TelegramCredentialsError, match="not a number"):
        load_credentials({"TELEGRAM_API_ID": "abc", "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_SESSION": SESSION})


def test_invalid_string_session_is_a_clear_error_without_the_value() -> None:
    creds = load_credentials(
        {"TELEGRAM_API_ID": API_ID, "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_SESSION": "not-a-session-xyz"}
    )
    with pytest.raises(TelegramCredentialsError) as info:
        TelethonClient(creds)
    assert "not-a-session-xyz" not in str(info.value)


def test_session_file_is_created_0600_without_connecting(tmp_path: Path) -> None:
    target = tmp_path / "secrets" / "telefeed"
    creds = load_credentials(
        {"TELEGRAM_API_ID": API_ID, "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_SESSION_FILE": str(target)}
    )
    old_umask = os.umask(0o022)
    try:
        client = TelethonClient(creds)
    finally:
        os.umask(old_umask)
    path = session_path(str(target))
    assert path == tmp_path / "secrets" / "telefeed.session"
    assert path.exists() and _mode(path) == 0o600
    client.close()


def test_existing_session_file_is_tightened_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "old.session"
    path.write_bytes(b"")
    path.chmod(0o644)
    creds = load_credentials(
        {"TELEGRAM_API_ID": API_ID, "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_SESSION_FILE": str(path)}
    )
    TelethonClient(creds).close()
    assert _mode(path) == 0o600


def test_secret_block_needs_a_secret_loader() -> None:
    source = TelegramSource(name="x", kind="telegram", channel="@c", secret_block="telegram-creds")
    with pytest.raises(TelegramCredentialsError, match="secret_block"):
        Resources().open_telegram_client(source)


def test_secret_block_values_win_over_the_environment() -> None:
    source = TelegramSource(name="x", kind="telegram", channel="@c", secret_block="telegram-creds")
    environ = {"TELEGRAM_API_ID": "1", "TELEGRAM_API_HASH": "env-hash", "TELEGRAM_SESSION_FILE": "/tmp/x.session"}
    asked: list[str] = []

    def loader(name: str) -> dict[str, Any]:
        asked.append(name)
        return {"api_id": 271828, "api_hash": "hash-from-block"}

    credentials = Resources(secret_loader=loader, environ=environ).telegram_credentials(source)
    assert asked == ["telegram-creds"]
    assert (credentials.api_id, credentials.api_hash, credentials.session_file) == (
        271828,
        "hash-from-block",
        "/tmp/x.session",
    )


def _all_table_text(path: str) -> str:
    warehouse = Warehouse(path)
    tables = (
        warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE'"
        )
        .column(0)
        .to_pylist()
    )
    assert {"documents", "raw_items", "cursors", "runs", "telegram_channels", "telegram_counter_snapshots"} <= set(
        tables
    )
    chunks = []
    for table in tables:
        for row in warehouse.query(f'select * from "{table}"').to_pylist():
            chunks.append(repr(row))
    return "\n".join(chunks)


def test_credentials_never_reach_logs_output_or_warehouse(
    monkeypatch: pytest.MonkeyPatch,
    warehouse_path: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_API_ID", API_ID)
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.setenv("TELEGRAM_SESSION", SESSION)
    fake = FakeTelegramClient(severny_vestnik_messages(), flood_on_calls={1: 3})
    built: list[Any] = []

    def factory(source: TelegramSource) -> FakeTelegramClient:
        # the real credential path (env -> credentials -> Telethon client, not connected), then the fake
        live = Resources().open_telegram_client(source)
        built.append(live)
        live.close()
        return fake

    caplog.set_level(logging.DEBUG)
    source = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    Warehouse(warehouse_path).register_sources([(source.name, source.kind, source.model_dump(mode="json"))])
    with Resources(telegram_client=factory, sleep=lambda seconds: None) as resources:
        stats = ingest_source(source, Warehouse(warehouse_path), "run-secret", None, resources)
    assert stats.new == 6 and len(built) == 1
    logging.getLogger("telefeed").debug("credentials object: %r", load_credentials())
    captured = capsys.readouterr()
    haystacks = {
        "logs": caplog.text + "\n".join(str(r.args) for r in caplog.records),
        "output": captured.out + captured.err,
        "warehouse": _all_table_text(warehouse_path),
    }
    assert "flood wait" in haystacks["logs"]  # logging was captured
    for where, text in haystacks.items():
        for secret in (API_HASH, SESSION, SESSION[:40], API_ID):
            assert secret not in text, f"secret found in {where}"


def test_failed_login_message_does_not_leak(monkeypatch: pytest.MonkeyPatch, warehouse_path: str) -> None:
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.delenv("TELEGRAM_API_ID", raising=False)
    monkeypatch.delenv("TELEGRAM_SESSION", raising=False)
    monkeypatch.delenv("TELEGRAM_SESSION_FILE", raising=False)
    source = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik")
    stats = ingest_source(source, Warehouse(warehouse_path), "run-missing", None)  # default resources: live
    assert stats.status == "failed" and "TELEGRAM_API_ID" in (stats.error_message or "")
    assert API_HASH not in _all_table_text(warehouse_path)
