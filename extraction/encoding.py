"""Decoding bytes whose declared charset may be wrong: feeds and article pages share it. Pure functions.

A declared charset is used when it decodes the bytes and the text it gives is plausible; a legacy (non-UTF)
charset that decodes everything is checked with charset_normalizer, so windows-1251 or KOI8-R bytes declared as
ISO-8859-1 (which would give "Âîéíà: íîâîñòè") are detected instead. Without a usable declaration: UTF-8 if the
bytes are valid UTF-8, else charset_normalizer's best guess.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping

from charset_normalizer import from_bytes

_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_UNICODE_CODECS = ("utf-8", "utf-16", "utf-32", "ascii")
_DETECTION_BYTES = 200_000  # charset detection reads at most this much of a body
# When detection finds several charsets equally plausible (short Western text fits cp1250 as well as cp1252), the
# one used most on the web wins; windows-1252 is also what browsers and feedparser assume for undeclared bytes.
# A declared charset loses to the detected one when its text is this much messier (charset_normalizer's chaos) or, as
# messy, this much less like a language (coherence): cp1251 Russian read as ISO-8859-1 has chaos 0.2 against 0.0.
_CHAOS_MARGIN = 0.05
_COHERENCE_MARGIN = 0.3
_PREFERRED_ON_TIES = ("cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r")


def codec_name(name: str | None) -> str | None:
    """Python's name of the codec ``name`` stands for, or None when it is no known codec."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def charset_from_headers(headers: Mapping[str, str] | None) -> str | None:
    """The charset declared in a ``Content-Type`` header, if it names a known codec."""
    if not headers:
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    match = _HEADER_CHARSET_RE.search(content_type or "")
    return codec_name(match.group(1)) if match else None


def _plausible(body: bytes, codec: str) -> bool:
    """Whether ``codec`` gives a text about as plausible as the best charset charset_normalizer finds: not much
    messier, nor much less like any language (always true for ASCII and the UTFs)."""
    if codec.startswith(_UNICODE_CODECS) or body.isascii():
        return True
    sample = body[:_DETECTION_BYTES]
    own = from_bytes(sample, cp_isolation=[codec]).best()
    if own is None:
        return False
    best = from_bytes(sample).best()
    if best is None or codec_name(best.encoding) == codec:
        return True
    messier = own.chaos > best.chaos + _CHAOS_MARGIN
    less_coherent = own.chaos >= best.chaos and own.coherence + _COHERENCE_MARGIN < best.coherence
    return not (messier or less_coherent)


def detect_charset(body: bytes) -> str | None:
    """charset_normalizer's most plausible codec for ``body`` (ties go to the most used), or None."""
    matches = list(from_bytes(body[:_DETECTION_BYTES]))
    if not matches:
        return None
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = [codec_name(m.encoding) for m in matches if (m.chaos, -m.coherence) == best]
    preferred = [c for c in _PREFERRED_ON_TIES if c in tied]
    return preferred[0] if preferred else tied[0]


def decode_declared(body: bytes, declared: Iterable[str | None]) -> tuple[str, str]:
    """Decode ``body`` trying the ``declared`` charsets in order; returns (text, codec used).

    A declared charset that fails to decode, or gives an implausible text, is skipped; then UTF-8, then
    detection. A byte-order mark wins over everything.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, "replace").lstrip("\ufeff"), name
    for candidate in dict.fromkeys(codec_name(c) for c in [*declared, "utf-8"]):
        if not candidate:
            continue
        try:
            text = body.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _plausible(body, candidate):
            return text, candidate
    name = detect_charset(body) or "utf-8"
    return body.decode(name, "replace"), name
