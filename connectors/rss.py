"""RSS/Atom feeds: fetch (conditional GET) and parse with feedparser into raw entry items."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser
import feedparser.sanitizer

from connectors.http import Fetcher, HttpLimits
from extraction.encoding import charset_from_headers, codec_name, decode_declared
from telefeed.models import Quarantined, RawItem, canonical_json, sha256_hex, utc_now

ITEM_KIND = "rss_entry"
# Fields of a feedparser entry worth keeping in the raw layer (the rest is derived or duplicated).
_ENTRY_FIELDS = (
    "id",
    "link",
    "links",
    "title",
    "summary",
    "content",
    "author",
    "authors",
    "published",
    "updated",
    "published_parsed",
    "updated_parsed",
    "tags",
    "language",
)


@dataclass(slots=True)
class FeedFetch:
    """The outcome of reading one feed."""

    url: str
    not_modified: bool
    raw_items: list[RawItem] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)
    read_from: str | None = None  # the URL the feed was read from (after redirects)
    etag: str | None = None
    last_modified: str | None = None
    bozo_reason: str | None = None
    failed: str | None = None  # why nothing in the feed could be used (e.g. "empty feed"); its quarantine row says more
    encoding: str | None = None  # the detected charset, when the declared one was wrong


def _jsonable(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return calendar.timegm(value)  # seconds since epoch, UTC
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def entry_external_id(entry: Mapping[str, Any]) -> str | None:
    """Stable id of a feed entry, as the feed wrote it (never resolved against the feed's URL, which can change
    with a redirect or be a local path): its guid/id, else its link, else a hash of title and date, else a hash of
    its text and date. None for an entry with none of these."""
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    title, published = entry.get("title"), entry.get("published") or entry.get("updated")
    if title:
        return "sha256:" + sha256_hex(canonical_json([title, published]))[:32]
    text = _entry_text(entry)
    if text:
        return "sha256:" + sha256_hex(canonical_json([None, published, text]))[:32]
    return None


def _entry_text(entry: Mapping[str, Any]) -> str | None:
    contents = entry.get("content") or []
    values = [c.get("value") for c in contents if isinstance(c, Mapping) and c.get("value")]
    summary = entry.get("summary")
    text = values[0] if values else summary
    return text.strip() if isinstance(text, str) and text.strip() else None


def _resolve_links(entry: Mapping[str, Any], base: str) -> None:
    """Make the entry's links absolute against the URL the feed was read from (ids stay as written)."""
    if isinstance(entry.get("link"), str):
        entry["link"] = urljoin(base, entry["link"])  # type: ignore[index]
    for link in entry.get("links") or []:
        if isinstance(link, dict) and isinstance(link.get("href"), str):
            link["href"] = urljoin(base, link["href"])


def _newest_first(payload: Mapping[str, Any]) -> int:
    """Sort key: the latest of the entry's updated / published times first (entries without one last)."""
    stamps = [payload.get(k) for k in ("updated_parsed", "published_parsed")]
    return -max((int(s) for s in stamps if isinstance(s, int | float)), default=0)


# feedparser keeps the internal DTD's "safe" entity declarations and, when the strict parser refuses the feed
# (expat stops entity amplification), its loose parser expands them itself: a 50 KB entity referenced 2,000 times
# becomes 100 MB of text. Only character references and short plain values stay "safe" (at most a few times the
# reference's own size); any other declared entity is left unexpanded. Checked by the ill-formed feed corpus.
if not hasattr(feedparser.sanitizer, "RE_SAFE_ENTITY_PATTERN"):  # pragma: no cover - guards a feedparser upgrade
    raise ImportError("feedparser changed: review the entity defusing in connectors/rss.py")
feedparser.sanitizer.RE_SAFE_ENTITY_PATTERN = re.compile(rb'\s+(\w+)\s+"(&#\w+;|[^&"]{0,16})"')

# feedparser flags these even for feeds that parse perfectly; they are not worth an error.
_BENIGN_BOZO = ("NonXMLContentType", "CharacterEncodingOverride")


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.bozo:
        return None
    exc = parsed.bozo_exception
    if type(exc).__name__ in _BENIGN_BOZO:
        return None
    return f"{type(exc).__name__}: {exc}"


EMPTY_FEED = "empty feed"
# Where a feed declares its charset: the XML declaration (the HTTP header is read from the response headers).
_XML_DECLARATION = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9_\-.:]+)(["'])""")


def feed_as_utf8(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str], str | None]:
    """When the feed's declared charset (header, then XML declaration; UTF-8 when none) does not decode its bytes
    or gives mojibake, the bytes re-encoded as UTF-8 from the detected charset, with the declarations saying so.

    Returns (body, headers, detected codec or None when the declaration was right and nothing changed).
    """
    declaration = _XML_DECLARATION.match(body[:200])
    declared = [charset_from_headers(headers), codec_name(declaration.group(2).decode()) if declaration else None]
    stated = next((c for c in declared if c), "utf-8")
    text, used = decode_declared(body, declared)
    if used == stated or used.startswith("utf-16") or body.isascii():
        return body, dict(headers), None
    utf8 = text.encode("utf-8")
    if declaration:
        utf8 = _XML_DECLARATION.sub(rb"\g<1>utf-8\g<3>", utf8, count=1)
    fixed = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    fixed["content-type"] = "application/xml; charset=utf-8"
    return utf8, fixed, used


def parse_feed(
    source: str, url: str, body: bytes, headers: Mapping[str, str] | None = None
) -> tuple[list[RawItem], list[Quarantined], dict[str, Any]]:
    """Parse feed bytes: entries that parse become raw items; entries without any identity are quarantined.

    Returns raw items, quarantine rows and feed-level info (title, language, bozo reason, ``failed``: why nothing
    in the feed could be used, e.g. an empty body). Entries sharing an id: the newest (latest updated/published
    time, then the first in the feed) is the raw item; each other distinct version is quarantined.
    """
    info: dict[str, Any] = {"title": None, "language": None, "bozo_reason": None, "failed": None, "encoding": None}
    if not body.strip():
        info["failed"] = EMPTY_FEED
        why = f"{EMPTY_FEED}: {len(body)} bytes"
        return [], [Quarantined(source, None, "parse", why, body.decode("latin-1"))], info
    body, response_headers, info["encoding"] = feed_as_utf8(body, headers or {})
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=True)
    fetched_at = utc_now()
    info.update(title=parsed.feed.get("title"), language=parsed.feed.get("language"), bozo_reason=_bozo_reason(parsed))
    items: list[RawItem] = []
    quarantine: list[Quarantined] = []
    if not parsed.entries and ((info["bozo_reason"] and not parsed.feed) or not parsed.get("version")):
        why = info["bozo_reason"] = info["bozo_reason"] or "not an RSS or Atom feed (e.g. an HTML page)"
        unparsed = body[:1_000_000].decode("utf-8", "replace")
        quarantine.append(Quarantined(source, None, "parse", f"feed could not be parsed: {why}", unparsed))
        return items, quarantine, info
    versions: dict[str, list[dict[str, Any]]] = {}
    for entry in parsed.entries:
        external_id = entry_external_id(entry)
        _resolve_links(entry, url)
        payload = {k: _jsonable(entry[k]) for k in _ENTRY_FIELDS if k in entry}
        payload["feed"] = {"title": info["title"], "language": info["language"], "url": url}
        if external_id is None:
            reason = "entry has no id, link, title or text"
            quarantine.append(Quarantined(source, None, "parse", reason, canonical_json(payload)))
            continue
        versions.setdefault(external_id, []).append(payload)
    for external_id, payloads in versions.items():
        distinct = list({canonical_json(p): p for p in payloads}.values())
        newest, *older = sorted(distinct, key=_newest_first)  # stable: equal times keep the feed's order
        items.append(RawItem(source, external_id, ITEM_KIND, newest, fetched_at))
        quarantine.extend(
            Quarantined(source, external_id, "parse", DUPLICATE_ID_REASON, canonical_json(p)) for p in older
        )
    return items, quarantine, info


DUPLICATE_ID_REASON = "duplicate id: an older version of an entry whose newest version landed"


def read_feed(
    source: str,
    url: str,
    fetcher: Fetcher,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: HttpLimits | None = None,
) -> FeedFetch:
    """Fetch ``url`` conditionally and parse it. Fetch errors propagate as ``FetchError``."""
    result = fetcher.fetch(url, etag=etag, last_modified=last_modified, limits=limits)
    if result.not_modified:
        return FeedFetch(
            url=url,
            not_modified=True,
            etag=result.etag or etag,
            last_modified=result.last_modified or last_modified,
        )
    items, quarantine, info = parse_feed(source, result.url, result.body, result.headers)
    return FeedFetch(
        url=url,
        not_modified=False,
        read_from=result.url,
        raw_items=items,
        quarantine=quarantine,
        etag=result.etag,
        last_modified=result.last_modified,
        bozo_reason=info["bozo_reason"],
        failed=info["failed"],
        encoding=info["encoding"],
    )
