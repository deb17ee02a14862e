"""Telegram Desktop exports: read ``result.json`` from an export folder (no API access).

Two roots exist: a one-chat export (``{"name", "type", "id", "messages": [...]}``) and a full-account export
(``{"chats": {"list": [<one-chat shape>, ...]}, "left_chats": {...}}``), from which the source's ``chat``
setting (name or numeric id) picks one chat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.http import FetchError, read_capped
from telefeed.models import Quarantined, canonical_json

MAX_EXPORT_BYTES = 2_000_000_000


@dataclass(slots=True)
class ExportRead:
    """The channel described by an export and its message objects (oldest first)."""

    path: str
    channel: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)
    exported_at: datetime | None = None  # result.json's modification time: when the counters were observed


def export_file(path: str | Path) -> Path:
    """``result.json`` inside an export folder (or the file itself)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.suffix == ".json" and not candidate.is_dir() else candidate / "result.json"


def _chats(data: dict[str, Any]) -> list[dict[str, Any]]:
    lists = [(data.get(key) or {}).get("list") for key in ("chats", "left_chats")]
    return [c for chats in lists if isinstance(chats, list) for c in chats if isinstance(c, dict)]


def pick_chat(data: dict[str, Any], chat: str | None, file: Path) -> dict[str, Any]:
    """The chat of a full-account export that ``chat`` names (name, case-insensitive, or numeric id).

    Without ``chat`` the export's only channel is taken; several channels (or none) is an error naming them.
    """
    chats = _chats(data)
    if chat is not None:
        wanted = chat.strip().casefold()
        found = [c for c in chats if str(c.get("id")) == wanted or str(c.get("name") or "").casefold() == wanted]
        if not found:
            raise FetchError(f"{file}: no chat {chat!r} in this full-account export")
        return found[0]
    channels = [c for c in chats if str(c.get("type", "")).endswith("channel")]
    if len(channels) == 1:
        return channels[0]
    names = ", ".join(f"{c.get('name')!r} ({c.get('id')})" for c in channels) or "none"
    raise FetchError(f"{file}: a full-account export with several channels ({names}): set `chat` on the source")


def read_export(
    source: str, path: str | Path, max_bytes: int = MAX_EXPORT_BYTES, chat: str | None = None
) -> ExportRead:
    """Read and validate an export's ``result.json`` (for a full-account export, the chat ``chat`` names).

    Messages without an integer id are quarantined (stage ``parse``); a missing or unreadable file raises
    ``FetchError`` with the path in the message.
    """
    file = export_file(path)
    try:
        body = read_capped(file, max_bytes)
        stat = file.stat()
    except OSError as exc:
        raise FetchError(f"{file}: cannot read Telegram export: {exc.strerror or exc}") from exc
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{file}: not a Telegram export (invalid JSON: {exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("chats"), dict):
        data = pick_chat(data, chat, file)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise FetchError(f"{file}: not a Telegram export (no 'messages' list)")
    channel = {"id": data.get("id"), "name": data.get("name"), "type": data.get("type")}
    result = ExportRead(path=str(file), channel=channel, exported_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC))
    for message in data["messages"]:
        if not isinstance(message, dict) or not isinstance(message.get("id"), int):
            reason = "export message without an integer id"
            result.quarantine.append(Quarantined(source, None, "parse", reason, canonical_json(message)))
            continue
        result.messages.append(message)
    result.messages.sort(key=lambda m: int(m["id"]))
    return result
