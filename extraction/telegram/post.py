"""The post shape shared by the three Telegram paths, the one builder of it, and the post -> document step.

Entity offsets are UTF-16 code units, as Telegram counts them. Every path first describes each message of a post
(an album has several) as a :class:`MessagePart`; :func:`build_post` joins them the same way for all paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlparse

from extraction.normalise import NormaliseError
from telefeed.models import Document, canonical_json, document_id, sha256_hex

API_ITEM = "telegram_message"
PREVIEW_ITEM = "telegram_preview_post"
EXPORT_ITEM = "telegram_export_message"
SERVICE_ITEM = "telegram_service"

ALBUM_CAPTION_SEPARATOR = "\n\n"
# Media keys left out of the revision key: temporary CDN addresses (t.me/s serves a new token on every page).
_VOLATILE_MEDIA_KEYS = frozenset({"preview_url"})


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
    link_preview: dict[str, Any] | None = None  # url, site_name, title, description (Telegram's card, not content)
    poll: dict[str, Any] | None = None  # question, total_voters, closed, answers with voters (or percent)
    reply_to_other_chat: dict[str, Any] | None = None  # a reply to a message of another chat: its chat and id
    discussion: dict[str, int] | None = None  # API: the comments' group (channel_id) and newest comment (max_id)


@dataclass(slots=True)
class MessagePart:
    """One message of a post as a path read it: text, entities (offsets within this text), media, edit time."""

    message_id: int
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    edit_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class PostChannel:
    """The channel a post was read from, as far as its path knows it."""

    id: int | None = None
    username: str | None = None
    title: str | None = None


def payload_channel(
    payload: Mapping[str, Any], title_key: str = "title", fallback_id: int | None = None
) -> PostChannel:
    """The ``channel`` object a connector put in a raw payload: its id as an int (``fallback_id`` when it has none),
    username and title (``title_key``: an export names it ``name``)."""
    channel = payload.get("channel") or {}
    channel_id = channel.get("id") or fallback_id
    return PostChannel(
        int(channel_id) if channel_id is not None else None, channel.get("username"), channel.get(title_key)
    )


def payload_messages(
    payload: Mapping[str, Any], item: str, date_of: Callable[[Mapping[str, Any]], datetime | None]
) -> tuple[list[Mapping[str, Any]], datetime]:
    """A raw ``item`` payload's messages, oldest first, and the post's date (``date_of`` its first message).

    Raises ``NormaliseError`` when the payload has no messages or the first one has no date.
    """
    messages = sorted(payload.get("messages") or [], key=lambda m: int(m["id"]))
    if not messages:
        raise NormaliseError(f"{item} payload has no messages")
    date = date_of(messages[0])
    if date is None:
        raise NormaliseError(f"{item} {messages[0].get('id')} has no date")
    return messages, date


def build_post(via: str, parts: Sequence[MessagePart], date: datetime, channel: PostChannel, **fields: Any) -> Post:
    """The post made of ``parts`` (oldest first) in ``channel``: captions joined by a blank line, entities shifted
    to match, media tagged with their message id, the latest edit time; ``fields`` are the other post-level values."""
    if not parts:
        raise NormaliseError(f"{via} post has no messages")
    texts: list[str] = []
    entities: list[dict[str, Any]] = []
    media: list[dict[str, Any]] = []
    shift = 0
    for part in parts:
        if part.text:
            if texts:
                shift += utf16_len(ALBUM_CAPTION_SEPARATOR)
            entities.extend({**e, "offset": e["offset"] + shift} for e in part.entities)
            texts.append(part.text)
            shift += utf16_len(part.text)
        media.extend({**item, "message_id": item.get("message_id", part.message_id)} for item in part.media)
    edits = [p.edit_date for p in parts if p.edit_date is not None]
    return Post(
        via=via,
        message_id=parts[0].message_id,
        message_ids=[p.message_id for p in parts],
        date=date,
        channel_id=channel.id,
        channel_username=channel.username,
        channel_title=channel.title,
        text=ALBUM_CAPTION_SEPARATOR.join(texts),
        entities=sorted_entities(entities),
        edit_date=max(edits, default=None),
        media=media,
        **fields,
    )


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


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def normalise_link(value: str) -> str:
    """A link as written (``example.org/x``) with a scheme (``http://example.org/x``)."""
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
            links.append(normalise_link(text))
        elif kind == "text_link" and entity.get("url"):
            links.append(normalise_link(str(entity["url"])))
        elif kind == "mention":
            mentions.append(text.lstrip("@").lower())
        elif kind == "hashtag":
            hashtags.append(text.lstrip("#"))
    return unique(links), unique(mentions), unique(hashtags)


def sorted_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities in text order (outer before inner at the same offset)."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], e["type"]))


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware datetime (naive values read as UTC); None when absent or unparsable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def post_to_document(source: str, post: Post) -> Document:
    """The document for one post: ``kind="post"``, the fields the path showed in ``metadata``.

    ``metadata["revision_key"]`` hashes the content (text, entities, media without CDN addresses, edit date,
    forward/reply headers) but not the counters, poll votes or link preview card, so a post whose views or
    votes grew, or whose preview card Telegram filled in later, is not a new revision.
    """
    links, mentions, hashtags = entity_lists(post.entities)
    message_ids = post.message_ids or [post.message_id]
    content = {
        "text": post.text,
        "entities": post.entities,
        "edit_date": iso(post.edit_date),
        "media": [{k: v for k, v in m.items() if k not in _VOLATILE_MEDIA_KEYS} for m in post.media],
        "fwd_from": post.fwd_from,
        "reply_to": post.reply_to,
        "message_ids": message_ids,
        "post_author": post.post_author,
    }
    if post.reply_to_other_chat is not None:  # only when set: the keys of posts stored before it stay the same
        content["reply_to_other_chat"] = post.reply_to_other_chat
    metadata: dict[str, Any] = {
        "via": post.via,
        "channel_id": post.channel_id,
        "channel_username": post.channel_username.lower() if post.channel_username else None,
        "channel_title": post.channel_title,
        "message_id": post.message_id,
        "message_ids": message_ids,
        "edit_date": iso(post.edit_date),
        "edited": post.edited or post.edit_date is not None,
        "views": post.views,
        "forwards": post.forwards,
        "replies": post.replies,
        "discussion": post.discussion,
        "reactions": dict(sorted(post.reactions.items())),
        "fwd_from": post.fwd_from,
        "reply_to": post.reply_to,
        "reply_to_other_chat": post.reply_to_other_chat,
        "grouped_id": post.grouped_id,
        "media": post.media,
        "media_types": unique(str(m.get("type")) for m in post.media),
        "entities": post.entities,
        "links": links,
        "mentions": mentions,
        "hashtags": hashtags,
        "post_author": post.post_author,
        "link_preview": post.link_preview,
        "poll": post.poll,
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
