"""The quote-attribution evaluation set (bench/data/quotes/**) is well formed: schema, offsets, ids, sizes."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

QUOTES_DIR = REPO_ROOT / "bench" / "data" / "quotes"
LANGUAGES = {"en", "ru", "uk"}
GENRES = {"wire", "telegram", "interview", "feature"}
KINDS = {"statement", "scare"}
ATTRIBUTIONS = {"subject", "pronoun", "nominal", "continuation", "byline", "according_to", "none"}
# Minimum size of each part of the set: documents per language and annotated quotes.
MINIMUM_SIZES: dict[str, tuple[dict[str, int], int]] = {
    "dev": ({"en": 32, "ru": 8, "uk": 8}, 280),
    "heldout": ({"en": 16, "ru": 4, "uk": 4}, 140),
}
ENGLISH_WORDS = (150, 450)


def _set_files() -> list[Path]:
    return sorted(QUOTES_DIR.rglob("*.json"))


def _documents(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"documents"}, path
    documents = data["documents"]
    assert isinstance(documents, list) and documents, path
    return documents


def _check_quote(document: dict[str, Any], quote: dict[str, Any], search_from: int) -> int:
    """Check one quote of a document; return where its text starts (quotes are listed in document order)."""
    where = f"{document['id']}: {quote.get('text')!r}"
    assert set(quote) == {"text", "kind", "speaker", "speaker_mention", "attribution"}, where
    text, kind, speaker, mention = quote["text"], quote["kind"], quote["speaker"], quote["speaker_mention"]
    assert isinstance(text, str) and text and text == text.strip(), where
    assert kind in KINDS and quote["attribution"] in ATTRIBUTIONS, where
    assert speaker is None or (isinstance(speaker, str) and speaker.strip()), where
    assert mention is None or (isinstance(mention, str) and mention in document["text"]), where
    if kind == "scare":
        assert speaker is None and mention is None and quote["attribution"] == "none", where
    if quote["attribution"] in {"none", "continuation"}:
        assert mention is None, where
    if quote["attribution"] == "none" and kind == "statement":
        assert speaker is None, where
    if quote["attribution"] not in {"none", "continuation"}:
        assert mention is not None, where
    start = document["text"].find(text, search_from)
    assert start >= 0, f"{where} is not in the text (after offset {search_from})"
    return start


@pytest.mark.parametrize("path", _set_files(), ids=lambda path: str(path.relative_to(QUOTES_DIR)))
def test_every_file_is_well_formed(path: Path) -> None:
    for document in _documents(path):
        assert set(document) == {"id", "language", "genre", "text", "quotes"}, document.get("id")
        language, text = document["language"], document["text"]
        assert language in LANGUAGES and document["genre"] in GENRES, document["id"]
        assert re.fullmatch(rf"q-{language}-\d{{3}}", document["id"]), document["id"]
        assert text == text.strip() and "\n\n\n" not in text, document["id"]
        assert document["quotes"], document["id"]
        if language == "en":
            low, high = ENGLISH_WORDS
            assert low <= len(text.split()) <= high, document["id"]
        search_from = 0
        for quote in document["quotes"]:
            search_from = _check_quote(document, quote, search_from)


def test_ids_are_unique_across_the_whole_set() -> None:
    ids = Counter(document["id"] for path in _set_files() for document in _documents(path))
    assert ids, "no quote evaluation files found"
    assert [identifier for identifier, count in ids.items() if count > 1] == []


@pytest.mark.parametrize("part", sorted(MINIMUM_SIZES))
def test_each_part_present_is_big_enough(part: str) -> None:
    part_dir = QUOTES_DIR / part
    if part != "dev" and not part_dir.exists():
        pytest.skip(f"the {part} part is kept outside the repository")
    documents = [document for path in sorted(part_dir.rglob("*.json")) for document in _documents(path)]
    per_language = Counter(document["language"] for document in documents)
    minimum_documents, minimum_quotes = MINIMUM_SIZES[part]
    for language, minimum in minimum_documents.items():
        assert per_language[language] >= minimum, (part, language, per_language[language])
    assert sum(len(document["quotes"]) for document in documents) >= minimum_quotes


@pytest.mark.parametrize("part", ["heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8"])
def test_the_held_out_sources_build_the_shipped_files(part: str, tmp_path: Path) -> None:
    """bench/data/build_heldout.py turns each held-out set's marked sources into exactly the JSON shipped."""
    import importlib.util

    data = REPO_ROOT / "bench" / "data"
    spec = importlib.util.spec_from_file_location("build_heldout", data / "build_heldout.py")
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    builder.write_sets(part, out=tmp_path)
    for kind in ("quotes", "entities"):
        shipped = sorted(p.name for p in (data / kind / part).glob("*.json"))
        built = sorted(p.name for p in (tmp_path / kind / part).glob("*.json"))
        assert built == shipped and shipped
        for name in shipped:
            assert (tmp_path / kind / part / name).read_bytes() == (data / kind / part / name).read_bytes(), name
