"""Every file of the ill-formed feed corpus (``tests/fixtures/feeds/ill_formed``) against its own header claim.

Each file starts with a comment ``expect: <checks> | <claim>`` (after the XML declaration when there is one).
Checks: ``documents=N`` / ``documents<=N``, ``quarantined=N``, ``status=ok|partial|failed``, ``reason="..."`` (a
quarantine reason contains it), ``contains="..."`` (a document's title or text contains it), ``absent="..."`` (no
document and no raw payload contains it), ``null_dates=N``, ``max_title_chars=N``, ``max_text_chars=N``.
Whatever the file, the ingest process must not crash, must record the run, must give every quarantine row a
reason, and must finish within ``MAX_SECONDS`` and ``MAX_RSS_GROWTH`` of memory.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.support import Zygote, fetch_all

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "ill_formed"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file())
MAX_SECONDS = 6.0  # includes the fork and the run record; the machine is a shared 2-core box
MAX_RSS_GROWTH = 300 * 1024 * 1024
_DECL_ENCODING = re.compile(rb'<\?xml[^>]*encoding="([A-Za-z0-9_\-]+)"')


def read_expectation(path: Path) -> tuple[dict[str, str], str]:
    """The checks and the one-line claim from a corpus file's header comment."""
    head = path.read_bytes()[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        match = _DECL_ENCODING.search(head[:200])
        encoding = match.group(1).decode() if match else "utf-8"
        text = head.decode(encoding, "replace")
    found = re.search(r"expect:(.*?)\|(.*?)(?:-->|\"[,}])", text, re.S)
    assert found, f"{path.name}: no 'expect: ... | claim' header"
    checks: dict[str, str] = {}
    for token in shlex.split(found.group(1).replace('\\"', '"')):
        key, op, value = re.fullmatch(r"(\w+)(<=|=)(.*)", token).groups()  # type: ignore[union-attr]
        checks[key + ("<=" if op == "<=" else "")] = value
    return checks, found.group(2).strip()


def test_corpus_has_dozens_of_files_each_with_a_claim() -> None:
    assert len(FILES) >= 40
    for path in FILES:
        checks, claim = read_expectation(path)
        assert checks and len(claim) > 10, path.name


@pytest.fixture(scope="module")
def shared_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ill_formed") / "warehouse.duckdb"


def _one(path: Path, sql: str) -> Any:
    return fetch_all(path, sql)[0][0]


@pytest.mark.parametrize("feed", FILES, ids=[p.name for p in FILES])
def test_ill_formed_feed(feed: Path, zygote: Zygote, shared_warehouse: Path, tmp_path: Path) -> None:
    checks, claim = read_expectation(feed)
    source = re.sub(r"[^A-Za-z0-9_]", "_", feed.stem)
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[sources]]\nname = "{source}"\nkind = "rss"\nurl = "{feed}"\nfetch_pages = false\n')
    result_path = tmp_path / "result.json"
    run = zygote.ingest(sources, shared_warehouse, result_path=result_path)

    assert run["exit_code"] == 0, f"{feed.name}: ingest process crashed ({claim})"
    assert run["seconds"] < MAX_SECONDS, f"{feed.name}: took {run['seconds']}s"
    result = json.loads(result_path.read_text())
    assert result["peak_rss_growth_bytes"] < MAX_RSS_GROWTH, f"{feed.name}: peak RSS grew {result}"
    (stats,) = result["sources"]

    wh = shared_warehouse
    where = f"source = '{source}'"
    runs = fetch_all(wh, f"SELECT status, error_message FROM runs WHERE {where}")
    assert len(runs) == 1, runs
    status, error = runs[0]
    documents = _one(wh, f"SELECT count(*) FROM documents WHERE {where}")
    quarantine = fetch_all(wh, f"SELECT stage, reason FROM quarantine WHERE {where}")
    assert all(reason and reason.strip() for _, reason in quarantine), quarantine
    context = f"{feed.name} ({claim}): status={status} error={error} documents={documents} quarantine={quarantine}"
    assert stats["new"] == documents, context

    if "documents" in checks:
        assert documents == int(checks["documents"]), context
    if "documents<=" in checks:
        assert documents <= int(checks["documents<="]), context
    if "quarantined" in checks:
        assert len(quarantine) == int(checks["quarantined"]), context
    if "status" in checks:
        assert status == checks["status"], context
    if "reason" in checks:
        assert any(checks["reason"] in reason for _, reason in quarantine), context
    if "contains" in checks:
        needle = checks["contains"].replace("'", "''")
        hits = _one(wh, f"SELECT count(*) FROM documents WHERE {where} AND (title || ' ' || text) LIKE '%{needle}%'")
        assert hits >= 1, context
    if "absent" in checks:
        needle = checks["absent"].replace("'", "''")
        searched = (
            ("documents", "coalesce(title, '') || text || coalesce(summary, '')"),
            ("raw_items", "payload::VARCHAR"),
        )
        for table, columns in searched:
            hits = _one(wh, f"SELECT count(*) FROM {table} WHERE {where} AND {columns} LIKE '%{needle}%'")
            assert hits == 0, f"{context}: {needle!r} found in {table}"
    if "null_dates" in checks:
        nulls = _one(wh, f"SELECT count(*) FROM documents WHERE {where} AND published_at IS NULL")
        assert nulls == int(checks["null_dates"]), context
    if "max_title_chars" in checks:
        longest = _one(wh, f"SELECT coalesce(max(length(title)), 0) FROM documents WHERE {where}")
        assert longest <= int(checks["max_title_chars"]), context
    if "max_text_chars" in checks:
        longest = _one(wh, f"SELECT coalesce(max(length(text)), 0) FROM documents WHERE {where}")
        assert longest <= int(checks["max_text_chars"]), context
