"""``telegram_preview_post`` raw items (one message widget of ``t.me/s/<channel>``) -> :class:`Post`.

The widget's ``data-post`` id is the post's id (for an album, the first message of the group, as t.me shows it);
the album's other ids come from its media links (``https://t.me/<channel>/<id>?single``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.normalise import NormaliseError
from extraction.telegram.post import (
    MessagePart,
    Post,
    build_post,
    normalise_link,
    parse_iso,
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


def _preview_media(widget: LexborNode) -> list[dict[str, Any]]:
    media: list[dict[str, Any]] = []
    for node in widget.css(".tgme_widget_message_photo_wrap"):
        item: dict[str, Any] = {"type": "photo", "mime_type": "image/jpeg"}
        mid = _href_message_id(node.attributes.get("href"))
        if mid is not None:
            item["message_id"] = mid
        url = _style_url(node.attributes.get("style"))
        if url:
            item["preview_url"] = url
        media.append(item)
    for node in widget.css(".tgme_widget_message_video_player"):
        kind = "video" if node.css_first(".message_video_play") is not None else "animation"
        item = {"type": kind}
        mid = _href_message_id(node.attributes.get("href"))
        if mid is not None:
            item["message_id"] = mid
        duration = node.css_first(".message_video_duration")
        if duration is not None and ":" in duration.text():
            minutes, _, seconds = duration.text().strip().rpartition(":")
            if minutes.isdigit() and seconds.isdigit():
                item["duration"] = int(minutes) * 60 + int(seconds)
        media.append(item)
    for selector, kind in (
        (".tgme_widget_message_voice", "voice"),
        (".tgme_widget_message_document", "document"),
        (".tgme_widget_message_poll", "poll"),
        (".tgme_widget_message_sticker", "sticker"),
        (".tgme_widget_message_location", "geo"),
    ):
        for node in widget.css(selector):
            item = {"type": kind}
            title = node.css_first(".tgme_widget_message_document_title")
            if title is not None and title.text(strip=True):
                item["file_name"] = title.text(strip=True)
            media.append(item)
    return media


def preview_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_preview_post`` raw payload (the widget's HTML)."""
    channel = payload.get("channel") or {}
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
    reply_node = widget.css_first("a.tgme_widget_message_reply")
    reactions: dict[str, int] = {}
    for node in widget.css(".tgme_widget_message_reactions .tgme_reaction"):
        emoji = node.css_first(".emoji")
        key = emoji.text(deep=True).strip() if emoji is not None else None
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
        channel_username=(channel.get("username") or username or None),
        channel_title=channel.get("title") or (owner.text(strip=True) if owner is not None else None),
        edited=meta is not None and "edited" in meta.text(),
        views=parse_count(views.text(strip=True)) if views is not None else None,
        reactions=reactions,
        fwd_from=fwd,
        reply_to=_href_message_id(reply_node.attributes.get("href")) if reply_node is not None else None,
        post_author=author.text(strip=True) if author is not None else None,
    )
