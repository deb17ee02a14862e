"""Telegram API access (Telethon) behind a small interface, and credential loading.

Everything the pipeline needs goes through :class:`TelegramClientProtocol`; :class:`TelethonClient` is the
thin live implementation; ``connectors/telegram_snapshot.py`` runs it on a recorded channel offline (the
``snapshot`` setting of a source, and the tests), and ``tests/support/fake_telegram.py`` is the in-memory fake.
Credentials come from the environment or a secret (e.g. a Prefect Secret block, loaded
by the caller) and are never logged: :class:`TelegramCredentials` hides them from ``repr``.

Flood waits are not slept here: the live client sets Telethon's ``flood_sleep_threshold`` to 0 so every
``FloodWaitError`` reaches the pipeline, which applies the source's cap.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from extraction.telegram import API_ITEM, COMMENT_ITEM, SERVICE_ITEM, is_service_message, telegram_raw_item
from telefeed.models import RawItem

ENV_API_ID = "TELEGRAM_API_ID"
ENV_API_HASH = "TELEGRAM_API_HASH"
ENV_SESSION = "TELEGRAM_SESSION"
ENV_SESSION_FILE = "TELEGRAM_SESSION_FILE"

IDS_PER_CALL = 100  # Telegram's cap on the ids of one channels.getMessages call

T = TypeVar("T")


class TelegramCredentialsError(RuntimeError):
    """Credentials are missing or malformed; the message names variables, never values."""


class TelegramAuthError(RuntimeError):
    """The session is not authorised (log in once with ``telefeed telegram-login``)."""


class TelegramChannelError(ValueError):
    """A configured channel cannot be addressed (e.g. a numeric id the session has no access hash for)."""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A resolved channel: what is needed to address it without resolving its username again."""

    channel_id: int
    access_hash: int | None
    username: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class MessageWindow:
    """Which messages one ``fetch_messages`` call asks for, with Telethon's ``get_messages`` semantics.

    Up to ``limit`` messages with ``min_id < id < max_id`` (0 = unbounded); ``reverse=True`` returns oldest first,
    starting after ``offset_date``/``min_id``; ``reverse=False`` newest first, before ``offset_date``.
    """

    limit: int
    min_id: int = 0
    max_id: int = 0
    offset_date: datetime | None = None
    reverse: bool = True

    def as_kwargs(self) -> dict[str, Any]:
        """The window as ``get_messages`` keyword arguments."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class TelegramCredentials:
    """API id/hash and a session (a StringSession string or a session file). Secrets stay out of ``repr``."""

    api_id: int
    api_hash: str = field(repr=False)
    session: str | None = field(default=None, repr=False)
    session_file: str | None = None

    def __str__(self) -> str:
        kind = "string session" if self.session else f"session file {self.session_file}"
        return f"TelegramCredentials(api_id=<hidden>, api_hash=<hidden>, {kind})"

    __repr__ = __str__


class TelegramClientProtocol(Protocol):
    """The calls the pipeline makes; both the Telethon client and the test fake implement them."""

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Resolve a username (or id) to a channel reference. Costly: callers cache the result."""
        ...

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """The messages of ``window``. May raise ``telethon.errors.FloodWaitError``."""
        ...

    def fetch_by_ids(self, channel: ChannelRef, ids: Sequence[int]) -> Sequence[Any | None]:
        """The messages ``ids`` (at most :data:`IDS_PER_CALL`, one API call), in that order; None where a
        message no longer exists (deleted)."""
        ...

    def fetch_replies(self, channel: ChannelRef, post_id: int, *, min_id: int, limit: int) -> Sequence[Any]:
        """Up to ``limit`` comments on post ``post_id`` (its discussion thread) with ids above ``min_id``,
        oldest first. May raise ``telethon.errors.FloodWaitError``."""
        ...

    def download_media(self, message: Any, target: str) -> str | None:
        """Download a message's media to ``target`` (a path without extension); return the file written."""
        ...

    def close(self) -> None:
        """Disconnect."""
        ...


def load_credentials(
    environ: Mapping[str, str] | None = None, secret: str | Mapping[str, Any] | None = None
) -> TelegramCredentials:
    """Credentials from a secret (JSON object or mapping with api_id, api_hash, session/session_file) or env.

    Values in ``secret`` win over the environment. Raises :class:`TelegramCredentialsError` naming what is
    missing.
    """
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {
        "api_id": env.get(ENV_API_ID),
        "api_hash": env.get(ENV_API_HASH),
        "session": env.get(ENV_SESSION),
        "session_file": env.get(ENV_SESSION_FILE),
    }
    if secret is not None:
        if isinstance(secret, str):
            try:
                parsed = json.loads(secret)
            except json.JSONDecodeError:
                raise TelegramCredentialsError("the Telegram secret is not a JSON object") from None
        else:
            parsed = dict(secret)
        if not isinstance(parsed, dict):
            raise TelegramCredentialsError("the Telegram secret is not a JSON object")
        values.update({k: v for k, v in parsed.items() if k in values and v not in (None, "")})
    missing = [name for name, key in ((ENV_API_ID, "api_id"), (ENV_API_HASH, "api_hash")) if not values[key]]
    if not values["session"] and not values["session_file"]:
        missing.append(f"{ENV_SESSION} or {ENV_SESSION_FILE}")
    if missing:
        raise TelegramCredentialsError(
            "Telegram credentials missing: " + ", ".join(missing) + " (see docs/telegram.md; log in once with "
            "`telefeed telegram-login`)"
        )
    try:
        api_id = int(str(values["api_id"]).strip())
    except ValueError:
        raise TelegramCredentialsError(f"{ENV_API_ID} is not a number") from None
    return TelegramCredentials(
        api_id=api_id,
        api_hash=str(values["api_hash"]).strip(),
        session=str(values["session"]).strip() if values["session"] else None,
        session_file=str(values["session_file"]) if values["session_file"] else None,
    )


def session_path(session_file: str) -> Path:
    """The file Telethon uses for a session name (it appends ``.session`` when missing)."""
    path = Path(session_file).expanduser()
    return path if path.suffix == ".session" else path.with_name(path.name + ".session")


def ensure_private_file(path: Path) -> Path:
    """Create ``path`` (and its folder, 0700) if needed and make it readable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def build_session(credentials: TelegramCredentials) -> Any:
    """A Telethon session: ``StringSession`` from the string, or a SQLite session file created 0600."""
    from telethon.sessions import SQLiteSession, StringSession

    if credentials.session:
        try:
            return StringSession(credentials.session)
        except ValueError:
            raise TelegramCredentialsError(f"{ENV_SESSION} is not a valid Telethon StringSession") from None
    assert credentials.session_file is not None
    path = ensure_private_file(session_path(credentials.session_file))
    session = SQLiteSession(str(path))
    os.chmod(path, 0o600)
    return session


def channel_target(channel: str) -> Any:
    """What to resolve for a configured channel: a username as is; a bare number as a *channel* id.

    Telethon reads a bare positive number as a user id; ``1500000001`` and the marked ``-1001500000001`` both
    mean the channel here. A basic group id (``-123``) is refused: only channels and supergroups are read.
    """
    from telethon import utils
    from telethon.tl.types import PeerChannel

    text = channel.strip()
    if not text.lstrip("-").isdigit():
        return text
    number = int(text)
    if number > 0:
        return PeerChannel(number)
    real_id, peer_type = utils.resolve_id(number)
    if peer_type is not PeerChannel:
        raise TelegramChannelError(f"{channel}: a basic group id, not a channel; use the channel's username")
    return PeerChannel(real_id)


class TelethonClient:
    """The live client: a Telethon ``TelegramClient`` on a private event loop, connected on first use.

    ``telethon_class`` is the ``TelegramClient`` class to build (``connectors.telegram_snapshot`` gives one that
    answers requests without a network); ``session`` a Telethon session to use instead of the credentials' one.
    """

    def __init__(
        self,
        credentials: TelegramCredentials,
        request_retries: int = 3,
        telethon_class: type[Any] | None = None,
        session: Any | None = None,
    ) -> None:
        from telethon import TelegramClient

        self._loop = asyncio.new_event_loop()
        self._client = (telethon_class or TelegramClient)(
            session if session is not None else build_session(credentials),
            credentials.api_id,
            credentials.api_hash,
            flood_sleep_threshold=0,  # every flood wait reaches the pipeline, which applies the source's cap
            request_retries=request_retries,
            receive_updates=False,
        )
        self._connected = False

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coro)

    async def _disconnect(self) -> None:
        pending = self._client.disconnect()  # inside the running loop Telethon hands back a task to await
        if pending is not None:
            await pending

    def _ensure_connected(self) -> None:
        if self._connected:
            return
        self._run(self._client.connect())
        if not self._run(self._client.is_user_authorized()):
            self._run(self._disconnect())
            raise TelegramAuthError("the Telegram session is not authorised; run `telefeed telegram-login` once")
        self._connected = True

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Resolve ``channel`` with one ``get_entity`` call (a numeric id from the session's access hashes)."""
        self._ensure_connected()
        from telethon.errors import FloodWaitError, RPCError

        target = channel_target(channel)
        try:
            entity = self._run(self._client.get_entity(target))
        except (ValueError, RPCError) as exc:
            if isinstance(target, str) or isinstance(exc, FloodWaitError):
                raise
            raise TelegramChannelError(
                f"channel id {channel}: this session has no access hash for it (it never saw the channel); "
                "configure the channel's username or t.me link instead"
            ) from exc
        if type(entity).__name__ != "Channel":
            raise TelegramChannelError(f"{channel} is a {type(entity).__name__.lower()}, not a channel")
        return ChannelRef(
            channel_id=int(entity.id),
            access_hash=getattr(entity, "access_hash", None),
            username=getattr(entity, "username", None),
            title=getattr(entity, "title", None),
        )

    def _peer(self, channel: ChannelRef) -> Any:
        from telethon.tl.types import InputPeerChannel, PeerChannel

        if channel.access_hash is None:
            return PeerChannel(channel.channel_id)
        return InputPeerChannel(channel.channel_id, channel.access_hash)

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """One ``get_messages`` call (Telethon pages internally up to ``window.limit``)."""
        self._ensure_connected()
        result = self._run(self._client.get_messages(self._peer(channel), **window.as_kwargs()))
        return list(result or [])

    def fetch_by_ids(self, channel: ChannelRef, ids: Sequence[int]) -> Sequence[Any | None]:
        """One ``get_messages(ids=...)`` call (``channels.getMessages``); None for deleted messages."""
        if len(ids) > IDS_PER_CALL:
            raise ValueError(f"at most {IDS_PER_CALL} ids per call, got {len(ids)}")
        self._ensure_connected()
        result = self._run(self._client.get_messages(self._peer(channel), ids=list(ids)))
        return list(result or [])

    def fetch_replies(self, channel: ChannelRef, post_id: int, *, min_id: int, limit: int) -> Sequence[Any]:
        """``iter_messages(channel, reply_to=post_id, min_id=...)`` oldest first (``messages.getReplies``)."""
        self._ensure_connected()
        result = self._run(
            self._client.get_messages(self._peer(channel), reply_to=post_id, min_id=min_id, limit=limit, reverse=True)
        )
        return list(result or [])

    def download_media(self, message: Any, target: str) -> str | None:
        """Download a message's media to ``target`` (Telethon adds the extension)."""
        self._ensure_connected()
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        path = self._run(self._client.download_media(message, file=target))
        return str(path) if path else None

    def close(self) -> None:
        """Disconnect and close the private loop."""
        try:
            if self._connected:
                self._run(self._disconnect())
            else:
                self._client.session.close()
        finally:
            self._connected = False
            self._loop.close()


# -- Telethon messages -> raw items ------------------------------------------------------------------------------

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


@dataclass(frozen=True, slots=True)
class ApiItems:
    """What a batch of Telethon messages of one channel becomes: post items (an album is one) and services."""

    posts: list[RawItem]
    services: list[RawItem]


def api_raw_items(
    source: str,
    channel: ChannelRef,
    username: str | None,
    payloads: Sequence[dict[str, Any]],
    fetched_at: datetime,
) -> ApiItems:
    """Raw items of a batch of message payloads (:func:`message_payload`) of ``channel`` (ids: the one Telegram
    rule, :func:`extraction.telegram.item_external_id`)."""
    info = {"id": channel.channel_id, "username": username, "title": channel.title}
    services = [p for p in payloads if is_service_message(p)]
    posts = [p for p in payloads if not is_service_message(p)]
    return ApiItems(
        posts=[
            telegram_raw_item(source, API_ITEM, {"channel": info, "messages": list(group)}, fetched_at)
            for group in group_messages(posts)
        ],
        services=[
            telegram_raw_item(source, SERVICE_ITEM, {"channel": info, "message": p}, fetched_at) for p in services
        ],
    )


def api_comment_items(
    source: str,
    channel: ChannelRef,
    username: str | None,
    post_external_id: str,
    post_id: int,
    payloads: Sequence[dict[str, Any]],
    fetched_at: datetime,
) -> list[RawItem]:
    """Raw items of comments on post ``post_id`` of ``channel`` (service messages of the thread are left out)."""
    info = {"id": channel.channel_id, "username": username, "title": channel.title}
    post = {"external_id": post_external_id, "message_id": post_id}
    return [
        telegram_raw_item(source, COMMENT_ITEM, {"channel": info, "post": post, "message": p}, fetched_at)
        for p in payloads
        if not is_service_message(p)
    ]


class _TurnTakingClient:
    """One account's client as its sources see it: each call waits for the account's turn; ``close`` is the
    pool's."""

    def __init__(self, client: TelegramClientProtocol, turn: threading.Lock) -> None:
        self._client = client
        self._turn = turn

    def resolve_channel(self, channel: str) -> ChannelRef:
        """See :class:`TelegramClientProtocol`."""
        with self._turn:
            return self._client.resolve_channel(channel)

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """See :class:`TelegramClientProtocol`."""
        with self._turn:
            return self._client.fetch_messages(channel, window)

    def fetch_by_ids(self, channel: ChannelRef, ids: Sequence[int]) -> Sequence[Any | None]:
        """See :class:`TelegramClientProtocol`."""
        with self._turn:
            return self._client.fetch_by_ids(channel, ids)

    def fetch_replies(self, channel: ChannelRef, post_id: int, *, min_id: int, limit: int) -> Sequence[Any]:
        """See :class:`TelegramClientProtocol`."""
        with self._turn:
            return self._client.fetch_replies(channel, post_id, min_id=min_id, limit=limit)

    def download_media(self, message: Any, target: str) -> str | None:
        """See :class:`TelegramClientProtocol`."""
        with self._turn:
            return self._client.download_media(message, target)

    def close(self) -> None:
        """Nothing: the account's client stays open for its other sources until the pool closes."""


class TelegramAccounts:
    """One Telegram client per account for a flow run, shared by that account's sources.

    A Telethon session (a SQLite file) must not be opened by two clients at once: two session objects on one
    file gave ``database is locked``. So the first source of an account opens its client (``open_client``)
    and the account's other sources use the same one, taking turns call by call; :meth:`close` disconnects
    them all at the end of the run. Accounts are told apart by ``account`` keys (a source's secret block).
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._clients: dict[str, TelegramClientProtocol] = {}
        self._turns: dict[str, threading.Lock] = {}

    def __reduce__(self) -> tuple[type[TelegramAccounts], tuple[()]]:
        """Pickled (a task sent to another process) as a new, empty pool: clients do not cross processes."""
        return (TelegramAccounts, ())

    def client(self, account: str, open_client: Callable[[], TelegramClientProtocol]) -> TelegramClientProtocol:
        """The shared client of ``account``, opened with ``open_client`` on first use."""
        with self._guard:
            turn = self._turns.setdefault(account, threading.Lock())
        with turn:  # one source opens it; the others wait, then share it
            client = self._clients.get(account)
            if client is None:
                client = self._clients[account] = open_client()
        return _TurnTakingClient(client, turn)

    def opened(self) -> int:
        """How many clients are open."""
        with self._guard:
            return len(self._clients)

    def close(self) -> None:
        """Disconnect every account's client."""
        with self._guard:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


def interactive_login(
    api_id: int,
    api_hash: str,
    session_file: str | None,
    phone: Callable[[], str],
    code: Callable[[], str],
    password: Callable[[], str],
) -> str | None:
    """Log in once (phone, code, 2FA password asked through the callbacks) and keep the session.

    With ``session_file`` the session is written there (0600) and None is returned; otherwise the
    StringSession string is returned for ``TELEGRAM_SESSION``. Needs the network.
    """
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    session: Any = (
        build_session(TelegramCredentials(api_id, api_hash, session_file=session_file))
        if session_file
        else StringSession()
    )

    async def run() -> str | None:
        client = TelegramClient(session, api_id, api_hash)
        await client.start(phone=phone, code_callback=code, password=password)
        saved = None if session_file else StringSession.save(client.session)
        await client.disconnect()
        return saved

    result = asyncio.run(run())
    if session_file:
        os.chmod(session_path(session_file), 0o600)
    return result
