"""Telegram posts -> documents. Pure: no IO.

Three raw shapes come in, one per way of reading a channel:

* ``telegram_message`` (Telethon): ``{"channel": {...}, "messages": [Message.to_dict() made JSON-safe, ...]}``;
  an album (messages sharing ``grouped_id``) is one raw item with every message of the group.
* ``telegram_preview_post`` (``t.me/s/<channel>``): ``{"channel": {...}, "post_id": n, "html": "<div ...>"}``.
* ``telegram_export_message`` (Telegram Desktop ``result.json``): ``{"channel": {...}, "messages": [...]}``.

Each is first mapped to a :class:`Post` (the fields the three share), and every ``Post`` becomes a document
the same way, so the same message read through different paths lands the same fields. Entity offsets are
UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlparse

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.normalise import NormaliseError, epoch_to_utc
from telefeed.models import Document, RawItem, canonical_json, document_id, sha256_hex

API_ITEM = "telegram_message"
PREVIEW_ITEM = "telegram_preview_post"
EXPORT_ITEM = "telegram_export_message"
SERVICE_ITEM = "telegram_service"
COMMENT_ITEM = "telegram_comment"  # a comment on a post, read from the channel's discussion group (API)
POST_ITEMS = (API_ITEM, PREVIEW_ITEM, EXPORT_ITEM)

# Telethon entity class -> the entity vocabulary of Telegram Desktop exports (used for all three paths).
_API_ENTITY_TYPES = {
    "MessageEntityUrl": "link",
    "MessageEntityTextUrl": "text_link",
    "MessageEntityMention": "mention",
    "MessageEntityMentionName": "mention_name",
    "InputMessageEntityMentionName": "mention_name",
    "MessageEntityHashtag": "hashtag",
    "MessageEntityCashtag": "cashtag",
    "MessageEntityBotCommand": "bot_command",
    "MessageEntityEmail": "email",
    "MessageEntityPhone": "phone",
    "MessageEntityBold": "bold",
    "MessageEntityItalic": "italic",
    "MessageEntityUnderline": "underline",
    "MessageEntityStrike": "strikethrough",
    "MessageEntityCode": "code",
    "MessageEntityPre": "pre",
    "MessageEntitySpoiler": "spoiler",
    "MessageEntityBlockquote": "blockquote",
    "MessageEntityCustomEmoji": "custom_emoji",
    "MessageEntityBankCard": "bank_card",
}
_EXPORT_MEDIA_TYPES = {
    "video_file": "video",
    "animation": "animation",
    "voice_message": "voice",
    "audio_file": "audio",
    "sticker": "sticker",
    "video_message": "video_note",
}


# -- UTF-16 offsets --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` covered by a Telegram entity (``offset``/``length`` in UTF-16 code units)."""
    data = text.encode("utf-16-le")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


# -- the shared post shape -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Post:
    """One channel post (an album counts as one), whichever way it was read."""

    via: str  # api | preview | export
    message_id: int
    date: datetime
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    channel_id: int | None = None
    channel_username: str | None = None
    channel_title: str | None = None
    message_ids: list[int] = field(default_factory=list)
    edit_date: datetime | None = None
    edited: bool = False
    views: int | None = None
    forwards: int | None = None
    replies: int | None = None
    reactions: dict[str, int] = field(default_factory=dict)
    fwd_from: dict[str, Any] | None = None
    reply_to: int | None = None
    grouped_id: int | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    post_author: str | None = None


def channel_key(username: str | None, channel_id: int | None) -> str:
    """The channel part of a post's external id: the lowercased username, else the numeric channel id."""
    if username:
        return username.lower()
    if channel_id is not None:
        return str(channel_id)
    raise NormaliseError("post has neither channel username nor channel id")


def post_external_id(username: str | None, channel_id: int | None, message_id: int) -> str:
    """``<username or channel id>:<message id>``, the same for a post read through any of the three paths."""
    return f"{channel_key(username, channel_id)}:{message_id}"


def post_url(username: str | None, channel_id: int | None, message_id: int) -> str | None:
    """Public link of a post (``t.me/c/...`` for channels without a username)."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    if channel_id is not None:
        return f"https://t.me/c/{channel_id}/{message_id}"
    return None


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def _normalise_link(value: str) -> str:
    value = value.strip()
    if value and "://" not in value and not value.startswith(("mailto:", "tel:")):
        return "http://" + value
    return value


def entity_lists(entities: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str], list[str]]:
    """Links (``link`` and ``text_link``), mentions (usernames, no ``@``) and hashtags (no ``#``)."""
    links = []
    mentions = []
    hashtags = []
    for entity in entities:
        kind = entity.get("type")
        text = str(entity.get("text") or "")
        if kind == "link":
            links.append(_normalise_link(text))
        elif kind == "text_link" and entity.get("url"):
            links.append(_normalise_link(str(entity["url"])))
        elif kind == "mention":
            mentions.append(text.lstrip("@").lower())
        elif kind == "hashtag":
            hashtags.append(text.lstrip("#"))
    return _unique(links), _unique(mentions), _unique(hashtags)


def _sorted_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], e["type"]))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def post_to_document(source: str, post: Post) -> Document:
    """The document for one post: ``kind="post"``, the fields the path showed in ``metadata``.

    ``metadata["revision_key"]`` hashes the content (text, entities, media, edit date, forward/reply
    headers) but not the counters, so a post whose views grew is not a new revision.
    """
    links, mentions, hashtags = entity_lists(post.entities)
    message_ids = post.message_ids or [post.message_id]
    content = {
        "text": post.text,
        "entities": post.entities,
        "edit_date": _iso(post.edit_date),
        "media": post.media,
        "fwd_from": post.fwd_from,
        "reply_to": post.reply_to,
        "message_ids": message_ids,
        "post_author": post.post_author,
    }
    metadata: dict[str, Any] = {
        "via": post.via,
        "channel_id": post.channel_id,
        "channel_username": post.channel_username.lower() if post.channel_username else None,
        "channel_title": post.channel_title,
        "message_id": post.message_id,
        "message_ids": message_ids,
        "edit_date": _iso(post.edit_date),
        "edited": post.edited or post.edit_date is not None,
        "views": post.views,
        "forwards": post.forwards,
        "replies": post.replies,
        "reactions": dict(sorted(post.reactions.items())),
        "fwd_from": post.fwd_from,
        "reply_to": post.reply_to,
        "grouped_id": post.grouped_id,
        "media": post.media,
        "media_types": _unique(str(m.get("type")) for m in post.media),
        "entities": post.entities,
        "links": links,
        "mentions": mentions,
        "hashtags": hashtags,
        "post_author": post.post_author,
        "revision_key": sha256_hex(canonical_json(content))[:32],
    }
    return Document(
        source=source,
        kind="post",
        external_id=post_external_id(post.channel_username, post.channel_id, post.message_id),
        text=post.text,
        url=post_url(post.channel_username, post.channel_id, post.message_id),
        author=post.post_author or post.channel_title,
        published_at=post.date,
        metadata=metadata,
    )


# -- Telethon (API) ------------------------------------------------------------------------------------------


def is_service_message(message_dict: Mapping[str, Any]) -> bool:
    """True for Telethon ``MessageService`` dicts (pins, channel created, ...)."""
    return message_dict.get("_") == "MessageService" or "action" in message_dict


def _parse_iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _api_entities(text: str, raw: Sequence[Mapping[str, Any]], shift: int) -> list[dict[str, Any]]:
    entities = []
    for ent in raw:
        name = str(ent.get("_", ""))
        offset, length = int(ent.get("offset", 0)), int(ent.get("length", 0))
        entity: dict[str, Any] = {
            "type": _API_ENTITY_TYPES.get(name, name.removeprefix("MessageEntity").lower() or "unknown"),
            "offset": offset + shift,
            "length": length,
            "text": utf16_slice(text, offset, length),
        }
        if ent.get("url"):
            entity["url"] = ent["url"]
        if ent.get("user_id") is not None:
            entity["user_id"] = ent["user_id"]
        if ent.get("language"):
            entity["language"] = ent["language"]
        entities.append(entity)
    return entities


def _largest_photo_size(sizes: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    best = None
    for size in sizes:
        if "w" not in size:
            continue
        if best is None or int(size.get("w", 0)) * int(size.get("h", 0)) > int(best["w"]) * int(best["h"]):
            best = size
    return best


def api_media(media: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Media type and file metadata of one Telethon message (link previews are not media)."""
    if not media:
        return None
    kind = media.get("_")
    if kind == "MessageMediaPhoto":
        photo = media.get("photo") or {}
        out: dict[str, Any] = {"type": "photo", "mime_type": "image/jpeg"}
        best = _largest_photo_size(photo.get("sizes") or [])
        if best is not None:
            out.update(width=best.get("w"), height=best.get("h"))
            if best.get("size"):
                out["size"] = best["size"]
            elif best.get("sizes"):
                out["size"] = max(best["sizes"])
        if photo.get("id") is not None:
            out["file_id"] = photo["id"]
        return out
    if kind == "MessageMediaDocument":
        doc = media.get("document") or {}
        out = {"type": "document", "mime_type": doc.get("mime_type"), "size": doc.get("size")}
        if doc.get("id") is not None:
            out["file_id"] = doc["id"]
        for attr in doc.get("attributes") or []:
            name = attr.get("_")
            if name == "DocumentAttributeFilename":
                out["file_name"] = attr.get("file_name")
            elif name == "DocumentAttributeVideo":
                out["type"] = "video_note" if attr.get("round_message") else "video"
                out.update(width=attr.get("w"), height=attr.get("h"), duration=attr.get("duration"))
            elif name == "DocumentAttributeAudio":
                out["type"] = "voice" if attr.get("voice") else "audio"
                out["duration"] = attr.get("duration")
            elif name == "DocumentAttributeAnimated":
                out["type"] = "animation"
            elif name == "DocumentAttributeSticker":
                out["type"] = "sticker"
            elif name == "DocumentAttributeImageSize":
                out.update(width=attr.get("w"), height=attr.get("h"))
        if out["type"] == "animation" and out.get("duration") is None:
            out.pop("duration", None)
        return {k: v for k, v in out.items() if v is not None}
    simple = {
        "MessageMediaPoll": "poll",
        "MessageMediaGeo": "geo",
        "MessageMediaGeoLive": "geo",
        "MessageMediaVenue": "venue",
        "MessageMediaContact": "contact",
        "MessageMediaDice": "dice",
        "MessageMediaGame": "game",
        "MessageMediaInvoice": "invoice",
        "MessageMediaStory": "story",
        "MessageMediaPaidMedia": "paid_media",
    }
    if kind in simple:
        return {"type": simple[kind]}
    if kind in ("MessageMediaWebPage", "MessageMediaEmpty"):
        return None
    return {"type": "other", "tl_type": kind}


def _api_reactions(reactions: Mapping[str, Any] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in (reactions or {}).get("results") or []:
        reaction = result.get("reaction") or {}
        name = reaction.get("_")
        if name == "ReactionEmoji":
            key = str(reaction.get("emoticon"))
        elif name == "ReactionCustomEmoji":
            key = f"custom:{reaction.get('document_id')}"
        elif name == "ReactionPaid":
            key = "paid"
        else:
            key = str(name)
        counts[key] = counts.get(key, 0) + int(result.get("count", 0))
    return counts


def _peer_channel_id(peer: Mapping[str, Any] | None) -> int | None:
    if peer and peer.get("_") == "PeerChannel":
        return int(peer["channel_id"])
    return None


def _api_fwd(message: Mapping[str, Any]) -> dict[str, Any] | None:
    fwd = message.get("fwd_from")
    if not fwd:
        return None
    chat = message.get("fwd_chat") or {}
    from_id = fwd.get("from_id") or {}
    out = {
        "channel_id": _peer_channel_id(from_id),
        "user_id": from_id.get("user_id"),
        "name": chat.get("title") or fwd.get("from_name") or fwd.get("post_author"),
        "username": (chat.get("username") or "").lower() or None,
        "message_id": fwd.get("channel_post"),
        "date": _iso(_parse_iso(fwd.get("date"))),
    }
    return {k: v for k, v in out.items() if v is not None}


def api_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_message`` raw payload (an album's messages merged into one post)."""
    channel = payload.get("channel") or {}
    messages = sorted(payload.get("messages") or [], key=lambda m: int(m["id"]))
    if not messages:
        raise NormaliseError("telegram_message payload has no messages")
    first = messages[0]
    date = _parse_iso(first.get("date"))
    if date is None:
        raise NormaliseError(f"message {first.get('id')} has no date")
    texts: list[str] = []
    entities: list[dict[str, Any]] = []
    shift = 0
    media = []
    edit_dates = []
    for message in messages:
        text = str(message.get("message") or "")
        if text:
            if texts:
                shift += 2  # the "\n\n" joining two captions of one album
            entities.extend(_api_entities(text, message.get("entities") or [], shift))
            texts.append(text)
            shift += utf16_len(text)
        item = api_media(message.get("media"))
        if item is not None:
            local = (message.get("media") or {}).get("local_path")
            media.append({**item, "message_id": int(message["id"]), **({"local_path": local} if local else {})})
        if message.get("edit_date") and not message.get("edit_hide"):
            edit_dates.append(_parse_iso(message["edit_date"]))
    counters = next((m for m in messages if m.get("views") is not None), first)
    reply = first.get("reply_to") or {}
    channel_id = channel.get("id") or _peer_channel_id(first.get("peer_id"))
    return Post(
        via="api",
        message_id=int(first["id"]),
        message_ids=[int(m["id"]) for m in messages],
        date=date,
        text="\n\n".join(texts),
        entities=_sorted_entities(entities),
        channel_id=int(channel_id) if channel_id is not None else None,
        channel_username=channel.get("username"),
        channel_title=channel.get("title"),
        edit_date=max((d for d in edit_dates if d is not None), default=None),
        views=counters.get("views"),
        forwards=counters.get("forwards"),
        replies=(counters.get("replies") or {}).get("replies"),
        reactions=_api_reactions(counters.get("reactions")),
        fwd_from=_api_fwd(first),
        reply_to=reply.get("reply_to_msg_id"),
        grouped_id=first.get("grouped_id"),
        media=media,
        post_author=first.get("post_author"),
    )


# -- Telegram Desktop export ---------------------------------------------------------------------------------


def export_text(raw: Any) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities (UTF-16 offsets) of an export message's ``text`` (a string or a list of parts)."""
    if raw is None:
        return "", []
    if isinstance(raw, str):
        return raw, []
    if not isinstance(raw, list):
        raise NormaliseError(f"export text is neither a string nor a list: {type(raw).__name__}")
    parts: list[str] = []
    entities: list[dict[str, Any]] = []
    offset = 0
    for part in raw:
        if isinstance(part, str):
            parts.append(part)
            offset += utf16_len(part)
            continue
        if not isinstance(part, Mapping):
            raise NormaliseError(f"export text part is not a string or object: {type(part).__name__}")
        text = str(part.get("text", ""))
        kind = str(part.get("type", "plain"))
        length = utf16_len(text)
        if kind != "plain" and length:
            entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length, "text": text}
            if part.get("href"):
                entity["url"] = part["href"]
            if part.get("user_id") is not None:
                entity["user_id"] = part["user_id"]
            entities.append(entity)
        parts.append(text)
        offset += length
    return "".join(parts), _sorted_entities(entities)


def _export_date(message: Mapping[str, Any], key: str) -> datetime | None:
    unix = message.get(f"{key}_unixtime")
    if unix is not None:
        return epoch_to_utc(unix)
    # Without *_unixtime the export's local time has no zone; it is read as UTC (older exports).
    return _parse_iso(message.get(key))


def export_media(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """Media type and file metadata of one export message (``path`` is relative to the export folder)."""
    if message.get("photo"):
        out: dict[str, Any] = {
            "type": "photo",
            "mime_type": "image/jpeg",
            "path": message["photo"],
            "size": message.get("photo_file_size"),
            "width": message.get("width"),
            "height": message.get("height"),
        }
    elif message.get("file") or message.get("media_type"):
        out = {
            "type": _EXPORT_MEDIA_TYPES.get(str(message.get("media_type")), "document"),
            "mime_type": message.get("mime_type"),
            "path": message.get("file"),
            "file_name": message.get("file_name"),
            "size": message.get("file_size"),
            "width": message.get("width"),
            "height": message.get("height"),
            "duration": message.get("duration_seconds"),
        }
    elif message.get("poll"):
        out = {"type": "poll"}
    elif message.get("location_information"):
        out = {"type": "geo"}
    elif message.get("contact_information"):
        out = {"type": "contact"}
    else:
        return None
    return {k: v for k, v in out.items() if v is not None}


def _export_reactions(raw: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reaction in raw or []:
        if not isinstance(reaction, Mapping):
            continue
        kind = reaction.get("type")
        if kind == "emoji":
            key = str(reaction.get("emoji"))
        elif kind == "custom_emoji":
            key = f"custom:{reaction.get('document_id')}"
        else:
            key = str(kind)
        counts[key] = counts.get(key, 0) + int(reaction.get("count", 0))
    return counts


def export_album_groups(messages: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Split export messages (oldest first) into posts.

    Exports do not record ``grouped_id``; an album is recognised as consecutive media messages with the same
    timestamp, the same forward source and at most one caption.
    """
    groups: list[list[Mapping[str, Any]]] = []
    for message in sorted(messages, key=lambda m: int(m["id"])):
        if groups and _same_album(groups[-1], message):
            groups[-1].append(message)
        else:
            groups.append([message])
    return groups


def _same_album(group: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> bool:
    last = group[-1]
    if message.get("type") != "message" or last.get("type") != "message":
        return False
    if export_media(message) is None or export_media(last) is None:
        return False
    if int(message["id"]) != int(last["id"]) + 1:
        return False
    key = "date_unixtime" if "date_unixtime" in message else "date"
    if message.get(key) != last.get(key) or message.get("forwarded_from") != last.get("forwarded_from"):
        return False
    captions = sum(1 for m in [*group, message] if export_text(m.get("text"))[0])
    return captions <= 1


def export_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_export_message`` raw payload."""
    channel = payload.get("channel") or {}
    messages = sorted(payload.get("messages") or [], key=lambda m: int(m["id"]))
    if not messages:
        raise NormaliseError("telegram_export_message payload has no messages")
    first = messages[0]
    date = _export_date(first, "date")
    if date is None:
        raise NormaliseError(f"export message {first.get('id')} has no date")
    texts: list[str] = []
    entities: list[dict[str, Any]] = []
    shift = 0
    media = []
    edited = []
    for message in messages:
        text, ents = export_text(message.get("text"))
        if text:
            if texts:
                shift += 2
            entities.extend({**e, "offset": e["offset"] + shift} for e in ents)
            texts.append(text)
            shift += utf16_len(text)
        item = export_media(message)
        if item is not None:
            media.append({**item, "message_id": int(message["id"])})
        if message.get("edited") or message.get("edited_unixtime"):
            edited.append(_export_date(message, "edited"))
    fwd = None
    if first.get("forwarded_from"):
        fwd = {"name": first["forwarded_from"]}
    channel_id = channel.get("id")
    return Post(
        via="export",
        message_id=int(first["id"]),
        message_ids=[int(m["id"]) for m in messages],
        date=date,
        text="\n\n".join(texts),
        entities=_sorted_entities(entities),
        channel_id=int(channel_id) if channel_id is not None else None,
        channel_username=channel.get("username"),
        channel_title=channel.get("name"),
        edit_date=max((d for d in edited if d is not None), default=None),
        reactions=_export_reactions(first.get("reactions")),
        fwd_from=fwd,
        reply_to=first.get("reply_to_message_id"),
        media=media,
        post_author=first.get("author"),
    )


# -- t.me/s web preview --------------------------------------------------------------------------------------

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
        elif href == text or href.rstrip("/") == _normalise_link(text).rstrip("/"):
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
    return "".join(builder.parts), _sorted_entities(builder.entities)


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
    date = _parse_iso(time_node.attributes.get("datetime")) if time_node is not None else None
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
    media_ids = [m.pop("message_id", None) for m in media]
    for item, mid in zip(media, media_ids, strict=True):
        if mid is not None:
            item["message_id"] = mid
        elif len(ids) == 1:
            item["message_id"] = ids[0]
    return Post(
        via="preview",
        message_id=ids[0],
        message_ids=ids,
        date=date,
        text=text,
        entities=entities,
        channel_username=(channel.get("username") or username or None),
        channel_title=channel.get("title") or (owner.text(strip=True) if owner is not None else None),
        edited=meta is not None and "edited" in meta.text(),
        views=parse_count(views.text(strip=True)) if views is not None else None,
        reactions=reactions,
        fwd_from=fwd,
        reply_to=_href_message_id(reply_node.attributes.get("href")) if reply_node is not None else None,
        media=media,
        post_author=author.text(strip=True) if author is not None else None,
    )


# -- comments (API) -----------------------------------------------------------------------------------------


def comment_external_id(post_external_id: str, comment_id: int) -> str:
    """``<post external id>/comment/<comment id>``: a comment's id is its message id in the discussion group."""
    return f"{post_external_id}/comment/{comment_id}"


def api_comment_to_document(item: RawItem) -> Document:
    """A ``telegram_comment`` item -> a ``kind="comment"`` document linked to its post (``post_external_id``).

    The payload is ``{"channel": <the post's channel>, "post": {"external_id", "message_id"}, "message": ...}``.
    """
    channel = item.payload.get("channel") or {}
    post_ref = item.payload.get("post") or {}
    message = item.payload.get("message") or {}
    discussion_id = _peer_channel_id(message.get("peer_id"))
    post = api_post({"channel": {"id": discussion_id}, "messages": [message]})
    document = post_to_document(item.source, post)
    post_id = int(post_ref["message_id"])
    post_link = post_url(channel.get("username"), channel.get("id"), post_id)
    sender = message.get("from_id") or {}
    document.kind = "comment"
    document.external_id = comment_external_id(str(post_ref["external_id"]), post.message_id)
    document.url = f"{post_link}?comment={post.message_id}" if post_link else None
    document.author = post.post_author
    document.metadata.update(
        {
            "channel_id": channel.get("id"),
            "channel_username": (channel.get("username") or "").lower() or None,
            "channel_title": channel.get("title"),
            "discussion_id": discussion_id,
            "comment_id": post.message_id,
            "post_external_id": post_ref["external_id"],
            "post_message_id": post_id,
            "from_user_id": sender.get("user_id"),
            "from_channel_id": sender.get("channel_id"),
        }
    )
    return document


# -- dispatch ------------------------------------------------------------------------------------------------


def telegram_item_to_document(item: RawItem) -> Document:
    """Map any Telegram raw item (API, preview, export) to its post document.

    Raises:
        NormaliseError: the payload does not hold a usable post.
    """
    if item.item_kind == COMMENT_ITEM:
        return api_comment_to_document(item)
    if item.item_kind == API_ITEM:
        post = api_post(item.payload)
    elif item.item_kind == PREVIEW_ITEM:
        post = preview_post(item.payload)
    elif item.item_kind == EXPORT_ITEM:
        post = export_post(item.payload)
    else:
        raise NormaliseError(f"not a Telegram post item: {item.item_kind}")
    document = post_to_document(item.source, post)
    if document.external_id != item.external_id:
        raise NormaliseError(f"external id mismatch: raw {item.external_id!r}, post {document.external_id!r}")
    return document


def counter_snapshot(document: Document, observed_at: datetime) -> dict[str, Any] | None:
    """One counters row (views, forwards, replies, reactions) for a post document; None if it shows none."""
    meta = document.metadata
    reactions = meta.get("reactions") or {}
    if meta.get("views") is None and meta.get("forwards") is None and meta.get("replies") is None and not reactions:
        return None
    return {
        "source": document.source,
        "external_id": document.external_id,
        "document_id": document_id(document.source, document.external_id),
        "channel_id": meta.get("channel_id"),
        "channel_username": meta.get("channel_username"),
        "message_id": meta.get("message_id"),
        "observed_at": observed_at,
        "views": meta.get("views"),
        "forwards": meta.get("forwards"),
        "replies": meta.get("replies"),
        "reactions": canonical_json(reactions) if reactions else None,
        "reactions_total": sum(int(v) for v in reactions.values()) if reactions else None,
        "via": meta.get("via"),
    }


def username_from_url(value: str) -> str | None:
    """``@name``, ``name``, ``t.me/name``, ``https://t.me/s/name`` -> ``name`` (None for numeric ids)."""
    text = unquote(value.strip())
    if "://" in text or text.startswith("t.me/"):
        path = urlparse(text if "://" in text else "https://" + text).path.strip("/")
        text = path.removeprefix("s/").split("/")[0]
    text = text.lstrip("@")
    if not text or text.lstrip("-").isdigit():
        return None
    return text
