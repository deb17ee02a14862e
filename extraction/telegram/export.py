"""``telegram_export_message`` raw items (Telegram Desktop ``result.json`` messages) -> :class:`Post`.

Rules for what tdesktop writes:

* A file the export did not include is written as a placeholder in parentheses (``"(File not included. Change
  data exporting settings to download.)"``): it is not a path, so the media item has none.
* ``{"type": "unsupported"}`` is a post whose content the exporting app could not write (media ``unsupported``),
  not a service message.
* tdesktop writes the time of the first reaction as ``edited``: on a message that has reactions the ``edited``
  stamp cannot tell an edit from a reaction, so it is not taken as an edit (no ``edit_date``). A real edit of
  such a post still lands a new revision when its text or media changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from extraction.normalise import NormaliseError, epoch_to_utc
from extraction.telegram.post import (
    EXPORT_ITEM,
    MessagePart,
    Post,
    build_post,
    parse_iso,
    payload_channel,
    payload_messages,
    sorted_entities,
    utf16_len,
)

_EXPORT_MEDIA_TYPES = {
    "video_file": "video",
    "animation": "animation",
    "voice_message": "voice",
    "audio_file": "audio",
    "sticker": "sticker",
    "video_message": "video_note",
}


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
    return "".join(parts), sorted_entities(entities)


def export_date(message: Mapping[str, Any], key: str = "date") -> datetime | None:
    """``<key>_unixtime`` of an export message (UTC), else its local ``<key>`` read as UTC (older exports)."""
    unix = message.get(f"{key}_unixtime")
    if unix is not None:
        return epoch_to_utc(unix)
    return parse_iso(message.get(key))


def export_path(value: Any) -> str | None:
    """A file path of the export (relative to its folder); None for tdesktop's ``"(File not included...)"``."""
    text = str(value or "").strip()
    return None if not text or (text.startswith("(") and text.endswith(")")) else text


def export_poll(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """A poll's question, answers with their voters, total voters and closed flag."""
    poll = message.get("poll")
    if not isinstance(poll, Mapping):
        return None
    answers = [
        {"text": export_text(a.get("text"))[0], **({"voters": a["voters"]} if a.get("voters") is not None else {})}
        for a in poll.get("answers") or []
        if isinstance(a, Mapping)
    ]
    out: dict[str, Any] = {"question": export_text(poll.get("question"))[0], "answers": answers}
    if poll.get("total_voters") is not None:
        out["total_voters"] = poll["total_voters"]
    if poll.get("closed"):
        out["closed"] = True
    return out


def _place(message: Mapping[str, Any]) -> dict[str, Any]:
    location = message.get("location_information") or {}
    out = {
        "type": "venue" if message.get("place_name") else "geo",
        "latitude": location.get("latitude"),
        "longitude": location.get("longitude"),
        "title": message.get("place_name"),
        "address": message.get("address"),
        "live_period": message.get("live_location_period_seconds"),
    }
    return out


def export_media(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """Media type and file metadata of one export message (``path`` is relative to the export folder)."""
    if message.get("type") == "unsupported":
        out: dict[str, Any] = {"type": "unsupported"}
    elif message.get("photo"):
        out = {
            "type": "photo",
            "mime_type": "image/jpeg",
            "path": export_path(message["photo"]),
            "size": message.get("photo_file_size"),
            "width": message.get("width"),
            "height": message.get("height"),
        }
    elif message.get("file") or message.get("media_type"):
        out = {
            "type": _EXPORT_MEDIA_TYPES.get(str(message.get("media_type")), "document"),
            "mime_type": message.get("mime_type"),
            "path": export_path(message.get("file")),
            "file_name": message.get("file_name"),
            "size": message.get("file_size"),
            "width": message.get("width"),
            "height": message.get("height"),
            "duration": message.get("duration_seconds"),
        }
    elif message.get("poll"):
        poll = export_poll(message) or {}
        out = {"type": "poll", "question": poll.get("question"), "answers": [a["text"] for a in poll["answers"]]}
    elif message.get("location_information"):
        out = _place(message)
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


def _forward(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The forward source: its name and, in newer exports, ``forwarded_from_id`` (``channel<id>``/``user<id>``)."""
    source = str(message.get("forwarded_from_id") or "")
    out: dict[str, Any] = {"name": message.get("forwarded_from")}
    for prefix, key in (("channel", "channel_id"), ("user", "user_id")):
        if source.startswith(prefix) and source[len(prefix) :].isdigit():
            out[key] = int(source[len(prefix) :])
    out = {k: v for k, v in out.items() if v is not None}
    return out or None


def _part(message: Mapping[str, Any]) -> MessagePart:
    text, entities = export_text(message.get("text"))
    media = export_media(message)
    # tdesktop stamps the first reaction's time as `edited`: with reactions the stamp is not an edit
    edited = (message.get("edited") or message.get("edited_unixtime")) and not message.get("reactions")
    return MessagePart(
        message_id=int(message["id"]),
        text=text,
        entities=entities,
        media=[media] if media is not None else [],
        edit_date=export_date(message, "edited") if edited else None,
    )


def export_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_export_message`` raw payload."""
    messages, date = payload_messages(payload, EXPORT_ITEM, export_date)
    first = messages[0]
    return build_post(
        "export",
        [_part(m) for m in messages],
        date,
        payload_channel(payload, title_key="name"),
        reactions=_export_reactions(first.get("reactions")),
        fwd_from=_forward(first),
        reply_to=first.get("reply_to_message_id"),
        post_author=first.get("author"),
        poll=next(filter(None, map(export_poll, messages)), None),
    )
