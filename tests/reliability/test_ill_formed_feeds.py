"""Every file of the ill-formed feed corpus (``tests/fixtures/feeds/ill_formed``) against its own header claim.

Each file starts with a comment ``expect: <checks> | <claim>`` (after the XML declaration when there is one).
Checks: ``documents=N`` / ``documents<=N``, ``quarantined=N``, ``raw=N`` (entry raw items kept),
``status=ok|partial|failed``, ``reason="..."`` (a
quarantine reason contains it), ``contains="..."`` (a document's title or text contains it), ``absent="..."`` (no
document and no raw payload contains it), ``null_dates=N``, ``max_title_chars=N``, ``max_text_chars=N``.
Whatever the file, the ingest process must not crash, must record the run, must give every quarantine row a
reason, and must stay within ``MAX_CPU_SECONDS`` of CPU and ``MAX_RSS_GROWTH`` of memory.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.support import Zygote, read_only

# The session's zygote (tests/reliability/conftest.py) loads the models, and the feeds share a warehouse: one
# pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("zygote")

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "ill_formed"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file())
# CPU time of the ingest process (fork, run, run record): a fair limit on a shared, loaded 2-core machine, where
# wall time also counts other processes' turns. The wall-time bound only catches a hang.
MAX_CPU_SECONDS = 4.0
MAX_WALL_SECONDS = 30.0
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


@pytest.mark.parametrize("feed", FILES, ids=[p.name for p in FILES])
def test_ill_formed_feed(feed: Path, zygote: Zygote, shared_warehouse: Path, tmp_path: Path) -> None:
    checks, claim = read_expectation(feed)
    source = re.sub(r"[^A-Za-z0-9_]", "_", feed.stem)
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[sources]]\nname = "{source}"\nkind = "rss"\nurl = "{feed}"\nfetch_pages = false\n')
    result_path = tmp_path / "result.json"
    run = zygote.ingest(sources, shared_warehouse, result_path=result_path)

    assert run["exit_code"] == 0, f"{feed.name}: ingest process crashed ({claim})"
    assert run["cpu_seconds"] < MAX_CPU_SECONDS, f"{feed.name}: used {run['cpu_seconds']} s of CPU"
    assert run["seconds"] < MAX_WALL_SECONDS, f"{feed.name}: took {run['seconds']} s"
    result = json.loads(result_path.read_text())
    assert result["peak_rss_growth_bytes"] < MAX_RSS_GROWTH, f"{feed.name}: peak RSS grew {result}"
    (stats,) = result["sources"]

    with read_only(shared_warehouse) as con:

        def one(sql: str, *params: object) -> Any:
            return con.execute(sql, [source, *params]).fetchall()[0][0]

        runs = con.execute("SELECT status, error_message FROM runs WHERE source = ?", [source]).fetchall()
        assert len(runs) == 1, runs
        status, error = runs[0]
        documents = one("SELECT count(*) FROM documents WHERE source = ?")
        quarantine = con.execute("SELECT stage, reason FROM quarantine WHERE source = ?", [source]).fetchall()
        assert all(reason and reason.strip() for _, reason in quarantine), quarantine
        context = f"{feed.name} ({claim}): status={status} error={error} documents={documents} quarantine={quarantine}"
        assert stats["new"] == documents, context

        if "documents" in checks:
            assert documents == int(checks["documents"]), context
        if "documents<=" in checks:
            assert documents <= int(checks["documents<="]), context
        if "quarantined" in checks:
            assert len(quarantine) == int(checks["quarantined"]), context
        if "raw" in checks:
            raw = one("SELECT count(*) FROM raw_items WHERE source = ? AND item_kind = 'rss_entry'")
            assert raw == int(checks["raw"]), f"{context} raw_items={raw}"
        if "status" in checks:
            assert status == checks["status"], context
        if "reason" in checks:
            assert any(checks["reason"] in reason for _, reason in quarantine), context
        if "contains" in checks:
            hits = one(
                "SELECT count(*) FROM documents WHERE source = ? AND contains(coalesce(title, '') || ' ' || text, ?)",
                checks["contains"],
            )
            assert hits >= 1, context
        if "absent" in checks:
            searched = (
                ("documents", "coalesce(title, '') || text || coalesce(summary, '')"),
                ("raw_items", "payload::VARCHAR"),
            )
            for table, columns in searched:
                hits = one(
                    f"SELECT count(*) FROM {table} WHERE source = ? AND contains({columns}, ?)", checks["absent"]
                )
                assert hits == 0, f"{context}: {checks['absent']!r} found in {table}"
        if "null_dates" in checks:
            nulls = one("SELECT count(*) FROM documents WHERE source = ? AND published_at IS NULL")
            assert nulls == int(checks["null_dates"]), context
        if "max_title_chars" in checks:
            longest = one("SELECT coalesce(max(length(title)), 0) FROM documents WHERE source = ?")
            assert longest <= int(checks["max_title_chars"]), context
        if "max_text_chars" in checks:
            longest = one("SELECT coalesce(max(length(text)), 0) FROM documents WHERE source = ?")
            assert longest <= int(checks["max_text_chars"]), context
