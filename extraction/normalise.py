"""Normalise raw items into documents. Pure: no IO."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from telefeed.models import Document, Quarantined, RawItem, canonical_json

MAX_TITLE_CHARS = 1_000


class NormaliseError(ValueError):
    """The item cannot become a document; the message is the quarantine reason."""


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one paragraph per line."""
    if "<" not in html:
        return clean_whitespace(html)
    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with("\n")
    for node in tree.css("p, div, li, h1, h2, h3, h4, blockquote"):
        node.insert_after("\n")
    body = tree.body or tree.root
    return clean_whitespace(body.text(separator="") if body is not None else "")


# Apostrophes as they are typed: ASCII ', the typographic ’ (U+2019) and ‘ (U+2018), the Ukrainian letter
# apostrophe ʼ (U+02BC) and the backtick.
_APOSTROPHES = str.maketrans(dict.fromkeys("’ʼ`‘", "'"))


def fold_apostrophes(text: str) -> str:
    """Write every apostrophe as ``'`` (``’``, ``ʼ``, ````` and ``‘`` alike); the length stays the same."""
    return text.translate(_APOSTROPHES)


def clean_whitespace(text: str) -> str:
    """NFC-normalise, collapse runs of spaces inside lines, drop empty lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def epoch_to_utc(value: Any) -> datetime | None:
    """Seconds since the epoch (as stored in raw payloads) to an aware UTC datetime."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _entry_text(payload: Mapping[str, Any]) -> str:
    contents = payload.get("content") or []
    for content in contents:
        if isinstance(content, Mapping) and content.get("value"):
            return html_to_text(str(content["value"]))
    summary = payload.get("summary")
    return html_to_text(str(summary)) if summary else ""


def rss_entry_to_document(item: RawItem) -> Document:
    """Map one ``rss_entry`` raw item to an article document (text is the feed's summary or content).

    Raises:
        NormaliseError: the entry has neither text nor title, or a title that is not text.
    """
    payload = item.payload
    title_raw = payload.get("title")
    if title_raw is not None and not isinstance(title_raw, str):
        raise NormaliseError(f"title is not text: {type(title_raw).__name__}")
    title = html_to_text(title_raw) if title_raw else None
    if title and len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS].rstrip() + "…"
    text = _entry_text(payload)
    if not text and not title:
        raise NormaliseError("entry has neither text nor title")
    published = epoch_to_utc(payload.get("published_parsed")) or epoch_to_utc(payload.get("updated_parsed"))
    metadata: dict[str, Any] = {"feed_title": (payload.get("feed") or {}).get("title")}
    raw_date = payload.get("published") or payload.get("updated")
    if published is None and raw_date:
        metadata["unparsed_date"] = str(raw_date)[:200]
    tags = [t.get("term") for t in payload.get("tags") or [] if isinstance(t, Mapping) and t.get("term")]
    if tags:
        metadata["tags"] = tags
    link = payload.get("link")
    language = payload.get("language") or (payload.get("feed") or {}).get("language")
    return Document(
        source=item.source,
        kind="article",
        external_id=item.external_id,
        text=text or title or "",
        url=str(link) if link else None,
        title=title,
        author=str(payload["author"]) if payload.get("author") else None,
        published_at=published,
        language=str(language).split("-")[0].lower() if language else None,
        summary=text or None,
        metadata=metadata,
    )


def normalise_items(
    items: Iterable[RawItem], mapper: Any = rss_entry_to_document
) -> tuple[list[Document], list[Quarantined]]:
    """Map raw items with ``mapper``; failures become quarantine rows instead of stopping the batch."""
    documents: list[Document] = []
    quarantine: list[Quarantined] = []
    for item in items:
        try:
            documents.append(mapper(item))
        except (NormaliseError, ValueError, TypeError, KeyError) as exc:
            quarantine.append(
                Quarantined(
                    source=item.source,
                    external_id=item.external_id,
                    stage="normalise",
                    reason=f"{type(exc).__name__}: {exc}",
                    payload=canonical_json(item.payload),
                )
            )
    return documents, quarantine
