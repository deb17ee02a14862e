"""Links, @mentions, hashtags and references to Telegram channels and posts.

``telegram_refs`` come from the text: a ``t.me`` link (channel, and post id when the link has one), an
``@name`` mention, or the name of a channel that exists among the known Telegram sources (``known_channels``:
channel username -> display names, passed in as data). A Telegram post's metadata adds what its text does not
show (:func:`metadata_links`): hidden link URLs (``text_link`` entities, at the span of their anchor text), the
link preview's URL and the forward source (not in the text: at the offsets ``PREVIEW_OFFSET`` and
``FORWARD_OFFSET``, negative, so they never collide with a span of the text).
Matching a reference to a stored post (same channel, time window, shared quote or entities) happens in the
warehouse (``warehouse.extraction``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_URL_RE = re.compile(
    r"(?:https?://|(?<![\w@/.])www\.|(?<![\w@/.])(?:t|telegram)\.me/)[^\s<>\"«»“”'`]+",
    re.IGNORECASE,
)
_MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
_TRAILING = ".,;:!?)]}»”'"
# Offsets (start = end) of what a post's metadata holds outside its text; negative so that
# (document_id, start_char) stays a key of ``links`` and ``telegram_refs``.
PREVIEW_OFFSET = -1
FORWARD_OFFSET = -2
_TME_RESERVED = {"s", "c", "joinchat", "addstickers", "share", "proxy", "socks", "iv", "addlist", "boost", "login"}


@dataclass(slots=True)
class Link:
    """A URL, t.me link, @mention or hashtag: ``kind``, text as written, normalised ``target`` and offsets."""

    kind: str  # "url" | "telegram" | "mention" | "hashtag"
    value: str
    target: str
    start: int
    end: int


@dataclass(slots=True)
class TelegramRef:
    """A reference to a Telegram channel (and post, when the link names one)."""

    channel: str
    post_id: int | None
    via: str  # "link" | "mention" | "name" | "text_link" | "link_preview" | "forward"
    value: str
    start: int
    end: int


def parse_tme(url: str) -> tuple[str, int | None] | None:
    """``(channel, post id or None)`` for a t.me / telegram.me link, None for invites and other pages."""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.hostname not in ("t.me", "telegram.me", "www.t.me"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    if segments[0] == "s":
        segments = segments[1:]
    elif segments[0] == "c" and len(segments) >= 2 and segments[1].isdigit():
        post = int(segments[2]) if len(segments) > 2 and segments[2].isdigit() else None
        return segments[1], post
    if not segments or segments[0].lower() in _TME_RESERVED or segments[0].startswith("+"):
        return None
    channel = segments[0].lower()
    if not re.fullmatch(r"[a-z][a-z0-9_]{3,31}", channel):
        return None
    post_id = int(segments[1]) if len(segments) > 1 and segments[1].isdigit() else None
    return channel, post_id


def _normalise_url(url: str) -> str:
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{parts.scheme.lower()}://{host}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def extract_links(text: str) -> list[Link]:
    """Every URL, t.me link, @mention and hashtag in ``text``, in order."""
    links: list[Link] = []
    for match in _URL_RE.finditer(text):
        value = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(value)
        tme = parse_tme(value)
        if tme is not None or re.match(r"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/", value, re.IGNORECASE):
            target = f"{tme[0]}/{tme[1]}" if tme and tme[1] is not None else (tme[0] if tme else value)
            links.append(Link("telegram", value, target, start, end))
        else:
            links.append(Link("url", value, _normalise_url(value), start, end))
    covered = [(link.start, link.end) for link in links]
    for match in _MENTION_RE.finditer(text):
        if any(s <= match.start() < e for s, e in covered):
            continue
        links.append(Link("mention", match.group(0), match.group(1).lower(), match.start(), match.end()))
    for match in _HASHTAG_RE.finditer(text):
        if any(s <= match.start() < e for s, e in covered):
            continue
        links.append(Link("hashtag", match.group(0), match.group(1).lower(), match.start(), match.end()))
    links.sort(key=lambda link: link.start)
    return links


def telegram_refs(
    text: str, links: Sequence[Link], known_channels: Mapping[str, Sequence[str]] | None = None
) -> list[TelegramRef]:
    """References to Telegram channels: t.me links, @mentions and names of known channels.

    Args:
        text: the document text.
        links: ``extract_links(text)``.
        known_channels: channel username (lower case) -> names it goes by (title, source name); an ``@name``
            mention counts for any channel, a plain name only for these.
    """
    refs: list[TelegramRef] = []
    for link in links:
        if link.kind == "telegram":
            parsed = parse_tme(link.value)
            if parsed is not None:
                refs.append(TelegramRef(parsed[0], parsed[1], "link", link.value, link.start, link.end))
        elif link.kind == "mention":
            refs.append(TelegramRef(link.target, None, "mention", link.value, link.start, link.end))
    taken = [(r.start, r.end) for r in refs]
    for channel, names in (known_channels or {}).items():
        for name in sorted({n for n in names if n and len(n) >= 4}, key=len, reverse=True):
            for match in re.finditer(r"(?<![\w@/#-])" + re.escape(name) + r"(?![\w-])", text, re.IGNORECASE):
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                refs.append(TelegramRef(channel.lower(), None, "name", match.group(0), match.start(), match.end()))
                taken.append((match.start(), match.end()))
    refs.sort(key=lambda r: r.start)
    return refs


def _utf16_to_index(text: str, units: int) -> int:
    """The ``str`` index at ``units`` UTF-16 code units into ``text`` (Telegram entity offsets count those)."""
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _url_link(url: str, start: int, end: int) -> Link:
    tme = parse_tme(url)
    if tme is not None:
        return Link("telegram", url, f"{tme[0]}/{tme[1]}" if tme[1] is not None else tme[0], start, end)
    return Link("url", url, _normalise_url(url), start, end)


def _channel_by_name(name: str, known_channels: Mapping[str, Sequence[str]] | None) -> str | None:
    wanted = name.casefold()
    for channel, names in (known_channels or {}).items():
        if any(n and n.casefold() == wanted for n in names):
            return channel.lower()
    return None


def metadata_links(
    text: str,
    metadata: Mapping[str, Any] | None,
    known_channels: Mapping[str, Sequence[str]] | None = None,
    text_links: Sequence[Link] = (),
) -> tuple[list[Link], list[TelegramRef]]:
    """Links and Telegram references a post's metadata holds beyond its text.

    Hidden links (``text_link`` entities) keep the span of their anchor text (``via = "text_link"``; one starting
    where a link of ``text_links`` starts is left out); the link preview's URL (``via = "link_preview"``, at
    ``PREVIEW_OFFSET``, unless the text already links it) and the forward source (``via = "forward"``, at
    ``FORWARD_OFFSET``: channel username, else a known channel going by the forward's name, else the channel id).
    """
    if not metadata:
        return [], []
    links: list[Link] = []
    refs: list[TelegramRef] = []
    taken = {link.start for link in text_links}
    for entity in metadata.get("entities") or []:
        if entity.get("type") != "text_link" or not entity.get("url"):
            continue
        start = _utf16_to_index(text, int(entity.get("offset", 0)))
        end = _utf16_to_index(text, int(entity.get("offset", 0)) + int(entity.get("length", 0)))
        if start not in taken:
            taken.add(start)
            links.append(_url_link(str(entity["url"]), start, end))
    preview_url = (metadata.get("link_preview") or {}).get("url")
    linked = {_normalise_url(link.value) for link in [*text_links, *links] if link.kind in ("url", "telegram")}
    if preview_url and _normalise_url(str(preview_url)) not in linked:
        links.append(_url_link(str(preview_url), PREVIEW_OFFSET, PREVIEW_OFFSET))
    for link in links:
        tme = parse_tme(link.value) if link.kind == "telegram" else None
        if tme is not None:
            via = "link_preview" if link.start == PREVIEW_OFFSET else "text_link"
            refs.append(TelegramRef(tme[0], tme[1], via, link.value, link.start, link.end))
    fwd = metadata.get("fwd_from") or {}
    channel = fwd.get("username") or _channel_by_name(str(fwd.get("name") or ""), known_channels)
    if channel is None and fwd.get("channel_id"):
        channel = str(fwd["channel_id"])
    if channel:
        post = fwd.get("message_id")
        value = f"https://t.me/{channel}/{post}" if post is not None else f"https://t.me/{channel}"
        if str(channel).isdigit():
            value = f"https://t.me/c/{channel}/{post}" if post is not None else f"https://t.me/c/{channel}"
        target = f"{channel}/{post}" if post is not None else str(channel)
        links.append(Link("telegram", value, target, FORWARD_OFFSET, FORWARD_OFFSET))
        refs.append(
            TelegramRef(
                str(channel).lower(), post, "forward", str(fwd.get("name") or value), FORWARD_OFFSET, FORWARD_OFFSET
            )
        )
    return links, refs
