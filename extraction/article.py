"""Article pages: decode bytes, extract main text and metadata (trafilatura), repair and clean the text.

Pure functions, no IO. Cleaning removes inline promotions (``CLICK HERE TO GET THE <OUTLET> APP``) and
cross-links (an all-caps headline of another story standing alone as a paragraph, ``Read more: ...``); the
removed lines are returned so nothing is thrown away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ftfy

from extraction.encoding import charset_from_headers, codec_name, decode_declared
from extraction.normalise import clean_whitespace
from telefeed.models import Document

PAGE_EXTRACTOR_VERSION = "article-1"  # of the page-to-text cleaning (not of extraction.pipeline)

# A stand-alone all-caps paragraph needs this many letters and words to count as a headline (so "UPDATE:"
# or a lone acronym stays), and may be at most this long (longer all-caps blocks are left alone).
_HEADLINE_MIN_LETTERS = 12
_HEADLINE_MIN_WORDS = 3
_HEADLINE_MAX_CHARS = 220
_HEADLINE_UPPER_SHARE = 0.9
_PROMO_MAX_CHARS = 200
MIN_TEXT_CHARS = 25  # less main text than this is a navigation or error page, not an article

# Lines that are promotions or cross-links whatever their case. Anchored at the start of the line.
_PROMO_PATTERNS = [
    r"(click|tap) here\b",
    r"(get|download) (the|our) .{0,60}\bapp\b",
    r"(sign up|subscribe) (for|to|now)\b",
    r"follow us on\b",
    r"(read|see) (more|also)\s*[:|-]",
    r"related\s*[:|-]",
    r"also read\s*[:|-]?",
    r"watch\s*[:|-]",
    r"(advertisement|sponsored( content)?)$",
    r"читайте (также|еще|ещё|нас)\b",
    r"подписывайтесь\b",
    r"подпишитесь\b",
    r"смотрите также\b",
    r"реклама$",
    r"читайте (також|нас)\b",
    r"підписуйтесь\b",
    r"підпишіться\b",
    r"дивіться також\b",
]
_PROMO_RE = re.compile(r"^\W{0,3}(?:" + "|".join(_PROMO_PATTERNS) + ")", re.IGNORECASE)
# An inline app/newsletter promotion anywhere in a short all-caps line.
_PROMO_ANYWHERE_RE = re.compile(r"\b(CLICK HERE|GET THE .{1,40} APP|SIGN UP|SUBSCRIBE|NEWSLETTER)\b")

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_DEFAULT_CHARSETS = {"iso8859-1", "cp1252", "ascii"}


@dataclass(slots=True)
class ExtractedArticle:
    """Main text and metadata of one page."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    site_name: str | None = None
    language: str | None = None  # as the page declares it (html lang / meta), not detected
    description: str | None = None
    canonical_url: str | None = None
    removed_lines: list[str] = field(default_factory=list)
    encoding: str | None = None

    def metadata(self) -> dict[str, Any]:
        """Page metadata worth keeping on the document (JSON-ready, no empty values)."""
        data = {
            "site_name": self.site_name,
            "page_language": self.language,
            "description": self.description,
            "canonical_url": self.canonical_url,
            "encoding": self.encoding,
            "extractor_version": PAGE_EXTRACTOR_VERSION,
        }
        return {k: v for k, v in data.items() if v}


class ExtractionError(ValueError):
    """No main text could be found on the page; the message says why."""


# -- decoding ----------------------------------------------------------------------------------------------------


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, encoding used).

    Order: byte-order mark, ``Content-Type`` charset, ``<meta charset>`` in the first 4 KB, UTF-8 if it
    decodes cleanly, then charset detection (charset_normalizer, which tells windows-1251 from KOI8-R).
    A declared charset that does not decode the bytes, or gives mojibake, is ignored
    (:func:`extraction.encoding.decode_declared`).
    """
    meta = _META_CHARSET_RE.search(body[:4096])
    from_header = charset_from_headers(headers)
    from_meta = codec_name(meta.group(1).decode("ascii", "ignore")) if meta else None
    # Servers often send a default Western charset whatever the page says; the page's own <meta> is then better.
    declared = [from_meta, from_header] if from_header in _DEFAULT_CHARSETS else [from_header, from_meta]
    return decode_declared(body, declared)


# -- cleaning ----------------------------------------------------------------------------------------------------


def repair_text(text: str) -> str:
    """Fix mojibake and odd Unicode (ftfy; typographic quotes are kept), NFC-normalise, clean whitespace."""
    return clean_whitespace(ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False))


def is_promo_line(line: str) -> bool:
    """True for an inline promotion or cross-link line (``CLICK HERE TO GET THE X APP``, ``Read more: ...``)."""
    stripped = line.strip()
    if not stripped or len(stripped) > _PROMO_MAX_CHARS:
        return False
    if _PROMO_RE.match(stripped):
        return True
    return _is_mostly_upper(stripped) and bool(_PROMO_ANYWHERE_RE.search(stripped))


def _is_mostly_upper(line: str) -> bool:
    cased = [c for c in line if c.isalpha() and (c.isupper() or c.islower())]
    if len(cased) < _HEADLINE_MIN_LETTERS:
        return False
    return sum(c.isupper() for c in cased) / len(cased) >= _HEADLINE_UPPER_SHARE


def is_standalone_headline(line: str) -> bool:
    """True for an all-caps headline of another story standing alone as a paragraph.

    Paragraphs that merely contain capitals (acronyms, a shouted quote inside a sentence) have a clear share
    of lower-case letters and stay.
    """
    stripped = line.strip()
    if len(stripped) > _HEADLINE_MAX_CHARS:
        return False
    words = [w for w in stripped.split() if any(c.isalpha() for c in w)]
    return len(words) >= _HEADLINE_MIN_WORDS and _is_mostly_upper(stripped)


def remove_promotions(text: str) -> tuple[str, list[str]]:
    """Drop promo and stand-alone headline paragraphs; returns (kept text, removed lines in order)."""
    kept: list[str] = []
    removed: list[str] = []
    for line in text.split("\n"):
        if is_promo_line(line) or is_standalone_headline(line):
            removed.append(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), removed


def clean_text(text: str) -> tuple[str, list[str]]:
    """Repair, normalise and de-promote a text; returns (clean text, removed lines)."""
    kept, removed = remove_promotions(repair_text(text))
    return clean_whitespace(kept), removed


# -- extraction --------------------------------------------------------------------------------------------------


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _page_language(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", html[:5000], re.IGNORECASE)
    return match.group(1).lower() if match else None


def _none_if_blank(value: object) -> str | None:
    if value is None:
        return None
    text = repair_text(str(value))
    return text or None


def extract_article(html: str, url: str | None = None) -> ExtractedArticle:
    """Extract the main text and metadata of an HTML page, then clean the text.

    Raises:
        ExtractionError: trafilatura found no main text.
    """
    import trafilatura

    if not html.strip():
        raise ExtractionError("empty page")
    result: Any = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        deduplicate=False,
    )
    raw_text = getattr(result, "text", None) if result is not None else None
    if not raw_text or not str(raw_text).strip():
        raise ExtractionError("no main text found on the page")
    assert result is not None
    text, removed = clean_text(str(raw_text))
    title = _none_if_blank(result.title)
    if title and text.split("\n", 1)[0].strip() == title:  # the page's <h1> repeats the title
        text = text.split("\n", 1)[1] if "\n" in text else ""
    if not text:
        raise ExtractionError("page text was entirely promotions or headlines")
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"main text too short ({len(text)} characters): not an article page")
    ld = _json_ld_article(html)
    # trafilatura's date is a day (YYYY-MM-DD); prefer a full timestamp from JSON-LD or article:published_time.
    published = (
        _parse_date(ld.get("datePublished"))
        or _parse_date(_meta_content(html, "article:published_time"))
        or _parse_date(result.date)
    )
    return ExtractedArticle(
        text=text,
        title=title,
        author=_json_ld_author(ld) or _none_if_blank(result.author),
        published_at=published,
        site_name=_none_if_blank(result.sitename),
        language=(str(result.language).split("-")[0].lower() if result.language else None) or _page_language(html),
        description=_none_if_blank(result.description),
        canonical_url=str(result.url) if result.url else None,
        removed_lines=removed,
    )


_LD_RE = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_LD_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}


def _json_ld_article(html: str) -> dict[str, Any]:
    """The first schema.org article object in the page's JSON-LD blocks (empty when there is none)."""
    for block in _LD_RE.findall(html[:500_000]):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = set(kind) if isinstance(kind, list) else {kind}
                if kinds & _LD_ARTICLE_TYPES:
                    return item
                stack.extend(v for k, v in item.items() if k == "@graph")
    return {}


def _json_ld_author(ld: dict[str, Any]) -> str | None:
    authors = ld.get("author")
    items = authors if isinstance(authors, list) else [authors]
    names = [str(a.get("name")) if isinstance(a, dict) else str(a) for a in items if a]
    names = [n.strip() for n in names if n and n.strip() and n != "None"]
    return "; ".join(dict.fromkeys(names)) or None


def _meta_content(html: str, prop: str) -> str | None:
    pattern = r"<meta[^>]+(?:property|name)\s*=\s*[\"']" + re.escape(prop) + r"[\"'][^>]*content\s*=\s*[\"']([^\"']+)"
    match = re.search(pattern, html[:200_000], re.IGNORECASE)
    return match.group(1) if match else None


def extract_article_bytes(
    body: bytes, headers: Mapping[str, str] | None = None, url: str | None = None
) -> ExtractedArticle:
    """Decode page bytes (see :func:`decode_html`) and extract the article."""
    html, encoding = decode_html(body, headers)
    article = extract_article(html, url)
    article.encoding = encoding
    return article


def apply_article(doc: Document, article: ExtractedArticle, final_url: str | None) -> None:
    """Make ``doc`` (built from a feed entry) the article: page text, removed lines and page metadata.

    The feed's text is kept as ``summary``; the feed's title, author and date win over the page's (feeds are
    cleaner), the page's fill the gaps. How the fetch went is not the document's business (``page_fetches``).
    """
    doc.summary = doc.summary or doc.text or None
    doc.text = article.text
    doc.removed_lines = article.removed_lines
    doc.title = doc.title or article.title
    doc.author = doc.author or article.author
    doc.published_at = doc.published_at or article.published_at
    doc.metadata.update(article.metadata())
    doc.metadata["page_url"] = final_url or doc.url
