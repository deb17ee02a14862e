"""Telethon objects -> JSON-safe dicts (the ``telegram_message`` raw payload).

Kept apart from the mapping: this is the connector's side of the raw item (it needs live Telethon objects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

# Keys dropped from Telethon's ``to_dict()``: short-lived file tokens and per-account hashes (they change
# between fetches and are useless without the account).
_VOLATILE_KEYS = {"file_reference", "access_hash", "replies_pts"}


def jsonable_tl(value: Any) -> Any:
    """A Telethon ``to_dict()`` value made JSON-safe and compact (no None, no empty lists, no file tokens)."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key in _VOLATILE_KEYS:
                continue
            converted = jsonable_tl(item)
            if converted is None or converted == []:
                continue
            out[str(key)] = converted
        return out
    if isinstance(value, list | tuple):
        return [jsonable_tl(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes):
        return None
    return value


def message_payload(message: Any) -> dict[str, Any]:
    """JSON-safe dict of one Telethon message; keeps the forward source's name when Telethon resolved it."""
    data = jsonable_tl(message.to_dict())
    forward = getattr(message, "forward", None) if getattr(message, "fwd_from", None) is not None else None
    chat = getattr(forward, "chat", None) if forward is not None else None
    if chat is not None:
        data["fwd_chat"] = {
            "id": getattr(chat, "id", None),
            "title": getattr(chat, "title", None),
            "username": getattr(chat, "username", None),
        }
    return data


def group_messages(messages: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Split messages (oldest first) into posts: consecutive messages with one ``grouped_id`` are an album."""
    groups: list[list[Mapping[str, Any]]] = []
    for message in sorted(messages, key=lambda m: int(m["id"])):
        gid = message.get("grouped_id")
        if gid is not None and groups and groups[-1][-1].get("grouped_id") == gid:
            groups[-1].append(message)
        else:
            groups.append([message])
    return groups
