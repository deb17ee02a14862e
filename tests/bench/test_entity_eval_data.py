"""bench/data/entities: every annotated file is well formed, and bench/data/entities/README.md counts it truly.

Claims: each JSON file under bench/data/entities (any depth: dev/, and heldout/ once it is copied in) holds
documents with the agreed schema; every span's offsets give back its text exactly, spans come in document order and
never overlap, labels are PER/LOC/ORG and canonicals are non-empty; document ids are unique across all files and
carry the document's language; documents are 60-200 words; and the count table in the README (documents and spans
per split, language and label) matches the data for every split present.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

ROOT = REPO_ROOT / "bench" / "data" / "entities"
LANGUAGES = {"ru", "uk"}
GENRES = {"news", "telegram"}
LABELS = ("PER", "LOC", "ORG")
DOC_KEYS = {"id", "language", "genre", "text", "entities"}
ENTITY_KEYS = {"text", "start", "end", "label", "canonical"}
NUMBER_CELL = r"\s*(\d+)\s*\|"
TABLE_ROW = re.compile(r"^\|\s*(\w+)\s*\|\s*(ru|uk)\s*\|" + NUMBER_CELL * 5)


def data_files() -> list[Path]:
    """Every annotated file, at any depth below the data folder."""
    return sorted(ROOT.rglob("*.json"))


def load(path: Path) -> list[dict[str, Any]]:
    """The documents of one file."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(payload, dict) and set(payload) == {"documents"}, path
    documents = payload["documents"]
    assert isinstance(documents, list) and documents, path
    return documents


def split_of(path: Path) -> str:
    """The split a file belongs to: the first folder below the data folder."""
    return path.relative_to(ROOT).parts[0]


def entity_problems(document: dict[str, Any]) -> list[str]:
    """Everything wrong with one document's spans (empty when it is well formed)."""
    text: str = document["text"]
    problems: list[str] = []
    previous_end = 0
    for entity in document["entities"]:
        if set(entity) != ENTITY_KEYS:
            problems.append(f"keys {sorted(entity)}")
            continue
        start, end, surface = entity["start"], entity["end"], entity["text"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"bad offsets {start}-{end}")
            continue
        if text[start:end] != surface:
            problems.append(f"{start}-{end} gives {text[start:end]!r}, not {surface!r}")
        if surface != surface.strip():
            problems.append(f"{surface!r} has surrounding whitespace")
        if start < previous_end:
            problems.append(f"{surface!r} at {start} overlaps or precedes the span ending at {previous_end}")
        if entity["label"] not in LABELS:
            problems.append(f"{surface!r} has label {entity['label']!r}")
        if not (isinstance(entity["canonical"], str) and entity["canonical"].strip()):
            problems.append(f"{surface!r} has no canonical")
        previous_end = end
    return problems


def test_there_is_a_dev_split_in_both_languages() -> None:
    languages = {d["language"] for p in data_files() if split_of(p) == "dev" for d in load(p)}
    assert languages == LANGUAGES


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_file_is_well_formed(path: Path) -> None:
    for document in load(path):
        assert set(document) == DOC_KEYS, (path, document.get("id"))
        assert document["language"] in LANGUAGES and document["genre"] in GENRES, document["id"]
        assert document["id"].startswith(f"e-{document['language']}-"), document["id"]
        assert 60 <= len(document["text"].split()) <= 200, document["id"]
        assert document["entities"], document["id"]
        assert entity_problems(document) == [], document["id"]


def test_document_ids_are_unique_across_files() -> None:
    ids = Counter(d["id"] for p in data_files() for d in load(p))
    assert [i for i, n in ids.items() if n > 1] == []


def test_checker_catches_bad_spans() -> None:
    document = {
        "text": "Мэр Киева и Львова",
        "entities": [
            {"text": "Киева", "start": 4, "end": 9, "label": "LOC", "canonical": "Kyiv"},
            {"text": "Киева", "start": 6, "end": 11, "label": "LOC", "canonical": "Kyiv"},
            {"text": "Львова", "start": 12, "end": 18, "label": "GPE", "canonical": ""},
        ],
    }
    problems = entity_problems(document)
    assert len(problems) == 4, problems
    document["entities"] = document["entities"][:1]
    assert entity_problems(document) == []


def counted() -> dict[tuple[str, str], tuple[int, int, int, int, int]]:
    """(split, language) -> (documents, spans, PER, LOC, ORG), from the data."""
    rows: dict[tuple[str, str], list[int]] = {}
    for path in data_files():
        for document in load(path):
            row = rows.setdefault((split_of(path), document["language"]), [0, 0, 0, 0, 0])
            labels = Counter(e["label"] for e in document["entities"])
            row[0] += 1
            row[1] += len(document["entities"])
            for i, label in enumerate(LABELS):
                row[2 + i] += labels[label]
    return {key: (r[0], r[1], r[2], r[3], r[4]) for key, r in rows.items()}


def readme_table() -> dict[tuple[str, str], tuple[int, int, int, int, int]]:
    """(split, language) -> (documents, spans, PER, LOC, ORG), as the README states them."""
    table = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            split, language, *numbers = match.groups()
            n = [int(x) for x in numbers]
            table[(split, language)] = (n[0], n[1], n[2], n[3], n[4])
    return table


def test_readme_counts_match_the_data_for_every_split_present() -> None:
    stated, actual = readme_table(), counted()
    assert actual and set(actual) <= set(stated)
    for key, row in actual.items():
        assert stated[key] == row, key
        assert row[1] == sum(row[2:]), key
