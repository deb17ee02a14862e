"""The snapshot twin of the live Telegram client: a recorded channel replayed offline, through Telethon itself.

Like a snapshot resource (an abstract client with a live implementation and one that reads fixture files),
:func:`snapshot_client` gives a :class:`connectors.telegram.TelethonClient` whose requests
:class:`ScriptedTelegram` answers with real TL objects instead of Telegram's servers: Telethon's own message
iterators, entity handling and session run as they do live, only the network is replaced. Tests script the
server in Python; a source with ``snapshot = "<file>.json"`` replays a recording (:func:`load_snapshot`).

A snapshot file holds one channel as Telethon's ``to_dict()`` writes it (``"_"`` names the TL type; dates are
ISO 8601 strings, bytes ``{"_": "bytes", "base64": ...}``)::

    {"channel": {"_": "Channel", ...}, "discussion": {"_": "Channel", "megagroup": true, ...} | null,
     "chats": [{"_": "Channel", ...}],                      # other chats the answers carry (forward sources)
     "messages": [{"_": "Message", ...}, ...],              # the history as first read
     "threads": {"<post id>": [{"_": "Message", ...}]},      # comments, in the discussion group
     "deleted": [<message id>, ...]}                        # gone when the posts were re-read by id

History pages (``messages.getHistory``) replay the channel as first read; a by-id re-read
(``channels.getMessages``) answers ``messageEmpty`` for the ``deleted`` ids, as Telegram does for a message
the channel deleted since.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from connectors.telegram import TelegramCredentials, TelethonClient

SNAPSHOT_ACCOUNT = "snapshot"  # what the client's credentials say: a snapshot needs none


@dataclass
class ScriptedChannel:
    """One channel as the scripted server holds it: its messages, its posts' comment threads, and the ids a
    by-id re-read finds deleted."""

    entity: Any  # telethon.tl.types.Channel
    messages: list[Any]
    threads: dict[int, list[Any]] = field(default_factory=dict)  # post id -> comments (in the discussion group)
    discussion: Any | None = None  # the discussion group (a megagroup Channel)
    chats: list[Any] = field(default_factory=list)  # other chats the answers carry (forward sources)
    deleted: set[int] = field(default_factory=set)  # ids a by-id re-read no longer finds


@dataclass
class ScriptedTelegram:
    """Answers the TL requests the live client makes with real TL objects, as Telegram's servers do (no network).

    ``messages.getHistory`` and ``messages.getReplies`` follow the server's paging: messages newest first, from the
    first one older than ``offset_id`` (or ``offset_date``), shifted by ``add_offset``, ``limit`` of them, within
    ``min_id``/``max_id``. Every request is recorded.
    """

    channels: list[ScriptedChannel]
    requests: list[Any] = field(default_factory=list)

    def _channel(self, peer: Any) -> ScriptedChannel:
        """The channel an input peer names; like Telegram, a wrong access hash is ``CHANNEL_INVALID``."""
        from telethon.errors import ChannelInvalidError

        for channel in self.channels:
            if channel.entity.id == peer.channel_id and channel.entity.access_hash == peer.access_hash:
                return channel
        raise ChannelInvalidError(request=None)

    def answer(self, request: Any) -> Any:
        """The response to one request."""
        from telethon.errors import UsernameNotOccupiedError
        from telethon.tl.functions.channels import GetChannelsRequest, GetMessagesRequest
        from telethon.tl.functions.contacts import ResolveUsernameRequest
        from telethon.tl.functions.messages import GetHistoryRequest, GetRepliesRequest
        from telethon.tl.types import MessageEmpty, PeerChannel
        from telethon.tl.types.contacts import ResolvedPeer
        from telethon.tl.types.messages import ChannelMessages, Chats

        self.requests.append(request)
        if isinstance(request, ResolveUsernameRequest):
            for channel in self.channels:
                if (channel.entity.username or "").lower() == request.username.lower():
                    return ResolvedPeer(peer=PeerChannel(channel.entity.id), chats=[channel.entity], users=[])
            raise UsernameNotOccupiedError(request=request)
        if isinstance(request, GetChannelsRequest):
            return Chats(chats=[self._channel(c).entity for c in request.id])
        if isinstance(request, GetHistoryRequest):
            channel = self._channel(request.peer)
            return self._page(channel, channel.messages, request)
        if isinstance(request, GetRepliesRequest):
            channel = self._channel(request.peer)
            return self._page(channel, channel.threads.get(request.msg_id, []), request)
        if isinstance(request, GetMessagesRequest):
            channel = self._channel(request.channel)
            by_id = {m.id: m for m in channel.messages if m.id not in channel.deleted}
            found = [
                by_id.get(i.id) or MessageEmpty(id=i.id, peer_id=PeerChannel(channel.entity.id)) for i in request.id
            ]
            return ChannelMessages(
                pts=1, count=len(found), messages=found, topics=[], chats=self._chats(channel), users=[]
            )
        raise NotImplementedError(f"the scripted server does not answer {type(request).__name__}")

    @staticmethod
    def _chats(channel: ScriptedChannel) -> list[Any]:
        return [channel.entity, *([channel.discussion] if channel.discussion is not None else []), *channel.chats]

    def _page(self, channel: ScriptedChannel, messages: Sequence[Any], request: Any) -> Any:
        from telethon.tl.types.messages import ChannelMessages

        newest_first = sorted(messages, key=lambda m: m.id, reverse=True)
        if request.offset_id:
            start = next((i for i, m in enumerate(newest_first) if m.id < request.offset_id), len(newest_first))
        elif request.offset_date:
            start = next((i for i, m in enumerate(newest_first) if m.date < request.offset_date), len(newest_first))
        else:
            start = 0
        start += request.add_offset
        page = newest_first[max(0, start) : max(0, start + request.limit)]
        page = [m for m in page if m.id > request.min_id and (not request.max_id or m.id < request.max_id)]
        return ChannelMessages(
            pts=1, count=len(messages), messages=page, topics=[], chats=self._chats(channel), users=[]
        )

    def count(self, kind: type) -> int:
        """How many requests of ``kind`` were made."""
        return sum(1 for r in self.requests if isinstance(r, kind))


def scripted_telethon(server: ScriptedTelegram) -> type[Any]:
    """A ``telethon_class`` for ``connectors.telegram.TelethonClient``: Telethon's own ``TelegramClient`` (its
    message iterators, entity handling and session) whose requests ``server`` answers instead of the network."""
    from telethon import TelegramClient, utils

    class ScriptedTelegramClient(TelegramClient):
        async def connect(self) -> None:
            self._loop = asyncio.get_running_loop()

        def is_connected(self) -> bool:
            return True

        async def is_user_authorized(self) -> bool:
            return True

        async def __call__(self, request: Any, ordered: bool = False, flood_sleep_threshold: int | None = None) -> Any:
            await request.resolve(self, utils)
            result = server.answer(request)
            self.session.process_entities(result)  # what the real client does with every response
            return result

    return ScriptedTelegramClient


# -- snapshot files ----------------------------------------------------------------------------------------------


class SnapshotError(ValueError):
    """A snapshot file that cannot be replayed (names the file and what is wrong)."""


@cache
def _tl_types() -> dict[str, type[Any]]:
    """TL type classes by name (``Message``, ``Channel``, ...) as Telethon reads them from the wire (its patched
    ``Message`` classes included), the top-level ``types`` module before ``types.messages`` and the like."""
    from telethon.tl.alltlobjects import tlobjects

    found: dict[str, type[Any]] = {}
    for cls in sorted(tlobjects.values(), key=lambda c: c.__module__.count(".")):
        if not cls.__module__.startswith("telethon.tl.functions"):
            found.setdefault(cls.__name__, cls)
    return found


def tl_to_json(value: Any) -> Any:
    """A TL object (or ``to_dict()`` value) as JSON-safe data that :func:`tl_from_json` turns back into it."""
    if hasattr(value, "to_dict") and not isinstance(value, Mapping):
        value = value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): tl_to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [tl_to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"_": "bytes", "base64": base64.b64encode(value).decode("ascii")}
    return value


def tl_from_json(value: Any, annotation: str = "") -> Any:
    """The TL object described by ``value`` (Telethon's ``to_dict()`` shape, see :func:`tl_to_json`).

    ``annotation`` is the receiving parameter's type as text: a string there is a date when it names
    ``datetime``. Raises :class:`SnapshotError` for an unknown type or a missing field.
    """
    if isinstance(value, list):
        return [tl_from_json(v, annotation) for v in value]
    if isinstance(value, str) and "datetime" in annotation:
        return datetime.fromisoformat(value)
    if not isinstance(value, Mapping) or "_" not in value:
        return value
    name = value["_"]
    if name == "bytes":
        return base64.b64decode(value["base64"])
    cls = _tl_types().get(name)
    if cls is None:
        raise SnapshotError(f"unknown TL type {name!r}")
    params = inspect.signature(cls.__init__).parameters
    unknown = set(value) - set(params) - {"_"}
    if unknown:
        raise SnapshotError(f"{name} has no field(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**{k: tl_from_json(v, str(params[k].annotation)) for k, v in value.items() if k != "_"})
    except TypeError as exc:
        raise SnapshotError(f"{name}: {exc}") from None


def snapshot_json(channel: ScriptedChannel) -> dict[str, Any]:
    """A channel as a snapshot file's JSON (what :func:`load_snapshot` reads back)."""
    return {
        "channel": tl_to_json(channel.entity),
        "discussion": tl_to_json(channel.discussion) if channel.discussion is not None else None,
        "chats": tl_to_json(channel.chats),
        "messages": tl_to_json(channel.messages),
        "threads": {str(post): tl_to_json(thread) for post, thread in sorted(channel.threads.items())},
        "deleted": sorted(channel.deleted),
    }


def load_snapshot(path: str | Path) -> ScriptedChannel:
    """Read a snapshot file (see the module docstring); :class:`SnapshotError` names the file when it cannot."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return ScriptedChannel(
            entity=tl_from_json(data["channel"]),
            messages=tl_from_json(data.get("messages", [])),
            threads={int(post): tl_from_json(thread) for post, thread in data.get("threads", {}).items()},
            discussion=tl_from_json(data["discussion"]) if data.get("discussion") else None,
            chats=tl_from_json(data.get("chats", [])),
            deleted={int(i) for i in data.get("deleted", [])},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"telegram snapshot {path}: {type(exc).__name__}: {exc}") from None


def snapshot_client(path: str | Path) -> TelethonClient:
    """The live client's code on a recorded channel: Telethon answered by :class:`ScriptedTelegram` from the
    snapshot file ``path``, an in-memory session, no credentials."""
    from telethon.sessions import MemorySession

    server = ScriptedTelegram([load_snapshot(path)])
    credentials = TelegramCredentials(api_id=1, api_hash=SNAPSHOT_ACCOUNT)  # Telethon refuses empty ones
    return TelethonClient(credentials, telethon_class=scripted_telethon(server), session=MemorySession())
