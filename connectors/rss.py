"""RSS/Atom feeds: fetch (conditional GET) and parse with feedparser into raw entry items."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import feedparser
import feedparser.sanitizer

from connectors.http import Fetcher, FetchLimits
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
    etag: str | None = None
    last_modified: str | None = None
    bozo_reason: str | None = None


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
    """Stable id of a feed entry: its guid/id, else its link, else a hash of title and date."""
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    title, published = entry.get("title"), entry.get("published") or entry.get("updated")
    if title:
        return "sha256:" + sha256_hex(canonical_json([title, published]))[:32]
    return None


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


def parse_feed(
    source: str, url: str, body: bytes, headers: Mapping[str, str] | None = None
) -> tuple[list[RawItem], list[Quarantined], dict[str, Any]]:
    """Parse feed bytes: entries that parse become raw items; entries without any identity are quarantined.

    Returns raw items, quarantine rows and feed-level info (title, language, bozo reason).
    """
    response_headers = dict(headers or {})
    response_headers.setdefault("content-location", url)
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=True)
    fetched_at = utc_now()
    info: dict[str, Any] = {
        "title": parsed.feed.get("title"),
        "language": parsed.feed.get("language"),
        "bozo_reason": _bozo_reason(parsed),
    }
    items: list[RawItem] = []
    quarantine: list[Quarantined] = []
    if not parsed.entries and ((info["bozo_reason"] and not parsed.feed) or not parsed.version):
        why = info["bozo_reason"] = info["bozo_reason"] or "not an RSS or Atom feed (e.g. an HTML page)"
        quarantine.append(
            Quarantined(
                source=source,
                external_id=None,
                stage="parse",
                reason=f"feed could not be parsed: {why}",
                payload=body[:1_000_000].decode("utf-8", "replace"),
            )
        )
        return items, quarantine, info
    for entry in parsed.entries:
        payload = {k: _jsonable(entry[k]) for k in _ENTRY_FIELDS if k in entry}
        payload["feed"] = {"title": info["title"], "language": info["language"], "url": url}
        external_id = entry_external_id(entry)
        if external_id is None:
            quarantine.append(
                Quarantined(
                    source=source,
                    external_id=None,
                    stage="parse",
                    reason="entry has no id, link or title",
                    payload=canonical_json(payload),
                )
            )
            continue
        items.append(RawItem(source, external_id, ITEM_KIND, payload, fetched_at))
    return items, quarantine, info


def read_feed(
    source: str,
    url: str,
    fetcher: Fetcher,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
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
        raw_items=items,
        quarantine=quarantine,
        etag=result.etag,
        last_modified=result.last_modified,
        bozo_reason=info["bozo_reason"],
    )
