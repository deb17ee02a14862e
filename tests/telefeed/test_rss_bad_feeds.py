"""Bad feeds lose nothing (issue 28): empty bodies, repeated guids, mis-declared charsets, relative guids and
description-only items, each through the RSS pipeline against a real 127.0.0.1 server (or a local file) and a real
DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.rss import DUPLICATE_ID_REASON
from telefeed.config import load_sources
from telefeed.models import Document, LandBatch, RawItem
from telefeed.pipeline import SourceStats, ingest_source
from tests.conftest import write_sources
from tests.support.http_server import FixtureServer
from warehouse.db import Warehouse

RUSSIAN_TITLE = "Война: новости из Киева"
RUSSIAN_TEXT = "Энергетики восстановили электроснабжение в большинстве районов Харькова после ночной атаки."


def _rss(items: list[str], encoding: str | None = "utf-8") -> str:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return f'{declaration}<rss version="2.0"><channel><title>Outlet</title>{"".join(items)}</channel></rss>'


def _item(guid: str | None, title: str | None, text: str, date: str = "Mon, 23 Nov 2026 10:00:00 +0000") -> str:
    parts = [f"<guid>{guid}</guid>" if guid else "", f"<title>{title}</title>" if title else ""]
    return f"<item>{''.join(parts)}<description>{text}</description><pubDate>{date}</pubDate></item>"


def _source(tmp_path: Path, url: str) -> Any:
    (source,) = load_sources(
        write_sources(tmp_path, f'[[sources]]\nname = "outlet"\nkind = "rss"\nurl = "{url}"\nfetch_pages = false\n')
    )
    return source


def _rows(path: str, sql: str) -> list[dict[str, Any]]:
    return Warehouse(path).query(sql).to_pylist()


@pytest.mark.parametrize("body", [b"", b" \r\n\t "], ids=["0-byte", "whitespace"])
def test_an_empty_feed_is_quarantined_and_fails_the_source(
    body: bytes, tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/feed.xml", body=body, content_type="application/rss+xml")
    source = _source(tmp_path, http_server.url("/feed.xml"))
    runs = [ingest_source(source, Warehouse(warehouse_path), f"run-{n}") for n in range(2)]
    assert [(r.status, r.new) for r in runs] == [("failed", 0), ("failed", 0)]
    assert runs[0].error_message and "empty feed" in runs[0].error_message
    assert "AttributeError" not in runs[0].error_message
    rows = _rows(warehouse_path, "select reason, stage from quarantine")
    assert len(rows) == 1 and rows[0]["reason"].startswith("empty feed") and rows[0]["stage"] == "parse"
    assert Warehouse(warehouse_path).get_cursor("outlet").etag is None  # the next run reads the feed again


def test_a_zero_byte_local_feed_is_quarantined_too(tmp_path: Path, warehouse_path: str) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"")
    stats = ingest_source(_source(tmp_path, str(feed)), Warehouse(warehouse_path), "run")
    assert stats.status == "failed" and stats.quarantined == 1
    feed.write_text(_rss([_item("post-1", "Back", "The feed has entries again.")]), encoding="utf-8")
    again = ingest_source(_source(tmp_path, str(feed)), Warehouse(warehouse_path), "run-2")
    assert (again.status, again.new) == ("ok", 1)


def test_entries_sharing_a_guid_keep_every_version_and_the_newest_is_the_document(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    items = [
        _item("story-1", "First version", "Text one.", "Mon, 23 Nov 2026 10:00:00 +0000"),
        _item("story-1", "Corrected version", "Text two.", "Mon, 23 Nov 2026 12:00:00 +0000"),
        _item("story-1", "Corrected version", "Text two.", "Mon, 23 Nov 2026 12:00:00 +0000"),  # an exact repeat
        _item("story-1", "Second version", "Text three.", "Mon, 23 Nov 2026 11:00:00 +0000"),
        _item("story-2", "Other story", "Unrelated text."),
    ]
    http_server.add("/feed.xml", body=_rss(items).encode())
    source = _source(tmp_path, http_server.url("/feed.xml"))
    first = ingest_source(source, Warehouse(warehouse_path), "run-1")
    assert (first.status, first.new, first.quarantined) == ("ok", 2, 2)
    docs = {r["external_id"]: r for r in _rows(warehouse_path, "select external_id, title, text from documents")}
    assert docs["story-1"]["title"] == "Corrected version" and docs["story-1"]["text"] == "Text two."
    rows = _rows(warehouse_path, "select external_id, reason, payload from quarantine order by payload")
    assert [r["external_id"] for r in rows] == ["story-1", "story-1"]
    assert all(r["reason"] == DUPLICATE_ID_REASON for r in rows)
    assert sorted(json.loads(r["payload"])["title"] for r in rows) == ["First version", "Second version"]
    again = ingest_source(source, Warehouse(warehouse_path), "run-2")
    assert (again.new, again.updated, again.quarantined) == (0, 0, 0)  # no churn between versions


@pytest.mark.parametrize(
    ("codec", "declared"),
    [("cp1251", "utf-8"), ("koi8_r", "utf-8"), ("cp1251", None), ("koi8_r", None), ("cp1251", "iso-8859-1")],
)
def test_a_feed_whose_charset_is_wrong_or_missing_lands_readable_text(
    codec: str, declared: str | None, tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    body = _rss([_item("https://outlet.test/1", RUSSIAN_TITLE, RUSSIAN_TEXT)], encoding=declared).encode(codec)
    http_server.add("/feed.xml", body=body, content_type="application/rss+xml")
    stats = ingest_source(_source(tmp_path, http_server.url("/feed.xml")), Warehouse(warehouse_path), "run")
    assert stats.new == 1, stats
    (doc,) = _rows(warehouse_path, "select title, text from documents")
    assert (doc["title"], doc["text"]) == (RUSSIAN_TITLE, RUSSIAN_TEXT)


def test_a_header_charset_that_gives_mojibake_loses_to_detection(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    body = _rss([_item("https://outlet.test/1", RUSSIAN_TITLE, RUSSIAN_TEXT)], encoding=None).encode("cp1251")
    http_server.add("/feed.xml", body=body, content_type="application/rss+xml; charset=ISO-8859-1")
    ingest_source(_source(tmp_path, http_server.url("/feed.xml")), Warehouse(warehouse_path), "run")
    (doc,) = _rows(warehouse_path, "select title from documents")
    assert doc["title"] == RUSSIAN_TITLE and "Âîéíà" not in doc["title"]


def test_a_western_feed_with_a_right_declaration_is_left_alone(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    title = "Élections : résultats définitifs à Genève"
    body = _rss([_item("https://outlet.test/1", title, "Café crème.")], encoding="iso-8859-1").encode("latin-1")
    http_server.add("/feed.xml", body=body, content_type="application/rss+xml")
    ingest_source(_source(tmp_path, http_server.url("/feed.xml")), Warehouse(warehouse_path), "run")
    assert _rows(warehouse_path, "select title from documents") == [{"title": title}]


RELATIVE_ITEMS = [_item(f"post-{n}", f"Story {n}", f"Text of story {n}.") for n in range(1, 5)]


def test_relative_guids_do_not_depend_on_where_the_feed_was_read_from(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    http_server.add("/feed.xml", body=_rss(RELATIVE_ITEMS).encode())
    source = _source(tmp_path, http_server.url("/feed.xml"))
    assert ingest_source(source, Warehouse(warehouse_path), "run-1").new == 4
    http_server.add("/moved/feed.xml", body=_rss(RELATIVE_ITEMS).encode())
    http_server.add("/feed.xml", redirect_to=http_server.url("/moved/feed.xml"))
    moved = ingest_source(source, Warehouse(warehouse_path), "run-2")
    assert (moved.new, moved.updated) == (0, 4), moved  # same ids; their links now resolve under /moved/
    ids = sorted(r["external_id"] for r in _rows(warehouse_path, "select external_id from documents"))
    assert ids == ["post-1", "post-2", "post-3", "post-4"]
    urls = {r["url"] for r in _rows(warehouse_path, "select url from documents")}
    assert http_server.url("/moved/post-1") in urls  # links are made absolute where the feed now is


def test_relative_guids_of_a_local_feed_hold_no_path(tmp_path: Path, warehouse_path: str) -> None:
    feed = tmp_path / "feeds" / "outlet.xml"
    feed.parent.mkdir()
    feed.write_text(_rss(RELATIVE_ITEMS), encoding="utf-8")
    ingest_source(_source(tmp_path, str(feed)), Warehouse(warehouse_path), "run")
    ids = sorted(r["external_id"] for r in _rows(warehouse_path, "select external_id from documents"))
    assert ids == ["post-1", "post-2", "post-3", "post-4"]


def test_an_id_stored_resolved_by_an_older_telefeed_is_kept(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    """Before this fix ``post-1`` was stored as ``http://host/post-1``: the next run must not add ``post-1``."""
    http_server.add("/feed.xml", body=_rss(RELATIVE_ITEMS[:2]).encode())
    legacy = http_server.url("/post-1")
    warehouse = Warehouse(warehouse_path)
    warehouse.land(LandBatch("outlet", documents=[Document("outlet", "article", legacy, "Text of story 1.")]))
    stats = ingest_source(_source(tmp_path, http_server.url("/feed.xml")), warehouse, "run")
    assert stats.new == 1
    ids = sorted(r["external_id"] for r in _rows(warehouse_path, "select external_id from documents"))
    assert ids == [legacy, "post-2"]


def test_description_only_items_land_with_an_id_from_their_content(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    items = [
        _item(None, None, "Air raid alert in Kyiv region, go to shelters."),
        _item(None, None, "All clear in Kyiv region.", "Mon, 23 Nov 2026 11:00:00 +0000"),
        "<item><pubDate>Mon, 23 Nov 2026 11:00:00 +0000</pubDate></item>",  # nothing at all: quarantined
    ]
    http_server.add("/feed.xml", body=_rss(items).encode())
    source = _source(tmp_path, http_server.url("/feed.xml"))
    first = ingest_source(source, Warehouse(warehouse_path), "run-1")
    assert (first.new, first.quarantined) == (2, 1)
    texts = sorted(r["text"] for r in _rows(warehouse_path, "select text from documents"))
    assert texts == ["Air raid alert in Kyiv region, go to shelters.", "All clear in Kyiv region."]
    assert all(
        r["external_id"].startswith("sha256:") for r in _rows(warehouse_path, "select external_id from documents")
    )
    again = ingest_source(source, Warehouse(warehouse_path), "run-2")
    assert (again.new, again.skipped) == (0, 2)


def test_migration_rewrites_local_feed_ids_that_held_a_path(tmp_path: Path, warehouse_path: str) -> None:
    """Ids an older telefeed stored for a local feed (``/dir/post-1``) become ``post-1`` with their document id
    everywhere; the next run of the feed adds nothing."""
    feed = tmp_path / "feeds" / "outlet.xml"
    feed.parent.mkdir()
    feed.write_text(_rss(RELATIVE_ITEMS[:2]), encoding="utf-8")
    source = _source(tmp_path, str(feed))
    warehouse = Warehouse(warehouse_path)
    old_ids = [str(feed.parent / f"post-{n}") for n in (1, 2)]
    payload = {"feed": {"url": str(feed)}}
    warehouse.land(
        LandBatch(
            "outlet",
            raw_items=[RawItem("outlet", i, "rss_entry", {**payload, "id": i}) for i in old_ids],
            documents=[Document("outlet", "article", i, f"Text of story {i[-1]}.") for i in old_ids],
        )
    )
    ingest_source(source, warehouse, "clusters")  # clusters the two stored documents (adds nothing: legacy ids)
    assert len(_rows(warehouse_path, "select * from documents")) == 2
    warehouse.query("DELETE FROM schema_version WHERE version = 81")

    migrated = Warehouse(warehouse_path)
    docs = _rows(warehouse_path, "select id, external_id from documents order by external_id")
    assert [d["external_id"] for d in docs] == ["post-1", "post-2"]
    assert [d["id"] for d in docs] == [Document("outlet", "article", e, "x").id for e in ("post-1", "post-2")]
    clustered = {r["document_id"] for r in _rows(warehouse_path, "select document_id from story_clusters")}
    assert clustered == {d["id"] for d in docs}
    raw = {r["external_id"] for r in _rows(warehouse_path, "select external_id from raw_items")}
    assert raw == {"post-1", "post-2"}
    stats: SourceStats = ingest_source(source, migrated, "after")
    assert (stats.new, len(_rows(warehouse_path, "select * from documents"))) == (0, 2)
