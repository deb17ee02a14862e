"""Language identification for every document (lingua, offline; detectors are built once per process).

Two passes, so that a run pays for the precise models only where they change the answer:

1. every text goes through lingua's *low-accuracy* mode (trigram models only, ~50 MB for all supported
   languages instead of ~600 MB for the full models);
2. a short text (under ``PRECISE_BELOW_LETTERS`` letters: a Telegram post, a headline) whose first answer is not
   clear-cut is decided again by the *high-accuracy* models of its few leading candidates only (Russian against
   Ukrainian and Belarusian, Polish against Czech...). Only those languages' full models are ever loaded, and
   lingua shares loaded models between detectors, so a run over Russian/Ukrainian/English sources loads those.

Long texts are judged on their start (``MAX_CHARS``): the answer for a news article does not change further in.
The detector is restricted to languages plausible in a Russia/Ukraine news feed (``SUPPORTED_LANGUAGES``), which
is what lets it tell Russian, Ukrainian and English apart on posts of about ten words. URLs, @mentions and hashtag
signs are removed first: they are not language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from telefeed.models import Document

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

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
PRECISE_BELOW_LETTERS = 400  # shorter texts with an unclear first answer get the high-accuracy second pass
CLEAR_CONFIDENCE = 0.99  # a first answer at least this confident is final
CANDIDATE_CONFIDENCE = 0.01  # languages at least this likely in the first pass compete in the second
MAX_CANDIDATES = 4

_NOISE_RE = re.compile(r"(https?://\S+|www\.\S+|t\.me/\S+|@\w+|[#]|\S+@\S+\.\w+)")


def _languages(codes: Sequence[str]) -> list[Language]:
    from lingua import IsoCode639_1, Language

    return [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]


@lru_cache(maxsize=4)
def _first_pass(codes: tuple[str, ...]) -> LanguageDetector:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*_languages(codes)).with_low_accuracy_mode().build()


@lru_cache(maxsize=64)
def _second_pass(candidates: frozenset[Language]) -> LanguageDetector:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*candidates).build()


def _prepare(text: str) -> str:
    return " ".join(_NOISE_RE.sub(" ", text[:MAX_CHARS]).split())


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _decide(prepared: str, codes: tuple[str, ...]) -> str | None:
    values = _first_pass(codes).compute_language_confidence_values(prepared)
    if not values or values[0].value == 0:
        return None
    best = values[0].language
    if values[0].value < CLEAR_CONFIDENCE and _letters(prepared) < PRECISE_BELOW_LETTERS:
        candidates = frozenset(v.language for v in values[:MAX_CANDIDATES] if v.value >= CANDIDATE_CONFIDENCE)
        if len(candidates) > 1:
            best = _second_pass(candidates).detect_language_of(prepared) or best
    return str(best.iso_code_639_1.name.lower())


def detect_language(text: str | None, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str | None:
    """ISO 639-1 code of ``text`` (``"ru"``, ``"uk"``, ``"en"``, ...), or None when it is too short to tell.

    ``languages`` are the ISO 639-1 codes it may answer with (default: ``SUPPORTED_LANGUAGES``).
    """
    if not text:
        return None
    prepared = _prepare(text)
    if _letters(prepared) < MIN_LETTERS:
        return None
    return _decide(prepared, tuple(languages))


def assign_language(documents: Iterable[Document], languages: Sequence[str] = SUPPORTED_LANGUAGES) -> None:
    """Set ``language`` on each document from its title and text (in place).

    The detected language wins over a declared one (a feed's ``<language>`` covers every entry, even the ones
    in another language); a declared language that disagrees is kept in ``metadata["declared_language"]``.
    When nothing can be detected (too little text) the declared language stays.
    """
    codes = tuple(languages)
    for doc in documents:
        detected = detect_language("\n".join(part for part in (doc.title, doc.text) if part), codes)
        if detected is None:
            continue
        if doc.language and doc.language != detected:
            doc.metadata["declared_language"] = doc.language
        doc.language = detected
