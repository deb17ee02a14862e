"""``telegram_preview_post`` raw items (one message widget of ``t.me/s/<channel>``) -> :class:`Post`.

The widget's ``data-post`` id is the post's id (for an album, the first message of the group, as t.me shows it);
the album's other ids come from its media links (``https://t.me/<channel>/<id>?single``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.normalise import NormaliseError
from extraction.telegram.post import (
    MessagePart,
    Post,
    PostChannel,
    build_post,
    normalise_link,
    parse_iso,
    payload_channel,
    sorted_entities,
    utf16_len,
    utf16_slice,
)

_POST_HREF = re.compile(r"^https?://t\.me/(?:s/)?([A-Za-z0-9_]+)/(\d+)")
_USER_HREF = re.compile(r"^https?://t\.me/([A-Za-z0-9_]{4,})/?$")
_COUNT = re.compile(r"^([\d.,]+)\s*([KkMm]?)$")
_FORMAT_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
}


def parse_count(text: str | None) -> int | None:
    """``"1.2K"`` -> 1200, ``"3"`` -> 3 (the preview rounds large counters)."""
    if not text:
        return None
    match = _COUNT.match(text.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    scale = {"k": 1_000, "m": 1_000_000}.get(match.group(2).lower(), 1)
    return round(number * scale)


class _TextBuilder:
    """Walks a preview text node, collecting plain text and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.add(child.text_content or "")
            elif tag == "br":
                self.add("\n")
            elif tag == "i" and "emoji" in (child.attributes.get("class") or ""):
                self.add(child.text(deep=True))
            elif tag == "a":
                start = self.offset
                self.walk(child)
                self._link(child, start)
            elif tag in _FORMAT_TAGS or (tag == "span" and "tg-spoiler" in (child.attributes.get("class") or "")):
                start = self.offset
                self.walk(child)
                kind = _FORMAT_TAGS.get(tag or "", "spoiler")
                if self.offset > start:
                    text = "".join(self.parts)
                    self.entities.append(
                        {
                            "type": kind,
                            "offset": start,
                            "length": self.offset - start,
                            "text": utf16_slice(text, start, self.offset - start),
                        }
                    )
            else:
                self.walk(child)

    def _link(self, node: LexborNode, start: int) -> None:
        length = self.offset - start
        if not length:
            return
        text = utf16_slice("".join(self.parts), start, length)
        href = (node.attributes.get("href") or "").replace("&amp;", "&")
        entity: dict[str, Any] = {"offset": start, "length": length, "text": text}
        if href.startswith("?q=%23") or (text.startswith("#") and href.startswith("?q=")):
            entity["type"] = "hashtag"
        elif href.startswith("?q=%24"):
            entity["type"] = "cashtag"
        elif text.startswith("@") and _USER_HREF.match(href):
            entity["type"] = "mention"
        elif href.startswith("mailto:"):
            entity["type"] = "email"
        elif href == text or href.rstrip("/") == normalise_link(text).rstrip("/"):
            entity["type"] = "link"
        else:
            entity["type"] = "text_link"
            entity["url"] = href
        self.entities.append(entity)


def preview_text(node: LexborNode | None) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a preview ``.tgme_widget_message_text`` node."""
    if node is None:
        return "", []
    builder = _TextBuilder()
    builder.walk(node)
    return "".join(builder.parts), sorted_entities(builder.entities)


def _own_text_node(widget: LexborNode) -> LexborNode | None:
    for node in widget.css(".tgme_widget_message_text"):
        if "js-message_reply_text" in (node.attributes.get("class") or ""):
            continue
        parent = node.parent
        inside_reply = False
        while parent is not None and parent is not widget:
            if "tgme_widget_message_reply" in (parent.attributes.get("class") or ""):
                inside_reply = True
                break
            parent = parent.parent
        if not inside_reply:
            return node
    return None


def _style_url(style: str | None) -> str | None:
    match = re.search(r"background-image:\s*url\('?([^')]+)'?\)", style or "")
    return match.group(1) if match else None


def _href_message_id(href: str | None) -> int | None:
    match = _POST_HREF.match(href or "")
    return int(match.group(2)) if match else None


def _duration(node: LexborNode | None) -> int | None:
    """``"0:45"``, ``"12:07"`` or ``"1:02:03"`` in seconds."""
    parts = node.text(strip=True).split(":") if node is not None else []
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def _text(node: LexborNode, selector: str) -> str | None:
    found = node.css_first(selector)
    return (found.text(strip=True) or None) if found is not None else None


def _with_id(item: dict[str, Any], node: LexborNode) -> dict[str, Any]:
    mid = _href_message_id(node.attributes.get("href"))
    return {**item, "message_id": mid} if mid is not None else item


def _videos(widget: LexborNode) -> list[dict[str, Any]]:
    media = []
    for node in widget.css(".tgme_widget_message_video_player"):
        item: dict[str, Any] = {"type": "video" if node.css_first(".message_video_play") is not None else "animation"}
        duration = _duration(node.css_first(".message_video_duration"))
        if duration is not None:
            item["duration"] = duration
        if "not_supported" in (node.attributes.get("class") or "").split():
            item["too_big"] = True  # "Media is too big": the preview shows only the thumbnail
        media.append(_with_id(item, node))
    for node in widget.css(".tgme_widget_message_roundvideo_player"):
        item = {"type": "video_note"}
        duration = _duration(node.css_first(".tgme_widget_message_roundvideo_duration"))
        if duration is not None:
            item["duration"] = duration
        media.append(item)
    return media


def _audio(widget: LexborNode) -> list[dict[str, Any]]:
    media: list[dict[str, Any]] = []
    players = widget.css(".tgme_widget_message_voice_player") or widget.css("audio.tgme_widget_message_voice")
    for node in players:
        item: dict[str, Any] = {"type": "voice"}
        duration = _duration(node.css_first(".tgme_widget_message_voice_duration"))
        if duration is not None:
            item["duration"] = duration
        media.append(item)
    for node in widget.css(".tgme_widget_message_document_wrap") or widget.css(".tgme_widget_message_document"):
        icon = node.css_first(".tgme_widget_message_document_icon")
        is_audio = icon is not None and "audio" in (icon.attributes.get("class") or "").split()
        item = {"type": "audio" if is_audio else "document"}
        title = _text(node, ".tgme_widget_message_document_title")
        if title:
            item["file_name"] = title
        media.append(item)
    return media


def _poll(widget: LexborNode) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The poll as media (question and answers: content) and as results (percentages and voters: counters)."""
    node = widget.css_first(".tgme_widget_message_poll")
    if node is None:
        return None
    question = _text(node, ".tgme_widget_message_poll_question") or ""
    answers = []
    for option in node.css(".tgme_widget_message_poll_option"):
        percent = (_text(option, ".tgme_widget_message_poll_option_percent") or "").rstrip("%")
        answer: dict[str, Any] = {"text": _text(option, ".tgme_widget_message_poll_option_text") or ""}
        if percent.isdigit():
            answer["percent"] = int(percent)
        answers.append(answer)
    results: dict[str, Any] = {"question": question, "answers": answers}
    voters = parse_count(_text(widget, ".tgme_widget_message_voters"))
    if voters is not None:
        results["total_voters"] = voters
    return {"type": "poll", "question": question, "answers": [a["text"] for a in answers]}, results


def _location(widget: LexborNode) -> list[dict[str, Any]]:
    media = []
    for node in widget.css(".tgme_widget_message_location_wrap") or widget.css(".tgme_widget_message_location"):
        item: dict[str, Any] = {"type": "geo"}
        query = parse_qs(urlparse(node.attributes.get("href") or "").query).get("q", [""])[0]
        latitude, _, longitude = query.partition(",")
        with contextlib.suppress(ValueError):
            item.update(latitude=float(latitude), longitude=float(longitude))
        media.append(item)
    return media


def _link_preview(widget: LexborNode) -> dict[str, Any] | None:
    card = widget.css_first("a.tgme_widget_message_link_preview")
    if card is None:
        return None
    out = {
        "url": (card.attributes.get("href") or "").replace("&amp;", "&") or None,
        "site_name": _text(card, ".link_preview_site_name"),
        "title": _text(card, ".link_preview_title"),
        "description": _text(card, ".link_preview_description"),
    }
    return {k: v for k, v in out.items() if v is not None} or None


def _preview_media(widget: LexborNode) -> list[dict[str, Any]]:
    media: list[dict[str, Any]] = []
    for node in widget.css(".tgme_widget_message_photo_wrap"):
        item: dict[str, Any] = {"type": "photo", "mime_type": "image/jpeg"}
        url = _style_url(node.attributes.get("style"))
        if url:
            item["preview_url"] = url
        media.append(_with_id(item, node))
    media.extend(_videos(widget))
    media.extend(_audio(widget))
    media.extend({"type": "sticker"} for _ in widget.css(".tgme_widget_message_sticker"))
    media.extend(_location(widget))
    if not media and widget.css_first(".message_media_not_supported") is not None:
        media.append({"type": "unsupported"})  # "Please open Telegram to view this post" (a story, a game, ...)
    return media


def _reply(node: LexborNode | None, username: str) -> tuple[int | None, dict[str, Any] | None]:
    """``(reply_to, reply_to_other_chat)`` from the reply header's link to the replied-to post."""
    match = _POST_HREF.match(node.attributes.get("href") or "") if node is not None else None
    if match is None:
        return None, None
    if match.group(1).lower() == username.lower():
        return int(match.group(2)), None
    return None, {"username": match.group(1).lower(), "message_id": int(match.group(2))}


def _channel_id(widget: LexborNode) -> int | None:
    """The channel id held by ``data-view`` (base64 JSON ``{"c": -<channel id>, "p": <post>, ...}``)."""
    value = widget.attributes.get("data-view") or ""
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return None
    channel = data.get("c") if isinstance(data, dict) else None
    return abs(channel) if isinstance(channel, int) and channel else None


def preview_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_preview_post`` raw payload (the widget's HTML)."""
    known = payload_channel(payload)
    html = payload.get("html")
    if not isinstance(html, str) or not html.strip():
        raise NormaliseError("preview post has no HTML")
    tree = LexborHTMLParser(html)
    widget = tree.css_first(".tgme_widget_message")
    if widget is None:
        raise NormaliseError("preview HTML has no .tgme_widget_message")
    data_post = widget.attributes.get("data-post") or ""
    username, _, id_text = data_post.rpartition("/")
    if not id_text.isdigit():
        raise NormaliseError(f"preview post has no message id (data-post={data_post!r})")
    time_node = widget.css_first(".tgme_widget_message_date time")
    date = parse_iso(time_node.attributes.get("datetime")) if time_node is not None else None
    if date is None:
        raise NormaliseError(f"preview post {data_post} has no date")
    text, entities = preview_text(_own_text_node(widget))
    media = _preview_media(widget)
    poll = _poll(widget)
    if poll is not None:
        media.append(poll[0])
    ids = sorted({int(id_text), *(m["message_id"] for m in media if "message_id" in m)})
    fwd: dict[str, Any] | None = None
    fwd_node = widget.css_first(".tgme_widget_message_forwarded_from_name")
    if fwd_node is not None:
        fwd = {"name": fwd_node.text(strip=True) or None}
        match = _POST_HREF.match(fwd_node.attributes.get("href") or "")
        user = _USER_HREF.match(fwd_node.attributes.get("href") or "")
        if match:
            fwd.update(username=match.group(1).lower(), message_id=int(match.group(2)))
        elif user:
            fwd["username"] = user.group(1).lower()
        fwd = {k: v for k, v in fwd.items() if v is not None}
    reply = _reply(widget.css_first("a.tgme_widget_message_reply"), known.username or username)
    reactions: dict[str, int] = {}
    for node in widget.css(".tgme_widget_message_reactions .tgme_reaction"):
        emoji = node.css_first(".emoji")
        custom = node.css_first("tg-emoji[emoji-id]")
        key = emoji.text(deep=True).strip() if emoji is not None else None
        if custom is not None:
            key = f"custom:{custom.attributes.get('emoji-id')}"
        if "tgme_reaction_paid" in (node.attributes.get("class") or ""):
            key = "paid"
        count = parse_count(node.text(deep=False).strip())
        if key and count is not None:
            reactions[key] = reactions.get(key, 0) + count
    views = widget.css_first(".tgme_widget_message_views")
    author = widget.css_first(".tgme_widget_message_from_author")
    owner = widget.css_first(".tgme_widget_message_owner_name")
    meta = widget.css_first(".tgme_widget_message_meta")
    by_id: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for item in media:
        by_id[item.pop("message_id", ids[0])].append(item)
    parts = [MessagePart(i, text if i == ids[0] else "", entities if i == ids[0] else [], by_id[i]) for i in ids]
    return build_post(
        "preview",
        parts,
        date,
        PostChannel(
            known.id or _channel_id(widget),
            known.username or username or None,
            known.title or (owner.text(strip=True) if owner is not None else None),
        ),
        edited=meta is not None and "edited" in meta.text(),
        views=parse_count(views.text(strip=True)) if views is not None else None,
        reactions=reactions,
        fwd_from=fwd,
        reply_to=reply[0],
        reply_to_other_chat=reply[1],
        post_author=author.text(strip=True) if author is not None else None,
        link_preview=_link_preview(widget),
        poll=poll[1] if poll is not None else None,
    )
