"""Pure Telegram mapping: UTF-16 offsets, both export text shapes, preview HTML, ids and bad payloads; the links
and Telegram references a post's metadata adds to its text (hidden links, link previews, forwards) on all paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.telegram_export import read_export
from connectors.telegram_preview import parse_page
from extraction.links import metadata_links
from extraction.normalise import NormaliseError, normalise_items
from extraction.telegram import (
    API_ITEM,
    EXPORT_ITEM,
    PREVIEW_ITEM,
    counter_snapshot,
    export_album_groups,
    export_text,
    group_messages,
    is_service_message,
    message_payload,
    parse_count,
    post_external_id,
    post_url,
    preview_post,
    telegram_item_to_document,
    username_from_url,
    utf16_len,
    utf16_slice,
)
from telefeed.models import Document, RawItem
from tests.conftest import FIXTURES
from tests.support.fake_telegram import severny_vestnik_messages

CHANNEL = {"id": 1500000001, "username": "severny_vestnik", "title": "Северный вестник"}


def _api_documents() -> dict[str, Document]:
    payloads = [message_payload(m) for m in severny_vestnik_messages()]
    groups = group_messages([p for p in payloads if not is_service_message(p)])
    items = [
        RawItem("api", f"severny_vestnik:{g[0]['id']}", API_ITEM, {"channel": CHANNEL, "messages": g}) for g in groups
    ]
    return {d.external_id: d for d in map(telegram_item_to_document, items)}


def _preview_documents() -> dict[str, Document]:
    folder = FIXTURES / "telegram" / "preview"
    posts = [
        post
        for name in ("severny_vestnik.html", "severny_vestnik_before_106.html")
        for post in parse_page(name, (folder / name).read_text(encoding="utf-8")).posts
        if not post.service
    ]
    items = [
        RawItem(
            "web",
            f"severny_vestnik:{p.post_id}",
            PREVIEW_ITEM,
            {"channel": {"username": "severny_vestnik"}, "html": p.html},
        )
        for p in posts
    ]
    return {d.external_id: d for d in map(telegram_item_to_document, items)}


def _export_documents() -> dict[str, Document]:
    export = read_export("export", FIXTURES / "telegram" / "export")
    channel = {**export.channel, "username": "severny_vestnik"}
    items = [
        RawItem("export", f"severny_vestnik:{g[0]['id']}", EXPORT_ITEM, {"channel": channel, "messages": g})
        for g in export_album_groups(export.messages)
        if g[0].get("type") == "message"
    ]
    return {d.external_id: d for d in map(telegram_item_to_document, items)}


def test_utf16_offsets_count_surrogate_pairs() -> None:
    text = "🚨 Тест https://x.org"
    assert utf16_len("🚨") == 2 and len("🚨") == 1
    assert utf16_slice(text, 8, 13) == "https://x.org"


def test_export_text_as_list_builds_text_and_utf16_entities() -> None:
    text, entities = export_text(
        [
            "🔥 Дивіться ",
            {"type": "text_link", "text": "тут", "href": "https://e.com/a"},
            " ",
            {"type": "hashtag", "text": "#Київ"},
        ]
    )
    assert text == "🔥 Дивіться тут #Київ"
    assert entities[0] == {"type": "text_link", "offset": 12, "length": 3, "text": "тут", "url": "https://e.com/a"}
    assert entities[1]["offset"] == 16 and entities[1]["type"] == "hashtag"
    assert export_text("просто текст") == ("просто текст", [])
    assert export_text(None) == ("", [])
    with pytest.raises(NormaliseError):
        export_text(42)


def test_parse_count_and_usernames() -> None:
    assert [parse_count(v) for v in ("845", "1.2K", "3M", "", "n/a")] == [845, 1200, 3_000_000, None, None]
    assert username_from_url("@Sever_Vesti") == "Sever_Vesti"
    assert username_from_url("https://t.me/s/sever_vesti") == "sever_vesti"
    assert username_from_url("t.me/sever_vesti/12") == "sever_vesti"
    assert username_from_url("-1001500000001") is None
    assert post_external_id("Sever_Vesti", 15, 7) == "sever_vesti:7"
    assert post_external_id(None, 15, 7) == "15:7"
    assert post_url(None, 15, 7) == "https://t.me/c/15/7"


def test_preview_text_keeps_formatting_and_classifies_links() -> None:
    html = (
        '<div class="tgme_widget_message" data-post="chan/5"><div class="tgme_widget_message_text">'
        '<b>Важно</b>: <a href="https://t.me/kyiv">@kyiv</a> и <a href="https://e.org/x">https://e.org/x</a>'
        '<br/><a href="https://e.org/y">здесь</a> <a href="?q=%23tag">#tag</a></div>'
        '<span class="tgme_widget_message_views">1.5K</span><span class="tgme_widget_message_meta">edited '
        '<a class="tgme_widget_message_date"><time datetime="2026-11-20T06:00:00+00:00"></time></a></span></div>'
    )
    post = preview_post({"channel": {"username": "chan"}, "post_id": 5, "html": html})
    assert post.text == "Важно: @kyiv и https://e.org/x\nздесь #tag"
    assert [(e["type"], e["text"]) for e in post.entities] == [
        ("bold", "Важно"),
        ("mention", "@kyiv"),
        ("link", "https://e.org/x"),
        ("text_link", "здесь"),
        ("hashtag", "#tag"),
    ]
    assert post.views == 1500 and post.edited is True
    assert post.date == datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        (API_ITEM, {"channel": {"username": "c"}, "messages": []}, "no messages"),
        (API_ITEM, {"channel": {"username": "c"}, "messages": [{"id": 1, "message": "x"}]}, "no date"),
        (PREVIEW_ITEM, {"channel": {"username": "c"}, "post_id": 1, "html": "<p>nothing</p>"}, "tgme_widget_message"),
        (EXPORT_ITEM, {"channel": {}, "messages": [{"id": 1, "date_unixtime": "1", "text": "x"}]}, "channel"),
    ],
)
def test_bad_payloads_are_quarantined_with_a_reason(kind: str, payload: dict[str, object], reason: str) -> None:
    item = RawItem("s", "c:1", kind, payload)
    documents, quarantine = normalise_items([item], mapper=telegram_item_to_document)
    assert documents == [] and len(quarantine) == 1
    assert reason in quarantine[0].reason and quarantine[0].stage == "normalise"


def test_revision_key_ignores_counters_but_not_text() -> None:
    def doc(text: str, views: int) -> dict[str, object]:
        message = {"id": 3, "date": "2026-11-20T06:00:00+00:00", "message": text, "views": views}
        item = RawItem("s", "c:3", API_ITEM, {"channel": {"username": "c"}, "messages": [message]})
        return telegram_item_to_document(item).metadata

    assert doc("a", 1)["revision_key"] == doc("a", 99)["revision_key"]
    assert doc("a", 1)["revision_key"] != doc("b", 1)["revision_key"]


def test_counter_snapshot_only_when_counters_shown() -> None:
    item = RawItem(
        "s",
        "c:3",
        EXPORT_ITEM,
        {"channel": {"username": "c"}, "messages": [{"id": 3, "type": "message", "date_unixtime": "1", "text": "x"}]},
    )
    assert counter_snapshot(telegram_item_to_document(item), datetime.now(UTC)) is None


@pytest.mark.parametrize("path", ["api", "preview", "export"])
def test_hidden_links_and_forward_sources_reach_links_and_refs(path: str) -> None:
    docs = {"api": _api_documents, "preview": _preview_documents, "export": _export_documents}[path]()
    known = {"other_news": ["Other News"]}
    hidden = docs["severny_vestnik:102"]
    links, refs = metadata_links(hidden.text, hidden.metadata, known)
    assert [(link.kind, link.target) for link in links] == [("url", "https://example.com/grafik")]
    assert hidden.text[links[0].start : links[0].end] == "тут"  # the anchor text of the hidden link
    assert refs == []

    forwarded = docs["severny_vestnik:106"]
    links, refs = metadata_links(forwarded.text, forwarded.metadata, known)
    # the API and the preview name the forwarded post; the export only the channel's name
    post = None if path == "export" else 4321
    assert [(r.channel, r.post_id, r.via) for r in refs] == [("other_news", post, "forward")]
    assert [link.kind for link in links] == ["telegram"] and links[0].start == links[0].end == 0

    plain = docs["severny_vestnik:101"]
    assert metadata_links(plain.text, plain.metadata, known) == ([], [])


def test_hidden_telegram_links_and_link_previews_become_references() -> None:
    text = "Подробнее здесь и там"
    metadata = {
        "entities": [
            {"type": "text_link", "offset": 10, "length": 5, "text": "здесь", "url": "https://t.me/rybar/500"},
        ],
        "link_preview": {"url": "https://t.me/s/grey_zone/77", "site_name": "Telegram"},
        "fwd_from": {"channel_id": 1234567, "message_id": 9, "name": "Closed"},
    }
    links, refs = metadata_links(text, metadata)
    assert [(r.channel, r.post_id, r.via, r.start, r.end) for r in refs] == [
        ("rybar", 500, "text_link", 10, 15),
        ("grey_zone", 77, "link_preview", 0, 0),
        ("1234567", 9, "forward", 0, 0),
    ]
    assert [link.target for link in links] == ["rybar/500", "grey_zone/77", "1234567/9"]
