"""The t.me/s preview (served by a 127.0.0.1 server, paginated) and Telegram Desktop exports.

Claims: the preview walks ``?before=`` pages down to the cursor and no further; reruns land nothing new; an
edited post lands revision 2; the export lands both text shapes, Cyrillic text and keeps service messages as
raw only, quarantining a damaged message; a dated backfill of an export leaves the cursor alone; and the
API, preview and export paths land the same fields for the same posts.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from telefeed.config import TelegramExportSource, TelegramPreviewSource, TelegramSource
from telefeed.models import Cursor
from telefeed.pipeline import SourceStats, Window, ingest_source
from telefeed.resources import Resources
from tests.conftest import FIXTURES
from tests.support.fake_telegram import BASE_DATE, FakeTelegramClient, severny_vestnik_messages
from tests.support.http_server import FixtureServer
from warehouse.db import Warehouse

PREVIEW = FIXTURES / "telegram" / "preview"
EXPORT = FIXTURES / "telegram" / "export"
PAGE_1 = (PREVIEW / "severny_vestnik.html").read_bytes()
PAGE_2 = (PREVIEW / "severny_vestnik_before_106.html").read_bytes()
POST_IDS = [f"severny_vestnik:{i}" for i in (101, 102, 103, 106, 107, 109)]


def _serve(server: FixtureServer, page_1: bytes = PAGE_1) -> str:
    server.add("/s/severny_vestnik", body=page_1, content_type="text/html; charset=utf-8")
    server.add("/s/severny_vestnik?before=106", body=PAGE_2, content_type="text/html; charset=utf-8")
    return server.url("/s/")


def _preview_source(base_url: str, **extra: Any) -> TelegramPreviewSource:
    return TelegramPreviewSource(
        name="sever-web", kind="telegram_preview", channel="severny_vestnik", base_url=base_url, **extra
    )


def _export_source(path: Path = EXPORT) -> TelegramExportSource:
    return TelegramExportSource(name="sever-export", kind="telegram_export", path=str(path), channel="severny_vestnik")


def _run(source: Any, path: str, window: Window | None = None) -> SourceStats:
    return ingest_source(source, Warehouse(path), "run-test", window)


def _docs(path: str, source: str) -> dict[str, dict[str, Any]]:
    rows = Warehouse(path).query("select * from documents where source = ? order by external_id", [source]).to_pylist()
    for row in rows:
        row["metadata"] = json.loads(row["metadata"])
    return {r["external_id"]: r for r in rows}


def _count(path: str, sql: str) -> int:
    return int(Warehouse(path).query(sql).column(0)[0].as_py())


def test_preview_paginates_down_to_the_cursor(http_server: FixtureServer, warehouse_path: str) -> None:
    source = _preview_source(_serve(http_server))
    first = _run(source, warehouse_path)
    assert first.status == "ok", first.error_message
    assert first.new == 6
    assert sorted(_docs(warehouse_path, "sever-web")) == POST_IDS
    assert [r.path for r in http_server.requests] == ["/s/severny_vestnik", "/s/severny_vestnik?before=106"]
    assert Warehouse(warehouse_path).get_cursor("sever-web").last_id == 109
    assert _count(warehouse_path, "select count(*) from raw_items where item_kind = 'telegram_service'") == 1

    again = _run(source, warehouse_path)
    assert again.new == 0 and again.updated == 0
    # the newest page already reaches the cursor: the older page is not asked for again
    assert [r.path for r in http_server.requests][2:] == ["/s/severny_vestnik"]
    assert _count(warehouse_path, "select count(*) from raw_items") == 7
    assert _count(warehouse_path, "select count(*) from telegram_counter_snapshots") == 6


def test_preview_edit_between_runs_lands_revision_2(http_server: FixtureServer, warehouse_path: str) -> None:
    source = _preview_source(_serve(http_server))
    _run(source, warehouse_path)
    edited_page = PAGE_1.replace("ремонт мосту".encode(), "ремонт мосту завершено".encode())
    http_server.add("/s/severny_vestnik", body=edited_page, content_type="text/html; charset=utf-8")
    stats = _run(source, warehouse_path)
    assert stats.updated == 1 and stats.new == 0
    row = _docs(warehouse_path, "sever-web")["severny_vestnik:109"]
    assert row["revision"] == 2 and row["text"] == "Відео: ремонт мосту завершено"
    assert _count(warehouse_path, "select count(*) from raw_items where external_id = 'severny_vestnik:109'") == 2


def test_preview_max_pages_before_cursor_is_reported(http_server: FixtureServer, warehouse_path: str) -> None:
    base = _serve(http_server)
    Warehouse(warehouse_path).save_cursor(Cursor(source="sever-web", last_id=50))
    stats = _run(_preview_source(base, max_pages=1), warehouse_path)
    assert stats.status == "partial" and "max_pages=1" in (stats.error_message or "")
    assert stats.new == 3  # what was read still lands ...
    assert Warehouse(warehouse_path).get_cursor("sever-web").last_id == 50  # ... but the gap is not skipped


def test_preview_page_failure_keeps_cursor_and_next_run_fills_in(
    http_server: FixtureServer, warehouse_path: str
) -> None:
    base = _serve(http_server)
    http_server.add("/s/severny_vestnik?before=106", status=500, body=b"oops", content_type="text/plain")
    source = _preview_source(base, http={"retries": 0})
    first = _run(source, warehouse_path)
    assert first.status == "partial" and "HTTP 500" in (first.error_message or "")
    assert first.new == 3
    assert Warehouse(warehouse_path).get_cursor("sever-web").last_id is None
    http_server.add("/s/severny_vestnik?before=106", body=PAGE_2, content_type="text/html; charset=utf-8")
    second = _run(source, warehouse_path)
    assert second.status == "ok" and second.new == 3
    assert sorted(_docs(warehouse_path, "sever-web")) == POST_IDS
    assert Warehouse(warehouse_path).get_cursor("sever-web").last_id == 109


def test_preview_offline_page_archive(warehouse_path: str) -> None:
    stats = _run(_preview_source("https://t.me/s/", page_archive=str(PREVIEW)), warehouse_path)
    assert stats.new == 6 and sorted(_docs(warehouse_path, "sever-web")) == POST_IDS


def test_export_lands_both_text_shapes_cyrillic_and_service_messages(warehouse_path: str) -> None:
    stats = _run(_export_source(), warehouse_path)
    assert stats.status == "ok", stats.error_message
    assert stats.new == 6 and stats.quarantined == 1
    docs = _docs(warehouse_path, "sever-export")
    assert sorted(docs) == POST_IDS
    # text as a list of entities
    first = docs["severny_vestnik:101"]
    assert first["text"].startswith("Срочно: в Северске")
    assert first["metadata"]["links"] == ["https://example.org/news/101"]
    assert first["metadata"]["hashtags"] == ["Северск"]
    assert docs["severny_vestnik:102"]["metadata"]["links"] == ["https://example.com/grafik"]
    # text as a plain string
    assert docs["severny_vestnik:106"]["text"] == "Переслано: ситуация на фронте стабильная."
    assert docs["severny_vestnik:106"]["metadata"]["fwd_from"] == {"name": "Other News"}
    # dates come from date_unixtime (the export's local "date" is two hours ahead here)
    assert first["published_at"] == BASE_DATE
    # albums (no grouped_id in exports) are recognised by timestamp
    assert docs["severny_vestnik:103"]["metadata"]["message_ids"] == [103, 104, 105]
    services = Warehouse(warehouse_path).query(
        "select external_id from raw_items where item_kind = 'telegram_service' order by 1"
    )
    assert services.column(0).to_pylist() == ["severny_vestnik:100", "severny_vestnik:108"]
    reason = Warehouse(warehouse_path).query("select reason from quarantine").column(0).to_pylist()
    assert reason == ["export message without an integer id"]

    again = _run(_export_source(), warehouse_path)
    assert again.new == 0 and again.updated == 0
    assert _count(warehouse_path, "select count(*) from raw_items") == 8


def test_export_backfill_window_filters_by_date_and_keeps_cursor(warehouse_path: str) -> None:
    window = Window(since=BASE_DATE + timedelta(minutes=5), until=BASE_DATE + timedelta(minutes=35))
    stats = _run(_export_source(), warehouse_path, window)
    assert stats.mode == "backfill" and stats.new == 3
    assert sorted(_docs(warehouse_path, "sever-export")) == [
        "severny_vestnik:102",
        "severny_vestnik:103",
        "severny_vestnik:106",
    ]
    assert Warehouse(warehouse_path).get_cursor("sever-export").last_id is None


def test_missing_export_fails_clearly_and_other_sources_go_on(tmp_path: Path, warehouse_path: str) -> None:
    stats = _run(_export_source(tmp_path / "nowhere"), warehouse_path)
    assert stats.status == "failed" and "nowhere/result.json" in (stats.error_message or "")
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "result.json").write_text("{not json", encoding="utf-8")
    broken = _run(_export_source(folder), warehouse_path)
    assert broken.status == "failed" and "invalid JSON" in (broken.error_message or "")
    shutil.copytree(EXPORT, tmp_path / "good")
    assert _run(_export_source(tmp_path / "good"), warehouse_path).new == 6


# Fields each path shows; the export has no view counts and no forward ids (the preview's channel id comes from
# the widgets' data-view).
SHARED = ("external_id", "kind", "text", "url", "published_at", "author")
SHARED_META = (
    "channel_id",
    "links",
    "mentions",
    "hashtags",
    "reply_to",
    "media_types",
    "message_ids",
    "reactions",
    "channel_username",
)


def _link_entities(meta: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e["type"], e["offset"], e["length"], e["text"], e.get("url"))
        for e in meta["entities"]
        if e["type"] in ("link", "text_link", "mention", "hashtag")
    ]


def test_api_preview_and_export_land_the_same_fields(http_server: FixtureServer, warehouse_path: str) -> None:
    api = TelegramSource(name="sever-api", kind="telegram", channel="severny_vestnik", lookback_days=None)
    fake = Resources(telegram_client=lambda source: FakeTelegramClient(severny_vestnik_messages()))
    for source in (api, _preview_source(_serve(http_server)), _export_source()):
        assert ingest_source(source, Warehouse(warehouse_path), "run-test", None, fake).new == 6
    by_path = {name: _docs(warehouse_path, name) for name in ("sever-api", "sever-web", "sever-export")}
    assert sorted(by_path["sever-api"]) == sorted(by_path["sever-web"]) == sorted(by_path["sever-export"]) == POST_IDS
    compared = 0
    for external_id in POST_IDS:
        api_doc, web_doc, exp_doc = (by_path[n][external_id] for n in ("sever-api", "sever-web", "sever-export"))
        for field in SHARED:
            assert api_doc[field] == web_doc[field] == exp_doc[field], (external_id, field)
            compared += 1
        for field in SHARED_META:
            values = [d["metadata"][field] for d in (api_doc, web_doc, exp_doc)]
            assert values[0] == values[1] == values[2], (external_id, field, values)
            compared += 1
        assert _link_entities(api_doc["metadata"]) == _link_entities(web_doc["metadata"])
        assert _link_entities(api_doc["metadata"]) == _link_entities(exp_doc["metadata"])
        assert api_doc["metadata"]["views"] == web_doc["metadata"]["views"] is not None
        api_fwd, web_fwd, exp_fwd = (d["metadata"]["fwd_from"] for d in (api_doc, web_doc, exp_doc))
        if api_fwd:
            assert api_fwd["name"] == web_fwd["name"] == exp_fwd["name"] == "Other News"
            assert api_fwd["message_id"] == web_fwd["message_id"] == 4321
            assert api_fwd["username"] == web_fwd["username"] == "other_news"
        else:
            assert web_fwd is None and exp_fwd is None
    assert compared == len(POST_IDS) * (len(SHARED) + len(SHARED_META))
    # documents are per source; the document content hash is the same across paths
    hashes = (
        Warehouse(warehouse_path)
        .query("select count(distinct content_hash) from documents group by external_id")
        .column(0)
        .to_pylist()
    )
    assert hashes == [1] * len(POST_IDS)


def test_newer_export_with_an_edit_lands_revision_2(tmp_path: Path, warehouse_path: str) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    _run(_export_source(folder), warehouse_path)
    data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    for message in data["messages"]:
        if message.get("id") == 106:
            message["text"] = "Переслано: ситуация на фронте стабильная, без изменений."
            message["edited_unixtime"] = str(int((BASE_DATE + timedelta(hours=2)).timestamp()))
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    stats = _run(_export_source(folder), warehouse_path)
    assert stats.updated == 1 and stats.new == 0
    row = _docs(warehouse_path, "sever-export")["severny_vestnik:106"]
    assert row["revision"] == 2 and row["text"].endswith("без изменений.")
    assert row["metadata"]["edit_date"] == (BASE_DATE + timedelta(hours=2)).isoformat()
    assert _count(warehouse_path, "select count(*) from raw_items where external_id = 'severny_vestnik:106'") == 2


def test_extraction_reads_hidden_links_and_forwards_from_the_post_metadata(
    http_server: FixtureServer, warehouse_path: str
) -> None:
    from telefeed.pipeline.extract import run_extraction

    for source in (_preview_source(_serve(http_server)), _export_source()):
        assert _run(source, warehouse_path).new == 6
    run_extraction(Warehouse(warehouse_path))
    rows = Warehouse(warehouse_path).query(
        "select d.source, d.external_id, r.channel, r.post_id, r.via from telegram_refs r "
        "join documents d on d.id = r.document_id where r.via = 'forward' order by 1"
    )
    # the preview names the forwarded channel and post; the export only a name no known channel goes by
    assert [tuple(r.values()) for r in rows.to_pylist()] == [
        ("sever-web", "severny_vestnik:106", "other_news", 4321, "forward")
    ]
    hidden = Warehouse(warehouse_path).query(
        "select distinct d.source from links l join documents d on d.id = l.document_id "
        "where l.target = 'https://example.com/grafik' order by 1"
    )
    assert hidden.column(0).to_pylist() == ["sever-export", "sever-web"]


def test_channel_without_public_preview_fails_clearly(http_server: FixtureServer, warehouse_path: str) -> None:
    # t.me/s/<name> of a channel without a web preview redirects to the channel's page, which lists no posts
    http_server.add("/s/closed_notes", redirect_to="/closed_notes")
    page = (PREVIEW / "no_public_preview.html").read_bytes()
    http_server.add("/closed_notes", body=page, content_type="text/html; charset=utf-8")
    source = TelegramPreviewSource(
        name="closed", kind="telegram_preview", channel="closed_notes", base_url=http_server.url("/s/")
    )
    stats = _run(source, warehouse_path)
    assert stats.status == "failed", stats.status
    assert "channel has no public preview" in (stats.error_message or "")
    assert Warehouse(warehouse_path).get_cursor("closed").last_id is None


FRONTLINE = (PREVIEW / "frontline_notes.html").read_bytes()


def _serve_frontline(server: FixtureServer, newest: bytes = FRONTLINE) -> TelegramPreviewSource:
    server.add("/s/frontline_notes", body=newest, content_type="text/html; charset=utf-8")
    older = (PREVIEW / "frontline_notes_before_305.html").read_bytes()
    server.add("/s/frontline_notes?before=305", body=older, content_type="text/html; charset=utf-8")
    return TelegramPreviewSource(
        name="frontline", kind="telegram_preview", channel="frontline_notes", base_url=server.url("/s/")
    )


def test_preview_refresh_with_new_cdn_addresses_is_not_a_revision(
    http_server: FixtureServer, warehouse_path: str
) -> None:
    first = _run(_serve_frontline(http_server), warehouse_path)
    assert first.status == "ok" and first.new == 10
    docs = _docs(warehouse_path, "frontline")
    assert {d["metadata"]["channel_id"] for d in docs.values()} == {1777000001}
    assert docs["frontline_notes:308"]["metadata"]["media_types"] == ["photo", "video"]
    # every page load hands out new temporary CDN addresses for photos and thumbnails
    refreshed = FRONTLINE.replace(b"token=e6", b"token=x1").replace(b"token=a1", b"token=x2")
    again = _run(_serve_frontline(http_server, refreshed), warehouse_path)
    assert again.new == 0 and again.updated == 0
    edited = refreshed.replace(b"three views", b"three views (updated)")
    assert _run(_serve_frontline(http_server, edited), warehouse_path).updated == 1


EXPORT_FULL = FIXTURES / "telegram" / "export_full"  # a full-account export: {"chats": {"list": [...]}}


def _full_export_source(**extra: Any) -> TelegramExportSource:
    return TelegramExportSource(
        name="frontline-export", kind="telegram_export", path=str(EXPORT_FULL), channel="frontline_notes", **extra
    )


def test_full_account_export_reads_the_chat_the_source_names(warehouse_path: str) -> None:
    by_name = _run(_full_export_source(chat="Frontline Notes"), warehouse_path)
    assert by_name.status == "ok", by_name.error_message
    assert by_name.new == 10  # 301-304, 307, the album 308-310, 311-314
    by_id = _run(_full_export_source(chat="1777000001"), warehouse_path)
    assert by_id.status == "ok" and by_id.new == 0 and by_id.updated == 0
    unnamed = _run(_full_export_source(), warehouse_path)
    assert unnamed.status == "failed"
    assert "set `chat`" in (unnamed.error_message or "") and "Sever Radio" in (unnamed.error_message or "")
    missing = _run(_full_export_source(chat="Nowhere"), warehouse_path)
    assert missing.status == "failed" and "no chat 'Nowhere'" in (missing.error_message or "")


def test_export_placeholders_unsupported_polls_places_and_reaction_stamps(warehouse_path: str) -> None:
    _run(_full_export_source(chat="Frontline Notes"), warehouse_path)
    docs = {k.split(":")[1]: v["metadata"] for k, v in _docs(warehouse_path, "frontline-export").items()}
    # "(File not included...)" is not a path
    assert docs["303"]["media"] == [
        {
            "type": "video_note",
            "mime_type": "video/mp4",
            "file_name": "round.mp4",
            "duration": 45,
            "width": 384,
            "height": 384,
            "message_id": 303,
        }
    ]
    album = docs["308"]
    assert [(m["type"], m.get("path")) for m in album["media"]] == [
        ("photo", None),
        ("photo", "photos/photo_2@22-11-2026_10-30-00.jpg"),
        ("video", "video_files/bridge.mp4"),
    ]
    assert album["reactions"] == {"custom:5368324170671202286": 1200, "paid": 7, "😢": 41}
    # tdesktop writes the first reaction's time as `edited`: with reactions it is not an edit ...
    assert album["edit_date"] is None and album["edited"] is False
    # ... without reactions it is
    assert docs["313"]["edit_date"] == "2026-11-22T12:30:00+00:00" and docs["313"]["edited"] is True
    # an unsupported message is a post (kept as a document), not a service message
    assert docs["307"]["media_types"] == ["unsupported"]
    services = Warehouse(warehouse_path).query(
        "select external_id from raw_items where item_kind = 'telegram_service' and source = 'frontline-export'"
    )
    assert services.column(0).to_pylist() == ["frontline_notes:300"]
    assert docs["302"]["media"] == [
        {
            "type": "poll",
            "question": "Should the evening briefing move to 20:00?",
            "answers": ["Yes", "No"],
            "message_id": 302,
        }
    ]
    assert docs["302"]["poll"]["answers"] == [{"text": "Yes", "voters": 806}, {"text": "No", "voters": 494}]
    assert docs["302"]["poll"]["total_voters"] == 1300
    assert [(m["type"], m["latitude"], m["longitude"], m["title"], m["address"]) for m in docs["311"]["media"]] == [
        ("venue", 49.7106, 37.6156, "Railway station", "Vokzalna St, Kupiansk")
    ]
    assert [(m["type"], m["file_name"], m["duration"]) for m in docs["304"]["media"]] == [
        ("audio", "briefing-22-11.mp3", 754)
    ]
    # newer exports name the forward source's id
    assert docs["314"]["fwd_from"] == {"name": "Sever Radio", "channel_id": 1888000001}
