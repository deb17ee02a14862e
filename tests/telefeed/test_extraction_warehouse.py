"""Extraction landed in a real DuckDB warehouse: Telegram references matched to stored posts, ``telefeed
reextract`` (atomic replacement of older extractor versions, ``--since``/``--source``) and ``telefeed extract
FILE --json`` (stable keys)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pytest
from typer.testing import CliRunner

from extraction.canonical import canonical_id
from extraction.gazetteer import LOC, PER
from extraction.pipeline import EXTRACTOR_VERSION, JSON_KEYS
from telefeed.cli import app
from telefeed.models import Document, LandBatch
from telefeed.pipeline.extract import extract_ids, run_extraction
from tests.conftest import write_sources
from warehouse import extraction as store
from warehouse.db import Warehouse

runner = CliRunner()
T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # when the articles are published

T = TypeVar("T")

QUOTE_RU = "Позиции удержаны, противник потерял четыре танка под Покровском"


def post(channel: str, message_id: int, text: str, at: datetime, title: str) -> Document:
    """A stored Telegram post as the Telegram ingesters land it."""
    return Document(
        source=f"tg-{channel}",
        kind="post",
        external_id=f"{channel}:{message_id}",
        text=text,
        url=f"https://t.me/{channel}/{message_id}",
        published_at=at,
        language="ru",
        metadata={"channel_username": channel, "channel_title": title, "message_id": message_id},
    )


def article(external_id: str, text: str, at: datetime = T0, source: str = "wire", language: str = "en") -> Document:
    """A stored news article."""
    return Document(
        source=source,
        kind="article",
        external_id=external_id,
        text=text,
        url=f"https://news.example/{external_id}",
        published_at=at,
        language=language,
    )


POSTS = [
    post("frontline_ua", 101, f"«{QUOTE_RU}», — сообщил командир 47-й бригады.", T0 - timedelta(hours=4), "Фронт"),
    post("frontline_ua", 102, "В Харькове ночью работала ПВО, пострадавших нет.", T0 - timedelta(hours=3), "Фронт"),
    post("frontline_ua", 90, f"«{QUOTE_RU}», — повтор старого сообщения.", T0 - timedelta(days=10), "Фронт"),
    post(
        "rybar",
        500,
        "Пригожин и Шойгу встретились под Бахмутом, сообщают источники.",
        T0 - timedelta(hours=5),
        "Рыбарь",
    ),
    post("rybar", 501, "Обстановка в Харьковской области без изменений.", T0 - timedelta(hours=4), "Рыбарь"),
]
ARTICLES = {
    "link": article(
        "a-link", "Air defence worked over Kharkiv overnight, the channel said (https://t.me/frontline_ua/102)."
    ),
    "quote": article(
        "a-quote",
        f"Как сообщил канал @frontline_ua, «{QUOTE_RU}». Официальных данных нет.",
        language="ru",
    ),
    "name": article(
        "a-name", "The pro-war channel Rybar wrote that Prigozhin and Shoigu met near Bakhmut on Wednesday."
    ),
    "unknown": article("a-unknown", "A blogger on @some_unknown_chan claimed the opposite."),
    "none": article("a-none", "Ukrenergo said outages would continue in Kharkiv this week."),
}


@pytest.fixture
def warehouse(warehouse_path: str) -> Warehouse:
    """A warehouse with two Telegram sources, their posts and five articles (nothing extracted yet)."""
    wh = Warehouse(warehouse_path)
    wh.register_sources(
        [
            ("tg-frontline_ua", "telegram", {"channel": "@frontline_ua"}),
            ("Rybar", "telegram_preview", {"channel": "rybar"}),
            ("wire", "rss", {"url": "https://news.example/feed"}),
        ]
    )
    for source in {d.source for d in POSTS}:
        wh.land(LandBatch(source, documents=[d for d in POSTS if d.source == source]))
    wh.land(LandBatch("wire", documents=list(ARTICLES.values())))
    return wh


def refs(wh: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    """Telegram refs per article id: (channel, post_id, via, matched external id, match method)."""
    rows = wh.query(
        "SELECT r.document_id, r.channel, r.post_id, r.via, p.external_id, r.match_method FROM telegram_refs r "
        "LEFT JOIN documents p ON p.id = r.matched_document_id ORDER BY r.document_id, r.start_char"
    ).to_pylist()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault(row["document_id"], []).append(
            (row["channel"], row["post_id"], row["via"], row["external_id"], row["match_method"])
        )
    return out


def version_counts(wh: Warehouse) -> dict[str, dict[str, int]]:
    """Rows per extractor version in each per-document table."""
    out: dict[str, dict[str, int]] = {}
    for table in store.PER_DOCUMENT_TABLES:
        rows = wh.query(f"SELECT extractor_version, count(*) AS n FROM {table} GROUP BY ALL").to_pylist()
        out[table] = {r["extractor_version"]: r["n"] for r in rows}
    return out


def test_telegram_refs_are_matched_to_stored_posts(warehouse: Warehouse) -> None:
    # posts first (an earlier run), then the articles citing them
    extract_ids(warehouse, [d.id for d in POSTS])
    counts = extract_ids(warehouse, [d.id for d in ARTICLES.values()])
    assert counts["documents"] == 5
    got = refs(warehouse)
    assert got[ARTICLES["link"].id] == [("frontline_ua", 102, "link", "frontline_ua:102", "link")]
    # by @name, matched by the shared quote to the post inside the window (not the ten-day-old repeat)
    assert got[ARTICLES["quote"].id] == [("frontline_ua", None, "mention", "frontline_ua:101", "quote")]
    # by the name of a channel among the sources, matched by shared entities (Prigozhin, Shoigu, Bakhmut)
    assert got[ARTICLES["name"].id] == [("rybar", None, "name", "rybar:500", "entities")]
    # a channel nobody stores: referenced, not matched
    assert got[ARTICLES["unknown"].id] == [("some_unknown_chan", None, "mention", None, None)]
    assert ARTICLES["none"].id not in got


def test_telegram_refs_match_when_posts_and_articles_share_a_batch(warehouse: Warehouse) -> None:
    totals = run_extraction(warehouse)
    assert totals["documents"] == len(POSTS) + len(ARTICLES)
    got = refs(warehouse)
    assert got[ARTICLES["quote"].id][0][3:] == ("frontline_ua:101", "quote")
    assert got[ARTICLES["name"].id][0][3:] == ("rybar:500", "entities")
    # canonical entities are shared across scripts: the Russian post and the English article
    shared = warehouse.query(
        "SELECT canonical_id, count(DISTINCT document_id) AS docs FROM mentions "
        "WHERE document_id IN (?, ?) GROUP BY ALL HAVING docs = 2 ORDER BY canonical_id",
        [POSTS[3].id, ARTICLES["name"].id],
    ).to_pylist()
    expected = sorted(
        canonical_id(label, name)
        for label, name in [(LOC, "Bakhmut"), (PER, "Yevgeny Prigozhin"), (PER, "Sergei Shoigu")]
    )
    assert [r["canonical_id"] for r in shared] == expected
    entity = warehouse.query("SELECT * FROM canonical_entities WHERE canonical_id = 'LOC:bahmut'").to_pylist()
    assert entity[0]["name"] == "Bakhmut" and entity[0]["country_code"] == "UA"
    assert {"Bakhmut", "Бахмутом"} <= set(entity[0]["aliases"])


def _age(wh: Warehouse, version: str = "0.9.0", where: str = "true") -> None:
    """Pretend the rows matching ``where`` were written by an older extractor (plus one stale row it made)."""
    with wh.transaction() as con:
        for table in store.PER_DOCUMENT_TABLES:
            con.execute(
                f"UPDATE {table} SET extractor_version = ? WHERE document_id IN "
                f"(SELECT id FROM documents d WHERE {where})",
                [version],
            )
        con.execute(
            "INSERT INTO mentions SELECT document_id, ?, 999, 'Stale', 'PER', 0, 5, 'Stale', 'en', 'PER:stale', "
            "'Stale' FROM extracted_documents WHERE extractor_version = ? LIMIT 1",
            [version, version],
        )


def test_reextract_replaces_old_version_rows_and_is_stable(warehouse: Warehouse) -> None:
    first = runner.invoke(app, ["reextract", "-w", warehouse.path])
    assert first.exit_code == 0, first.output
    assert f"extractor {EXTRACTOR_VERSION}" in first.output
    before = version_counts(warehouse)
    assert set().union(*(v.keys() for v in before.values())) == {EXTRACTOR_VERSION}
    assert before["extracted_documents"][EXTRACTOR_VERSION] == len(POSTS) + len(ARTICLES)
    assert before["mentions"][EXTRACTOR_VERSION] > 10 and before["quotes"][EXTRACTOR_VERSION] >= 3
    matched_before = refs(warehouse)

    _age(warehouse)
    assert "0.9.0" in version_counts(warehouse)["mentions"]
    again = runner.invoke(app, ["reextract", "-w", warehouse.path])
    assert again.exit_code == 0, again.output
    assert version_counts(warehouse) == before  # only the new version, same counts, the stale row is gone
    assert refs(warehouse) == matched_before
    third = runner.invoke(app, ["reextract", "-w", warehouse.path])
    assert third.exit_code == 0, third.output
    assert version_counts(warehouse) == before
    pending = runner.invoke(app, ["reextract", "--pending-only", "-w", warehouse.path])
    assert pending.exit_code == 0 and "documents=0" in pending.output


def test_reextract_since_and_source_touch_only_matching_documents(warehouse: Warehouse) -> None:
    run_extraction(warehouse)
    _age(warehouse)
    result = runner.invoke(app, ["reextract", "--source", "wire", "-w", warehouse.path])
    assert result.exit_code == 0, result.output
    rows = warehouse.query(
        "SELECT d.source, e.extractor_version, count(*) AS n FROM extracted_documents e "
        "JOIN documents d ON d.id = e.document_id GROUP BY ALL ORDER BY ALL"
    ).to_pylist()
    by_source = {(r["source"], r["extractor_version"]): r["n"] for r in rows}
    assert by_source[("wire", EXTRACTOR_VERSION)] == len(ARTICLES)
    assert not any(s == "wire" and v == "0.9.0" for s, v in by_source)
    assert by_source[("tg-rybar", "0.9.0")] == 2 and by_source[("tg-frontline_ua", "0.9.0")] == 3

    since = (T0 - timedelta(hours=4, minutes=30)).date().isoformat()  # the day: every post but the old repeat
    result = runner.invoke(app, ["reextract", "--since", since, "-w", warehouse.path])
    assert result.exit_code == 0, result.output
    old = warehouse.query(
        "SELECT d.external_id FROM extracted_documents e JOIN documents d ON d.id = e.document_id "
        "WHERE e.extractor_version = '0.9.0'"
    ).to_pylist()
    assert [r["external_id"] for r in old] == ["frontline_ua:90"]
    bad = runner.invoke(app, ["reextract", "--since", "yesterday", "-w", warehouse.path])
    assert bad.exit_code != 0 and "not a date" in bad.output


class _CrashingBeforeCommit(Warehouse):
    """The warehouse, whose write transactions fail after doing their work, before they commit."""

    def run_in_transaction(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work`` in a transaction, then crash instead of committing."""

        def then_crash(con: duckdb.DuckDBPyConnection) -> T:
            work(con)
            raise RuntimeError("crash after the delete and inserts")

        return super().run_in_transaction(then_crash)


def test_failed_reextract_leaves_the_old_rows(warehouse: Warehouse) -> None:
    run_extraction(warehouse)
    _age(warehouse)
    aged = version_counts(warehouse)
    with pytest.raises(RuntimeError, match="crash after the delete and inserts"):
        extract_ids(_CrashingBeforeCommit(warehouse.path), [d.id for d in ARTICLES.values()])
    assert version_counts(warehouse) == aged  # all or nothing: no new-version row, no old row lost


def test_extract_file_json_has_the_documented_keys(tmp_path: Path) -> None:
    sources = write_sources(
        tmp_path,
        '[[sources]]\nname = "Rybar"\nkind = "telegram_preview"\nchannel = "rybar"\n',
    )
    text_file = tmp_path / "post.txt"
    text_file.write_text(
        "Пригожин заявил, что «вагнеровцы уходят из Бахмута», — передаёт Rybar. "
        'Reuters reported that "the withdrawal has begun, as planned," Peskov said. '
        "Video: https://t.me/rybar/500 #Бахмут @grey_zone",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(text_file), "--json", "--sources", sources])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (
        tuple(data)
        == JSON_KEYS
        == (
            "extractor_version",
            "language",
            "text",
            "entities",
            "quotes",
            "attributions",
            "links",
            "telegram_refs",
        )
    )
    assert data["extractor_version"] == EXTRACTOR_VERSION
    assert data["text"].startswith("Пригожин заявил")
    assert data["entities"] and all(
        list(e) == ["text", "label", "canonical", "canonical_id", "start", "end"] for e in data["entities"]
    )
    assert all(data["text"][e["start"] : e["end"]] == e["text"] for e in data["entities"])
    assert {"Yevgeny Prigozhin", "Bakhmut", "Dmitry Peskov"} <= {e["canonical"] for e in data["entities"]}
    assert data["quotes"] and all(
        list(q)
        == [
            "text",
            "kind",
            "speaker",
            "speaker_canonical",
            "verb",
            "start",
            "end",
            "speaker_start",
            "speaker_end",
            "attribution",
        ]
        for q in data["quotes"]
    )
    assert ("the withdrawal has begun, as planned,", "Dmitry Peskov") in {
        (q["text"], q["speaker_canonical"]) for q in data["quotes"]
    }
    peskov = next(q for q in data["quotes"] if q["speaker_canonical"] == "Dmitry Peskov")
    assert data["text"][peskov["speaker_start"] : peskov["speaker_end"]] == "Peskov"
    assert peskov["attribution"] == "subject"
    assert all(list(a) == ["outlet", "outlet_canonical", "cue", "start", "end"] for a in data["attributions"])
    # the channel is credited too ("передаёт Rybar": Rybar reports)
    assert [(a["outlet_canonical"], a["cue"]) for a in data["attributions"]] == [
        ("Rybar", "передаёт"),
        ("Reuters", "reported"),
    ]
    assert all(list(link) == ["kind", "value", "target", "start", "end"] for link in data["links"])
    assert [link["kind"] for link in data["links"]] == ["telegram", "hashtag", "mention"]
    assert all(list(r) == ["channel", "post_id", "via", "value", "start", "end"] for r in data["telegram_refs"])
    assert [(r["channel"], r["post_id"], r["via"]) for r in data["telegram_refs"]] == [
        ("rybar", None, "name"),
        ("rybar", 500, "link"),
        ("grey_zone", None, "mention"),
    ]
    plain = runner.invoke(app, ["extract", str(text_file), "--sources", sources])
    assert plain.exit_code == 0 and "entities" in plain.output
    missing = runner.invoke(app, ["extract", str(tmp_path / "nope.txt"), "--json"])
    assert missing.exit_code != 0


def test_only_documents_edited_after_extraction_are_extracted_again(warehouse: Warehouse) -> None:
    assert store.needs_extraction(warehouse, EXTRACTOR_VERSION)
    run_extraction(warehouse)
    assert not store.needs_extraction(warehouse, EXTRACTOR_VERSION)
    assert store.documents_to_extract(warehouse, EXTRACTOR_VERSION) == []
    edited = next(iter(ARTICLES.values()))
    edited_id = edited.id
    warehouse.land(LandBatch("wire", documents=[article(edited.external_id, edited.text + " Kyiv said more.")]))
    warehouse.land(LandBatch("wire", documents=list(ARTICLES.values())[1:]))  # seen again unchanged
    assert store.needs_extraction(warehouse, EXTRACTOR_VERSION)
    assert store.documents_to_extract(warehouse, EXTRACTOR_VERSION) == [edited_id]
    run_extraction(warehouse)
    (mentions,) = (
        warehouse.query("SELECT list(text) FROM mentions WHERE document_id = ?", [edited_id]).column(0).to_pylist()
    )
    assert "Kyiv" in mentions
    assert not store.needs_extraction(warehouse, EXTRACTOR_VERSION)


def test_migration_keeps_extractions_of_unchanged_texts(warehouse: Warehouse) -> None:
    run_extraction(warehouse)
    with warehouse.transaction() as con:  # as an older telefeed stored it: a hash of the text, in text_hash
        con.execute("ALTER TABLE extracted_documents RENAME COLUMN version_hash TO text_hash")
        con.execute(
            "UPDATE extracted_documents SET text_hash = left(sha256(d.text), 32) FROM documents d "
            "WHERE d.id = extracted_documents.document_id"
        )
        changed = con.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()
        assert changed is not None
        con.execute("UPDATE extracted_documents SET text_hash = 'of an older text' WHERE document_id = ?", changed)
    for migration in (53, 110):  # version hashes into text_hash, then the column renamed version_hash
        sql = next(sql for version, _, sql in Warehouse.migration_files() if version == migration)
        with warehouse.transaction() as con:
            con.execute(sql)
    assert store.documents_to_extract(warehouse, EXTRACTOR_VERSION) == [changed[0]]
