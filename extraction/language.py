"""Language identification for every document (lingua, offline; the detector is built once per process).

The detector is restricted to languages plausible in a Russia/Ukraine news feed, which is what lets it tell
Russian, Ukrainian and English apart on posts of about ten words. URLs, @mentions and hashtag signs are
removed first: they are not language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from telefeed.models import Document

if TYPE_CHECKING:
    from lingua import LanguageDetector

# ISO 639-1 codes the detector may answer with.
SUPPORTED_LANGUAGES = (
    "en",
    "ru",
    "uk",
    "be",
    "pl",
    "de",
    "fr",
    "es",
    "it",
    "tr",
    "ar",
    "he",
    "ka",
    "hy",
    "az",
    "ro",
    "bg",
    "sr",
    "cs",
    "lt",
    "lv",
    "et",
    "fi",
    "sv",
    "nl",
    "pt",
    "zh",
    "ja",
    "fa",
)
MIN_LETTERS = 8  # fewer letters than this: no guess
MAX_CHARS = 5_000  # longer texts are judged on their start (faster, same answer for a news article)

_NOISE_RE = re.compile(r"(https?://\S+|www\.\S+|t\.me/\S+|@\w+|[#]|\S+@\S+\.\w+)")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _prepare(text: str) -> str:
    return " ".join(_NOISE_RE.sub(" ", text[:MAX_CHARS]).split())


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of ``text`` (``"ru"``, ``"uk"``, ``"en"``, ...), or None when it is too short to tell."""
    if not text:
        return None
    prepared = _prepare(text)
    if sum(c.isalpha() for c in prepared) < MIN_LETTERS:
        return None
    language = _detector().detect_language_of(prepared)
    return language.iso_code_639_1.name.lower() if language is not None else None


def assign_language(documents: Iterable[Document]) -> None:
    """Set ``language`` on each document from its title and text (in place; batched across cores).

    The detected language wins over a declared one (a feed's ``<language>`` covers every entry, even the ones
    in another language); a declared language that disagrees is kept in ``metadata["declared_language"]``.
    When nothing can be detected (too little text) the declared language stays.
    """
    docs = list(documents)
    samples = [_prepare("\n".join(part for part in (doc.title, doc.text) if part)) for doc in docs]
    todo = [i for i, sample in enumerate(samples) if sum(c.isalpha() for c in sample) >= MIN_LETTERS]
    if not todo:
        return
    found = _detector().detect_languages_in_parallel_of([samples[i] for i in todo])
    for i, language in zip(todo, found, strict=True):
        if language is None:
            continue
        detected = language.iso_code_639_1.name.lower()
        doc = docs[i]
        if doc.language and doc.language != detected:
            doc.metadata["declared_language"] = doc.language
        doc.language = detected
