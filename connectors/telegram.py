"""Telegram API access (Telethon) behind a small interface, and credential loading.

Everything the pipeline needs goes through :class:`TelegramClientProtocol`; :class:`TelethonClient` is the
thin live implementation (tests use ``tests/support/fake_telegram.py``, which serves real Telethon
``Message`` objects). Credentials come from the environment or a secret (e.g. a Prefect Secret block, loaded
by the caller) and are never logged: :class:`TelegramCredentials` hides them from ``repr``.

Flood waits are not slept here: the live client sets Telethon's ``flood_sleep_threshold`` to 0 so every
``FloodWaitError`` reaches the pipeline, which applies the source's cap.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

ENV_API_ID = "TELEGRAM_API_ID"
ENV_API_HASH = "TELEGRAM_API_HASH"
ENV_SESSION = "TELEGRAM_SESSION"
ENV_SESSION_FILE = "TELEGRAM_SESSION_FILE"

T = TypeVar("T")


class TelegramCredentialsError(RuntimeError):
    """Credentials are missing or malformed; the message names variables, never values."""


class TelegramAuthError(RuntimeError):
    """The session is not authorised (log in once with ``telefeed telegram-login``)."""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A resolved channel: what is needed to address it without resolving its username again."""

    channel_id: int
    access_hash: int | None
    username: str | None = None
    title: str | None = None


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

    def fetch_messages(
        self,
        channel: ChannelRef,
        *,
        limit: int,
        min_id: int = 0,
        max_id: int = 0,
        offset_date: datetime | None = None,
        reverse: bool = True,
    ) -> Sequence[Any]:
        """Up to ``limit`` messages with ``min_id < id < max_id`` (0 = unbounded), Telethon semantics.

        ``reverse=True`` returns oldest first, starting after ``offset_date``/``min_id``; ``reverse=False``
        newest first, before ``offset_date``. May raise ``telethon.errors.FloodWaitError``.
        """
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


class TelethonClient:
    """The live client: a Telethon ``TelegramClient`` on a private event loop, connected on first use."""

    def __init__(self, credentials: TelegramCredentials, request_retries: int = 3) -> None:
        from telethon import TelegramClient

        self._loop = asyncio.new_event_loop()
        self._client = TelegramClient(
            build_session(credentials),
            credentials.api_id,
            credentials.api_hash,
            flood_sleep_threshold=0,  # every flood wait reaches the pipeline, which applies the source's cap
            request_retries=request_retries,
            receive_updates=False,
        )
        self._connected = False

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coro)

    def _ensure_connected(self) -> None:
        if self._connected:
            return
        self._run(self._client.connect())
        if not self._run(self._client.is_user_authorized()):
            self._run(self._client.disconnect())
            raise TelegramAuthError("the Telegram session is not authorised; run `telefeed telegram-login` once")
        self._connected = True

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Resolve ``channel`` with one ``get_entity`` call."""
        self._ensure_connected()
        target: Any = int(channel) if channel.lstrip("-").isdigit() else channel
        entity = self._run(self._client.get_entity(target))
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

    def fetch_messages(
        self,
        channel: ChannelRef,
        *,
        limit: int,
        min_id: int = 0,
        max_id: int = 0,
        offset_date: datetime | None = None,
        reverse: bool = True,
    ) -> Sequence[Any]:
        """One ``get_messages`` call (Telethon pages internally up to ``limit``)."""
        self._ensure_connected()
        result = self._run(
            self._client.get_messages(
                self._peer(channel),
                limit=limit,
                min_id=min_id,
                max_id=max_id,
                offset_date=offset_date,
                reverse=reverse,
            )
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
                self._run(self._client.disconnect())
            else:
                self._client.session.close()
        finally:
            self._connected = False
            self._loop.close()


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
