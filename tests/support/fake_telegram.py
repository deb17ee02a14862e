"""A fake Telegram client serving real ``telethon.tl.types.Message`` objects, and the test channel's posts.

``FakeTelegramClient`` implements ``connectors.telegram.TelegramClientProtocol`` with Telethon's semantics
for ``min_id``/``max_id`` (exclusive), ``offset_date`` and ``reverse``; it can raise ``FloodWaitError`` on
chosen calls and records every call. ``severny_vestnik_messages()`` builds the channel that
``tests/fixtures/telegram/preview`` and ``tests/fixtures/telegram/export`` show through the other two paths.
The scripted Telegram server for the live client (``ScriptedTelegram``) is ``connectors.telegram_snapshot``'s,
re-exported here with ``channel_entity`` to build its channels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from telethon import utils
from telethon._updates import EntityCache
from telethon.errors import FloodWaitError
from telethon.tl.custom.forward import Forward
from telethon.tl.types import (
    Channel,
    ChatPhotoEmpty,
    Document,
    DocumentAttributeFilename,
    DocumentAttributeVideo,
    Message,
    MessageActionPinMessage,
    MessageEntityHashtag,
    MessageEntityMention,
    MessageEntityTextUrl,
    MessageEntityUrl,
    MessageFwdHeader,
    MessageMediaDocument,
    MessageMediaPhoto,
    MessageReactions,
    MessageReplies,
    MessageReplyHeader,
    MessageService,
    PeerChannel,
    Photo,
    PhotoSize,
    ReactionCount,
    ReactionEmoji,
)

from connectors.telegram import IDS_PER_CALL, ChannelRef, MessageWindow
from connectors.telegram_snapshot import ScriptedChannel as ScriptedChannel  # the scripted server lives in the package
from connectors.telegram_snapshot import ScriptedTelegram as ScriptedTelegram
from connectors.telegram_snapshot import scripted_telethon as scripted_telethon

CHANNEL_ID = 1500000001
CHANNEL_USERNAME = "severny_vestnik"
CHANNEL_TITLE = "Северный вестник"
OTHER_ID = 1600000002
BASE_DATE = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def utf16_offset(text: str, part: str) -> tuple[int, int]:
    """(offset, length) of ``part`` in ``text`` in UTF-16 code units."""
    index = text.index(part)
    return len(text[:index].encode("utf-16-le")) // 2, len(part.encode("utf-16-le")) // 2


# A Telethon entity of a post: its class (or a partial giving its other fields, e.g. a text link's url) and the part
# of the post's text it covers.
Mark = tuple[Callable[..., Any], str]


def _photo(photo_id: int) -> MessageMediaPhoto:
    return MessageMediaPhoto(
        photo=Photo(
            id=photo_id,
            access_hash=photo_id * 7,
            file_reference=b"\x01\x02",
            date=BASE_DATE,
            sizes=[PhotoSize(type="m", w=320, h=240, size=20_000), PhotoSize(type="y", w=1280, h=960, size=180_000)],
            dc_id=2,
        )
    )


def _video() -> MessageMediaDocument:
    return MessageMediaDocument(
        document=Document(
            id=9001,
            access_hash=11,
            file_reference=b"\x03",
            date=BASE_DATE,
            mime_type="video/mp4",
            size=5_000_000,
            dc_id=2,
            attributes=[
                DocumentAttributeVideo(duration=42, w=1280, h=720),
                DocumentAttributeFilename(file_name="bridge.mp4"),
            ],
        )
    )


def _attach_forward_chat(message: Message) -> None:
    """What Telethon does with the chats of a response: make ``message.forward.chat`` available."""
    other = Channel(
        id=OTHER_ID,
        title="Other News",
        photo=ChatPhotoEmpty(),
        date=BASE_DATE,
        username="other_news",
        access_hash=5,
    )
    client = SimpleNamespace(_mb_entity_cache=EntityCache())
    message._forward = Forward(client, message.fwd_from, {utils.get_peer_id(PeerChannel(OTHER_ID)): other})


TEXT_101 = "Срочно: в Северске восстановили электроснабжение. Подробности: https://example.org/news/101 #Северск"
TEXT_102 = "Оновлення від @kyiv_monitor: графік відключень на завтра. Дивіться тут."
TEXT_103 = "Фото з місця подій #Харків"
TEXT_106 = "Переслано: ситуация на фронте стабильная."
TEXT_107 = "🚨 Внимание! Смотрите https://example.org/alerts и пишите @sever_bot"
TEXT_109 = "Відео: ремонт мосту"


def channel_post(
    message_id: int,
    date: datetime,
    text: str = "",
    *,
    channel_id: int = CHANNEL_ID,
    marks: Sequence[Mark] = (),
    **fields: Any,
) -> Message:
    """A channel's post (the test channel's by default): Telethon's ``Message`` with ``post=True``, its entities
    placed on ``text`` from ``marks``; ``fields`` are its other fields."""
    entities = [cls(*utf16_offset(text, part)) for cls, part in marks] or None
    return Message(
        id=message_id, peer_id=PeerChannel(channel_id), date=date, message=text, post=True, entities=entities, **fields
    )


def severny_vestnik_messages() -> list[Any]:
    """Messages 101..109 of the test channel (103-105 an album, 108 a service message), oldest first."""
    peer = PeerChannel(CHANNEL_ID)

    def at(minutes: int) -> datetime:
        return BASE_DATE + timedelta(minutes=minutes)

    messages: list[Any] = [
        channel_post(
            101,
            at(0),
            TEXT_101,
            marks=[(MessageEntityUrl, "https://example.org/news/101"), (MessageEntityHashtag, "#Северск")],
            views=845,
            forwards=3,
        ),
        channel_post(
            102,
            at(10),
            TEXT_102,
            marks=[
                (MessageEntityMention, "@kyiv_monitor"),
                (partial(MessageEntityTextUrl, url="https://example.com/grafik"), "тут"),
            ],
            views=910,
            forwards=1,
            reactions=MessageReactions(
                results=[
                    ReactionCount(reaction=ReactionEmoji(emoticon="👍"), count=12),
                    ReactionCount(reaction=ReactionEmoji(emoticon="🔥"), count=3),
                ]
            ),
        ),
    ]
    for offset, mid in enumerate((103, 104, 105)):
        messages.append(
            channel_post(
                mid,
                at(20),
                TEXT_103 if mid == 103 else "",
                marks=[(MessageEntityHashtag, "#Харків")] if mid == 103 else (),
                media=_photo(7000 + offset),
                grouped_id=424242,
                views=700,
                reactions=(
                    MessageReactions(results=[ReactionCount(reaction=ReactionEmoji(emoticon="❤"), count=5)])
                    if mid == 103
                    else None
                ),
            )
        )
    forwarded = channel_post(
        106,
        at(30),
        TEXT_106,
        fwd_from=MessageFwdHeader(date=at(-60), from_id=PeerChannel(OTHER_ID), channel_post=4321),
        views=640,
        forwards=7,
    )
    _attach_forward_chat(forwarded)
    messages.append(forwarded)
    messages.append(
        channel_post(
            107,
            at(40),
            TEXT_107,
            marks=[(MessageEntityUrl, "https://example.org/alerts"), (MessageEntityMention, "@sever_bot")],
            reply_to=MessageReplyHeader(reply_to_msg_id=101),
            replies=MessageReplies(replies=4, replies_pts=77),
            views=580,
        )
    )
    messages.append(MessageService(id=108, peer_id=peer, date=at(45), action=MessageActionPinMessage()))
    messages.append(channel_post(109, at(50), TEXT_109, media=_video(), views=300))
    return messages


def numbered_messages(count: int, start_id: int = 1, grouped: dict[int, int] | None = None) -> list[Message]:
    """``count`` plain text posts with consecutive ids (``grouped`` maps id -> grouped_id for albums)."""
    out = []
    for mid in range(start_id, start_id + count):
        gid = (grouped or {}).get(mid)
        date = BASE_DATE + timedelta(minutes=mid)
        out.append(
            channel_post(
                mid, date, f"Сообщение номер {mid}", views=10 + mid, grouped_id=gid, media=_photo(mid) if gid else None
            )
        )
    return out


def edited(message: Message, text: str, when: datetime) -> Message:
    """A copy of ``message`` as Telegram returns it after an edit."""
    return Message(
        id=message.id,
        peer_id=message.peer_id,
        date=message.date,
        message=text,
        post=True,
        views=(message.views or 0) + 100,
        edit_date=when,
        grouped_id=message.grouped_id,
        media=message.media,
    )


@dataclass
class FakeCall:
    """One recorded call."""

    name: str
    kwargs: dict[str, Any]


@dataclass
class FakeTelegramClient:
    """In-memory Telegram: one channel's messages, scripted flood waits and media failures, recorded calls."""

    messages: list[Any]
    channel: ChannelRef = field(
        default_factory=lambda: ChannelRef(CHANNEL_ID, 987654321, CHANNEL_USERNAME, CHANNEL_TITLE)
    )
    flood_on_calls: dict[int, int] = field(default_factory=dict)  # fetch call number (1-based) -> seconds
    flood_on_resolve: int | None = None  # seconds of the flood wait every channel resolution answers
    media_error: OSError | None = None  # raised by every media download instead of writing the file
    calls: list[FakeCall] = field(default_factory=list)
    closed: bool = False
    comments: dict[int, list[Any]] = field(default_factory=dict)  # post id -> its discussion thread

    def _maybe_flood(self) -> None:
        number = len([c for c in self.calls if c.name.startswith("fetch_")])
        seconds = self.flood_on_calls.pop(number, None)
        if seconds is not None:
            raise FloodWaitError(request=None, capture=seconds)

    def resolve_channel(self, channel: str) -> ChannelRef:
        """Resolve the one channel this fake knows."""
        self.calls.append(FakeCall("resolve_channel", {"channel": channel}))
        if self.flood_on_resolve is not None:
            raise FloodWaitError(request=None, capture=self.flood_on_resolve)
        if channel.lower() not in (CHANNEL_USERNAME, str(CHANNEL_ID)):
            raise ValueError(f"No user has {channel!r} as username")
        return self.channel

    def fetch_messages(self, channel: ChannelRef, window: MessageWindow) -> Sequence[Any]:
        """Record the call (it may raise a scripted flood wait) and return :meth:`select`'s messages."""
        self.calls.append(FakeCall("fetch_messages", window.as_kwargs()))
        self._maybe_flood()
        assert channel.channel_id == self.channel.channel_id
        return self.select(window.limit, window.min_id, window.max_id, window.offset_date, window.reverse)

    def select(self, limit: int, min_id: int, max_id: int, offset_date: datetime | None, reverse: bool) -> list[Any]:
        """Telethon's ``get_messages`` semantics over the in-memory list."""
        selected = [m for m in self.messages if m.id > min_id and (not max_id or m.id < max_id)]
        if offset_date is not None:
            selected = [m for m in selected if (m.date > offset_date if reverse else m.date < offset_date)]
        selected.sort(key=lambda m: m.id, reverse=not reverse)
        return selected[:limit]

    def fetch_by_ids(self, channel: ChannelRef, ids: Sequence[int]) -> Sequence[Any | None]:
        """Telethon's ``get_messages(ids=...)``: the messages in order, None for the deleted ones."""
        self.calls.append(FakeCall("fetch_by_ids", {"ids": list(ids)}))
        self._maybe_flood()
        assert channel.channel_id == self.channel.channel_id
        assert len(ids) <= IDS_PER_CALL, "one channels.getMessages call takes at most 100 ids"
        by_id = {m.id: m for m in self.messages}
        return [by_id.get(i) for i in ids]

    def fetch_replies(self, channel: ChannelRef, post_id: int, *, min_id: int, limit: int) -> Sequence[Any]:
        """The comments on ``post_id`` above ``min_id``, oldest first."""
        self.calls.append(FakeCall("fetch_replies", {"post_id": post_id, "min_id": min_id, "limit": limit}))
        self._maybe_flood()
        thread = sorted((m for m in self.comments.get(post_id, []) if m.id > min_id), key=lambda m: m.id)
        return thread[:limit]

    def download_media(self, message: Any, target: str) -> str | None:
        """Write a small placeholder file for the message's media (or raise the scripted ``media_error``)."""
        self.calls.append(FakeCall("download_media", {"id": message.id}))
        if self.media_error is not None:
            raise self.media_error
        path = Path(target + (".mp4" if isinstance(message.media, MessageMediaDocument) else ".jpg"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"media of %d" % message.id)
        return str(path)

    def close(self) -> None:
        """Mark closed."""
        self.closed = True

    def replace(self, message: Any) -> None:
        """Swap in a new version of a message (an edit)."""
        self.messages = [message if m.id == message.id else m for m in self.messages]

    def delete(self, *ids: int) -> None:
        """The channel deletes messages ``ids``."""
        self.messages = [m for m in self.messages if m.id not in ids]

    def fetch_count(self) -> int:
        """How many fetch calls were made."""
        return len([c for c in self.calls if c.name.startswith("fetch_")])


# -- channels for the scripted Telegram (connectors.telegram_snapshot) ----------------------------------------------


def channel_entity(channel_id: int, username: str | None, title: str, access_hash: int = 987654321) -> Channel:
    """A Telethon ``Channel`` (broadcast, or a megagroup with ``megagroup=True`` set afterwards)."""
    return Channel(
        id=channel_id,
        title=title,
        photo=ChatPhotoEmpty(),
        date=BASE_DATE,
        username=username,
        access_hash=access_hash,
        broadcast=True,
    )
