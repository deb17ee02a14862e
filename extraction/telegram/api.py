"""``telegram_message`` raw items (Telethon ``Message.to_dict()``, made JSON-safe) -> :class:`Post`.

An album (messages sharing ``grouped_id``) is one raw item holding every message of the group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from extraction.telegram.post import (
    API_ITEM,
    MessagePart,
    Post,
    build_post,
    iso,
    parse_iso,
    payload_channel,
    payload_messages,
    utf16_slice,
)

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
_SIMPLE_MEDIA = {
    "MessageMediaContact": "contact",
    "MessageMediaDice": "dice",
    "MessageMediaGame": "game",
    "MessageMediaInvoice": "invoice",
    "MessageMediaStory": "story",
    "MessageMediaPaidMedia": "paid_media",
}


def is_service_message(message_dict: Mapping[str, Any]) -> bool:
    """True for Telethon ``MessageService`` dicts (pins, channel created, ...)."""
    return message_dict.get("_") == "MessageService" or "action" in message_dict


def api_entities(text: str, raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Telethon entities of ``text`` in the export vocabulary, with the text each covers."""
    entities = []
    for ent in raw:
        name = str(ent.get("_", ""))
        offset, length = int(ent.get("offset", 0)), int(ent.get("length", 0))
        entity: dict[str, Any] = {
            "type": _API_ENTITY_TYPES.get(name, name.removeprefix("MessageEntity").lower() or "unknown"),
            "offset": offset,
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


def _photo(photo: Mapping[str, Any]) -> dict[str, Any]:
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


def _document(doc: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "document", "mime_type": doc.get("mime_type"), "size": doc.get("size")}
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


def _tl_text(value: Any) -> str:
    """A ``TextWithEntities`` (newer layers) or plain string (older ones) as text."""
    return str(value.get("text") or "") if isinstance(value, Mapping) else str(value or "")


def _place(media: Mapping[str, Any]) -> dict[str, Any]:
    geo = media.get("geo") or {}
    out: dict[str, Any] = {
        "type": "venue" if media.get("_") == "MessageMediaVenue" else "geo",
        "latitude": geo.get("lat"),
        "longitude": geo.get("long"),
        "title": media.get("title"),
        "address": media.get("address"),
        "live_period": media.get("period"),
    }
    return {k: v for k, v in out.items() if v is not None}


def api_poll(media: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A poll's question, answers with their voters, total voters and closed flag (the counters side of a poll).

    Answers are matched to results by their ``option`` bytes when the payload kept them, else by position
    (Telegram lists results in the answers' order).
    """
    if not media or media.get("_") != "MessageMediaPoll":
        return None
    poll = media.get("poll") or {}
    results = media.get("results") or {}
    voters = results.get("results") or []
    by_option = {r.get("option"): r.get("voters") for r in voters if r.get("option") is not None}
    answers = []
    for index, answer in enumerate(poll.get("answers") or []):
        option = answer.get("option")
        count = by_option.get(option) if option is not None else None
        if option is None and index < len(voters):
            count = voters[index].get("voters")
        answers.append({"text": _tl_text(answer.get("text")), **({"voters": count} if count is not None else {})})
    out: dict[str, Any] = {"question": _tl_text(poll.get("question")), "answers": answers}
    if results.get("total_voters") is not None:
        out["total_voters"] = results["total_voters"]
    if poll.get("closed"):
        out["closed"] = True
    return out


def api_link_preview(media: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The link preview card of a message (``MessageMediaWebPage`` holding a loaded ``WebPage``)."""
    page = (media or {}).get("webpage") or {}
    if (media or {}).get("_") != "MessageMediaWebPage" or page.get("_") != "WebPage":
        return None
    out = {k: page.get(k) for k in ("url", "site_name", "title", "description")}
    return {k: v for k, v in out.items() if v} or None


def api_media(media: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Media type and file metadata of one Telethon message (link previews are not media)."""
    if not media:
        return None
    kind = media.get("_")
    if kind == "MessageMediaPhoto":
        return _photo(media.get("photo") or {})
    if kind == "MessageMediaDocument":
        return _document(media.get("document") or {})
    if kind in ("MessageMediaGeo", "MessageMediaGeoLive", "MessageMediaVenue"):
        return _place(media)
    if kind == "MessageMediaPoll":
        poll = api_poll(media) or {}
        return {"type": "poll", "question": poll.get("question"), "answers": [a["text"] for a in poll["answers"]]}
    if kind in _SIMPLE_MEDIA:
        return {"type": _SIMPLE_MEDIA[kind]}
    if kind in ("MessageMediaWebPage", "MessageMediaEmpty"):
        return None
    return {"type": "other", "tl_type": kind}


def api_reactions(reactions: Mapping[str, Any] | None) -> dict[str, int]:
    """Reaction counts keyed by emoji, ``custom:<document id>`` or ``paid``."""
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


def peer_channel_id(peer: Mapping[str, Any] | None) -> int | None:
    """The channel id of a ``PeerChannel`` dict (None for users, chats or nothing)."""
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
        "channel_id": peer_channel_id(from_id),
        "user_id": from_id.get("user_id"),
        # the source chat's title, else the hidden sender's name; never the signature (a person, not the source)
        "name": chat.get("title") or fwd.get("from_name"),
        "username": (chat.get("username") or "").lower() or None,
        "message_id": fwd.get("channel_post"),
        "post_author": fwd.get("post_author"),
        "date": iso(parse_iso(fwd.get("date"))),
    }
    return {k: v for k, v in out.items() if v is not None}


def _reply(message: Mapping[str, Any], channel_id: int | None) -> tuple[int | None, dict[str, Any] | None]:
    """``(reply_to, reply_to_other_chat)``: a reply to another chat's message is not a reply within the channel."""
    reply = message.get("reply_to") or {}
    target = reply.get("reply_to_msg_id")
    other = peer_channel_id(reply.get("reply_to_peer_id"))
    if target is None or other is None or other == channel_id:
        return target, None
    return None, {"channel_id": other, "message_id": target}


def _part(message: Mapping[str, Any]) -> MessagePart:
    text = str(message.get("message") or "")
    media = []
    item = api_media(message.get("media"))
    if item is not None:
        local = (message.get("media") or {}).get("local_path")
        media.append({**item, **({"local_path": local} if local else {})})
    edited = message.get("edit_date") and not message.get("edit_hide")
    return MessagePart(
        message_id=int(message["id"]),
        text=text,
        entities=api_entities(text, message.get("entities") or []) if text else [],
        media=media,
        edit_date=parse_iso(message["edit_date"]) if edited else None,
    )


def api_post(payload: Mapping[str, Any]) -> Post:
    """The post held by a ``telegram_message`` raw payload (an album's messages merged into one post)."""
    messages, date = payload_messages(payload, API_ITEM, lambda message: parse_iso(message.get("date")))
    first = messages[0]
    counters = next((m for m in messages if m.get("views") is not None), first)
    channel = payload_channel(payload, fallback_id=peer_channel_id(first.get("peer_id")))
    medias = [m.get("media") for m in messages]
    reply_to, reply_elsewhere = _reply(first, channel.id)
    return build_post(
        "api",
        [_part(m) for m in messages],
        date,
        channel,
        views=counters.get("views"),
        forwards=counters.get("forwards"),
        replies=(counters.get("replies") or {}).get("replies"),
        reactions=api_reactions(counters.get("reactions")),
        fwd_from=_api_fwd(first),
        reply_to=reply_to,
        reply_to_other_chat=reply_elsewhere,
        grouped_id=first.get("grouped_id"),
        post_author=first.get("post_author"),
        link_preview=next(filter(None, map(api_link_preview, medias)), None),
        poll=next(filter(None, map(api_poll, medias)), None),
        discussion=_discussion(counters.get("replies")),
    )


def _discussion(replies: Mapping[str, Any] | None) -> dict[str, int] | None:
    """The discussion group of a post with comments and its newest comment id (``replies.channel_id/max_id``)."""
    if not replies or not replies.get("comments") or not replies.get("channel_id"):
        return None
    found = {"channel_id": int(replies["channel_id"]), "max_id": replies.get("max_id")}
    return {k: int(v) for k, v in found.items() if v is not None}
