"""Security: ``telefeed sql`` cannot write, attach, load or read files; credentials stay out of Prefect's records.

Already proven elsewhere and not repeated: DROP/DELETE/INSERT/ATTACH/COPY TO/INSTALL/SET/CREATE/multi-statement
refusals and ``read_csv`` of a local file (tests/telefeed/test_cli.py); credentials absent from Python logs, console
output and every warehouse table, a session file created or tightened to 0600
(tests/connectors/test_telegram_credentials.py).
Here: the remaining ways out of a read-only query (LOAD, PRAGMA settings, EXPORT, CHECKPOINT, DETACH, USE, CALL,
CREATE SECRET, EXPLAIN ANALYZE of a write, ``query()``, replacement scans, other file readers, extension
auto-install, remote URLs), each leaving the warehouse file byte-for-byte unchanged and creating no file;
``--out`` cannot overwrite the warehouse; and a Telegram run through the Prefect flow leaves no credential in the
flow's logs, artifacts or anything else Prefect stored, nor in the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from telefeed.config import load_sources
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.conftest import FIXTURES, write_sources
from tests.reliability.support import read_only
from tests.support.fake_telegram import FakeTelegramClient, severny_vestnik_messages
from tests.support.prefect_server import PrefectTestServer
from warehouse.db import Warehouse

# The module's shared fixture: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("security")

runner = CliRunner()


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A warehouse with the good fixture feed landed, and an empty folder the queries aim their files at."""
    folder = tmp_path_factory.mktemp("sql")
    sources = write_sources(
        folder,
        f'[[sources]]\nname = "good"\nkind = "rss"\nfetch_pages = false\nurl = "{FIXTURES}/feeds/good_rss.xml"\n',
    )
    warehouse = folder / "w.duckdb"
    (source,) = load_sources(sources)
    assert ingest_source(source, Warehouse(warehouse), "setup").new == 3
    target = folder / "target"
    target.mkdir()
    (target / "local.csv").write_text("secret,value\nkey,42\n", encoding="utf-8")
    return warehouse, target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Statements test_cli.py does not already try. {t} is a folder next to the warehouse holding local.csv.
ESCAPES = [
    "LOAD '{t}/evil.duckdb_extension'",
    "LOAD httpfs",
    "PRAGMA threads=1",
    "PRAGMA enable_profiling='json'",
    "PRAGMA enable_checkpoint_on_shutdown",
    "EXPORT DATABASE '{t}/export'",
    "CHECKPOINT",
    "DETACH w",
    "USE memory",
    "CALL pragma_version()",
    "CREATE SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's')",
    "CREATE TEMP TABLE t AS SELECT 1",
    "COPY (SELECT * FROM documents) TO '{t}/copy.parquet' (FORMAT parquet)",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{t}/explained.csv'",
    "EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
    "EXPLAIN ANALYZE UPDATE documents SET title = 'x'",
    "SELECT * FROM query('COPY (SELECT 1) TO ''{t}/query.csv''')",
    "SELECT * FROM query('ATTACH ''{t}/attached.duckdb'' AS a')",
    "SELECT * FROM '{t}/local.csv'",
    "SELECT * FROM read_text('{t}/local.csv')",
    "SELECT * FROM read_blob('{t}/local.csv')",
    "SELECT * FROM glob('{t}/*')",
    "SELECT * FROM read_json_auto('{t}/local.csv')",
    "SELECT * FROM read_parquet('{t}/*.parquet')",
    "SELECT * FROM sqlite_scan('{t}/other.db', 't')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/remote.csv')",
    "SELECT * FROM duckdb_secrets()",
    "/* comment */ ATTACH '{t}/attached.duckdb' AS a",
    "select 1; load httpfs",
    "BEGIN; UPDATE documents SET title = 'x'; COMMIT",
    "VACUUM",
]


# How a refusal reads: telefeed's own check, or DuckDB's read-only / no-file-access connection.
# (An extension DuckDB would auto-install is stopped by the same no-file-access setting; the CLI shows the whole
# error, its lines joined into one.)
REFUSALS = (
    "refused",
    "disabled",
    "permission",
    "read-only",
    "expected a single select statement",
    "trying to automatically install",
)


@pytest.mark.parametrize("statement", ESCAPES)
def test_sql_cannot_write_attach_load_or_read_files(landed: tuple[Path, Path], statement: str) -> None:
    warehouse, target = landed
    before = _digest(warehouse)
    query = statement.format(t=target)
    out = runner.invoke(app, ["sql", query, "-w", str(warehouse), "-f", "json"])
    assert out.exit_code == 2, (query, out.output)
    assert "Traceback" not in out.output and "key,42" not in out.output and "secret,value" not in out.output
    text = out.output.lower()
    assert any(word in text for word in REFUSALS), out.output
    assert sorted(p.name for p in target.iterdir()) == ["local.csv"], "a file was created"
    assert _digest(warehouse) == before, "the warehouse file changed"
    assert not Path(f"{warehouse}.wal").exists()


def test_sql_reads_still_work_and_out_cannot_replace_the_warehouse(landed: tuple[Path, Path]) -> None:
    warehouse, target = landed
    before = _digest(warehouse)
    ok = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM documents", "-w", str(warehouse), "-f", "json"])
    assert ok.exit_code == 0 and json.loads(ok.output) == [{"n": 3}], ok.output
    for out in (str(warehouse), f"{warehouse}.wal", str(target / ".." / warehouse.name)):
        refused = runner.invoke(app, ["sql", "SELECT 1 AS x", "-w", str(warehouse), "-f", "csv", "-o", out])
        assert refused.exit_code == 2 and "would overwrite the warehouse" in refused.output, (out, refused.output)
        report = runner.invoke(app, ["report", "--since", "2026-01-01", "-w", str(warehouse), "-o", out])
        assert report.exit_code == 2 and "would overwrite the warehouse" in report.output, (out, report.output)
    assert _digest(warehouse) == before
    assert not Path(f"{warehouse}.wal").exists()


API_ID = "27182818"
API_HASH = "0ddc0ffee0ddc0ffee0ddc0ffee0ddc0"


def _string_session() -> str:
    from telethon.crypto import AuthKey
    from telethon.sessions import StringSession

    session = StringSession()
    session.set_dc(2, "149.154.167.51", 443)
    session.auth_key = AuthKey(bytes(range(255, -1, -1)))
    return str(session.save())


def test_credentials_never_reach_prefect_logs_artifacts_or_the_warehouse(
    tmp_path: Path, warehouse_path: str, monkeypatch: pytest.MonkeyPatch, prefect_harness: PrefectTestServer
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    from flows.ingest import ingest

    session = _string_session()
    monkeypatch.setenv("TELEGRAM_API_ID", API_ID)
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.setenv("TELEGRAM_SESSION", session)
    built: list[Any] = []
    fake = FakeTelegramClient(severny_vestnik_messages(), flood_on_calls={1: 2})

    def factory(source: Any) -> FakeTelegramClient:
        live = Resources().open_telegram_client(source)  # the real path: env -> credentials -> Telethon (offline)
        built.append(live)
        live.close()
        return fake

    resources = Resources(telegram_client=factory, sleep=lambda seconds: None)
    logging.getLogger("telefeed").setLevel(logging.DEBUG)
    try:
        sources = write_sources(
            tmp_path,
            '[[sources]]\nname = "sever-api"\nkind = "telegram"\nchannel = "@severny_vestnik"\n'
            "lookback_messages = 1000\n",  # the fixture messages have fixed dates: no look-back by days
        )
        (result,) = ingest(sources_path=sources, warehouse_path=warehouse_path, extract=False, resources=resources)
    finally:
        logging.getLogger("telefeed").setLevel(logging.NOTSET)
    assert result["new"] == 6 and len(built) == 1
    APILogWorker.drain_all(timeout=10)

    with read_only(warehouse_path) as con:
        (run_id,) = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM runs").fetchall()}
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        warehouse_text = "\n".join(repr(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    with get_client(sync_client=True) as client:
        (flow_run,) = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
        artifacts = [a for a in client.read_artifacts() if a.flow_run_id == flow_run.id]
    assert any("sever-api: status=ok" in log.message for log in logs), [log.message for log in logs][:20]
    assert {a.key for a in artifacts} >= {"ingest-sources", "ingest-highlights"}
    stored = prefect_harness.stored_bytes()
    haystacks = {
        "flow run logs": "\n".join(log.message for log in logs),
        "artifacts": "\n".join(json.dumps(a.data, default=str) + str(a.description) for a in artifacts),
        "flow run parameters": json.dumps(flow_run.parameters, default=str),
        "prefect database": stored.decode("utf-8", "replace"),
        "warehouse": warehouse_text,
    }
    assert "sever-api" in haystacks["prefect database"]  # the search does see what the run stored
    for where, text in haystacks.items():
        for secret in (API_HASH, session, session[:40], API_ID):
            assert secret not in text, f"a credential was found in the {where}"
