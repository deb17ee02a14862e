"""Pure Telegram mapping: UTF-16 offsets, both export text shapes, preview HTML, ids and bad payloads; the links
and Telegram references a post's metadata adds to its text (hidden links, link previews, forwards) on all paths."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from telethon.tl.types import (
    GeoPoint,
    Message,
    MessageFwdHeader,
    MessageMediaGeo,
    MessageMediaPoll,
    MessageMediaVenue,
    MessageMediaWebPage,
    MessageReactions,
    MessageReplyHeader,
    PeerChannel,
    Poll,
    PollAnswer,
    PollAnswerVoters,
    PollResults,
    ReactionCount,
    ReactionCustomEmoji,
    TextWithEntities,
    WebPage,
)

from connectors.telegram import group_messages, message_payload
from connectors.telegram_export import read_export
from connectors.telegram_preview import parse_page
from extraction.links import FORWARD_OFFSET, PREVIEW_OFFSET, extract_links, metadata_links
from extraction.normalise import NormaliseError, normalise_items
from extraction.telegram import (
    API_ITEM,
    EXPORT_ITEM,
    PREVIEW_ITEM,
    Post,
    api_post,
    counter_snapshot,
    export_album_groups,
    export_post,
    export_text,
    is_service_message,
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


@pytest.mark.parametrize(("to_post", "item"), [(api_post, API_ITEM), (export_post, EXPORT_ITEM)])
def test_a_payload_without_messages_or_a_date_is_refused_by_name(to_post: Callable[..., Post], item: str) -> None:
    with pytest.raises(NormaliseError, match=f"{item} payload has no messages"):
        to_post({"channel": {"id": 15}, "messages": []})
    with pytest.raises(NormaliseError, match=f"{item} 7 has no date"):
        to_post({"channel": {"id": 15}, "messages": [{"id": 9, "date": "2026-11-20T06:00:00+00:00"}, {"id": 7}]})


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
    assert [link.kind for link in links] == ["telegram"] and links[0].start == links[0].end == FORWARD_OFFSET

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
        ("grey_zone", 77, "link_preview", PREVIEW_OFFSET, PREVIEW_OFFSET),
        ("1234567", 9, "forward", FORWARD_OFFSET, FORWARD_OFFSET),
    ]
    assert [link.target for link in links] == ["rybar/500", "grey_zone/77", "1234567/9"]
    assert len({link.start for link in links}) == len(links)  # (document_id, start_char) stays a key
    # a link preview of a URL the text already shows adds nothing; neither does a hidden link where a text link starts
    shown = extract_links("См. https://t.me/s/grey_zone/77")
    metadata["entities"] = [{"type": "text_link", "offset": 4, "length": 5, "text": "https", "url": "https://e.org"}]
    again, _ = metadata_links("См. https://t.me/s/grey_zone/77", metadata, text_links=shown)
    assert [link.target for link in again] == ["1234567/9"]


def _frontline_payloads() -> dict[int, dict[str, object]]:
    folder = FIXTURES / "telegram" / "preview"
    payloads = {}
    for name in ("frontline_notes.html", "frontline_notes_before_305.html"):
        for post in parse_page(name, (folder / name).read_text(encoding="utf-8")).posts:
            payloads[post.post_id] = {
                "channel": {"username": "frontline_notes"},
                "post_id": post.post_id,
                "html": post.html,
            }
    return payloads


def _kinds(media: list[dict[str, object]], *keys: str) -> list[tuple[object, ...]]:
    return [(m["type"], *(m.get(k) for k in keys)) for m in media]


def test_preview_reads_what_real_markup_shows() -> None:
    posts = {pid: preview_post(payload) for pid, payload in _frontline_payloads().items()}
    assert sorted(posts) == [301, 302, 303, 304, 305, 306, 307, 308, 311, 312]
    assert {p.channel_id for p in posts.values()} == {1777000001}  # from data-view
    assert posts[301].link_preview == {
        "url": "https://example.org/briefing/301",
        "site_name": "Example Briefings",
        "title": "Evening briefing, 22 November",
        "description": "What changed on the eastern front today.",
    }
    question = "Should the evening briefing move to 20:00?"
    assert posts[302].media == [{"type": "poll", "question": question, "answers": ["Yes", "No"], "message_id": 302}]
    assert posts[302].poll == {
        "question": question,
        "total_voters": 1300,
        "answers": [{"text": "Yes", "percent": 62}, {"text": "No", "percent": 38}],
    }
    assert _kinds(posts[303].media, "duration") == [("video_note", 45)]
    assert _kinds(posts[304].media, "file_name") == [("audio", "briefing-22-11.mp3"), ("document", "losses.pdf")]
    assert _kinds(posts[305].media, "duration", "too_big") == [("video", 3723, None)]  # h:mm:ss
    assert _kinds(posts[306].media, "duration", "too_big") == [("video", 52, True)]
    assert posts[306].text == "Drone footage near Kupiansk"
    assert _kinds(posts[307].media) == [("unsupported",)]
    album = posts[308]
    assert album.message_ids == [308, 309, 310] and album.text == "The bridge after the strike, three views"
    assert _kinds(album.media, "message_id") == [("photo", 308), ("photo", 309), ("video", 310)]
    assert album.reactions == {"😢": 41, "custom:5368324170671202286": 1200, "paid": 7}
    assert album.reply_to == 301 and album.edited
    assert _kinds(posts[311].media, "latitude", "longitude") == [("geo", 49.7106, 37.6156)]
    assert _kinds(posts[312].media, "duration") == [("voice", 41)]


def test_preview_revision_key_leaves_out_cdn_urls() -> None:
    payload = _frontline_payloads()[308]

    def key(html: str) -> object:
        item = RawItem("web", "frontline_notes:308", PREVIEW_ITEM, {**payload, "html": html})
        return telegram_item_to_document(item).metadata["revision_key"]

    html = str(payload["html"])
    assert "token=e6" in html
    assert key(html) == key(html.replace("token=e6", "token=zz").replace("p309.jpg", "p309b.jpg"))
    assert key(html) != key(html.replace("three views", "four views"))


def _api_post(**fields: object) -> Post:
    message = Message(id=40, peer_id=PeerChannel(1500000001), date=datetime(2026, 11, 22, 7, tzinfo=UTC), **fields)
    return api_post({"channel": CHANNEL, "messages": [message_payload(message)]})


def test_api_polls_places_link_previews_and_custom_reactions() -> None:
    question = TextWithEntities(text="Should the evening briefing move to 20:00?", entities=[])
    answers = [PollAnswer(text=TextWithEntities(text=t, entities=[]), option=bytes([i])) for i, t in enumerate("AB")]
    poll = _api_post(
        media=MessageMediaPoll(
            poll=Poll(id=1, question=question, answers=answers, hash=0, closed=True),
            results=PollResults(
                results=[PollAnswerVoters(option=bytes([i]), voters=v) for i, v in enumerate((806, 494))],
                total_voters=1300,
            ),
        ),
        reactions=MessageReactions(
            results=[ReactionCount(reaction=ReactionCustomEmoji(document_id=5368324170671202286), count=1200)]
        ),
    )
    assert poll.media == [{"type": "poll", "question": question.text, "answers": ["A", "B"], "message_id": 40}]
    assert poll.poll == {
        "question": question.text,
        "total_voters": 1300,
        "closed": True,
        "answers": [{"text": "A", "voters": 806}, {"text": "B", "voters": 494}],
    }
    assert poll.reactions == {"custom:5368324170671202286": 1200}

    venue = _api_post(
        media=MessageMediaVenue(
            geo=GeoPoint(long=37.6156, lat=49.7106, access_hash=1),
            title="Railway station",
            address="Vokzalna St, Kupiansk",
            provider="foursquare",
            venue_id="x",
            venue_type="",
        )
    )
    assert _kinds(venue.media, "latitude", "longitude", "title", "address") == [
        ("venue", 49.7106, 37.6156, "Railway station", "Vokzalna St, Kupiansk")
    ]
    geo = _api_post(media=MessageMediaGeo(geo=GeoPoint(long=37.6156, lat=49.7106, access_hash=1)))
    assert _kinds(geo.media, "latitude", "longitude") == [("geo", 49.7106, 37.6156)]

    page = WebPage(
        id=1,
        url="https://example.org/briefing/301",
        display_url="example.org/briefing/301",
        hash=0,
        site_name="Example Briefings",
        title="Evening briefing, 22 November",
        description="What changed on the eastern front today.",
    )
    linked = _api_post(message="Briefing: https://example.org/briefing/301", media=MessageMediaWebPage(webpage=page))
    assert linked.media == [] and linked.link_preview == {
        "url": "https://example.org/briefing/301",
        "site_name": "Example Briefings",
        "title": "Evening briefing, 22 November",
        "description": "What changed on the eastern front today.",
    }


def test_forward_name_is_never_the_authors_signature_and_other_chat_replies_are_not_same_channel() -> None:
    unresolved = _api_post(
        message="Переслано",
        fwd_from=MessageFwdHeader(
            date=datetime(2026, 11, 21, tzinfo=UTC), from_id=PeerChannel(999), channel_post=5, post_author="Ivan P."
        ),
    )
    # the source chat was not resolved: its name is unknown, the signature is the original author's, kept apart
    assert unresolved.fwd_from is not None and "name" not in unresolved.fwd_from
    assert unresolved.fwd_from["post_author"] == "Ivan P." and unresolved.fwd_from["channel_id"] == 999
    elsewhere = _api_post(
        message="Ответ", reply_to=MessageReplyHeader(reply_to_msg_id=7, reply_to_peer_id=PeerChannel(555))
    )
    assert elsewhere.reply_to is None and elsewhere.reply_to_other_chat == {"channel_id": 555, "message_id": 7}
    same = _api_post(
        message="Ответ", reply_to=MessageReplyHeader(reply_to_msg_id=7, reply_to_peer_id=PeerChannel(1500000001))
    )
    assert same.reply_to == 7 and same.reply_to_other_chat is None

    html = str(_frontline_payloads()[308]["html"]).replace(
        "https://t.me/frontline_notes/301", "https://t.me/other_front/44"
    )
    post = preview_post({"channel": {"username": "frontline_notes"}, "post_id": 308, "html": html})
    assert post.reply_to is None and post.reply_to_other_chat == {"username": "other_front", "message_id": 44}


def test_preview_and_full_export_land_the_same_new_fields() -> None:
    preview = {
        pid: telegram_item_to_document(RawItem("web", f"frontline_notes:{pid}", PREVIEW_ITEM, payload))
        for pid, payload in _frontline_payloads().items()
    }
    export = read_export("export", FIXTURES / "telegram" / "export_full", chat="Frontline Notes")
    channel = {**export.channel, "username": "frontline_notes"}
    exported = {
        int(g[0]["id"]): telegram_item_to_document(
            RawItem("export", f"frontline_notes:{g[0]['id']}", EXPORT_ITEM, {"channel": channel, "messages": g})
        )
        for g in export_album_groups(export.messages)
        if g[0].get("type") != "service"
    }
    for pid in (301, 302, 307, 308):
        web, exp = preview[pid].metadata, exported[pid].metadata
        for key in ("channel_id", "links", "media_types", "message_ids", "reactions"):
            assert web[key] == exp[key], (pid, key)
        assert preview[pid].text == exported[pid].text and preview[pid].published_at == exported[pid].published_at
    assert preview[302].metadata["media"] == exported[302].metadata["media"]  # question and answers
    assert preview[308].metadata["reactions"]["custom:5368324170671202286"] == 1200
