"""Build a held-out set from its marked-up sources and validate it: one script for every annotator's set.

Sources live in ``bench/data/<part>_src/`` (e.g. ``heldout3_src``); the JSON goes to ``bench/data/quotes/<part>/``
and ``bench/data/entities/<part>/``. Each annotator of the held-out sets wrote the sources; the second wrote this
script and the later ones used it unchanged but for the folder names.

Quote sources (quotes_*.txt): documents start with ``=== id | language | genre``; the text marks every quote's
inner text with ⟦ and ⟧ (nesting allowed); after a line ``---`` come the annotations, one line per ⟦ in order of
opening: ``attribution | speaker | mention`` (speaker ``-`` for null), ``continuation | speaker``, ``none``, or
``scare``.

Entity sources (entities_*.txt): documents start with ``=== id | language | genre``; each entity is written
``{surface|LABEL|canonical}``; the script removes the marks and computes the offsets. Entity documents are 60-200
words long (bench/data/entities/README.md).

Run: python3 bench/data/build_heldout.py heldout3  (rewrites that part's JSON, prints counts)
"""

from __future__ import annotations

import collections
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent
HEADER = re.compile(r"^=== (\S+) \| (en|ru|uk) \| (\w+)\s*$")
ENTITY = re.compile(r"\{([^{}|]+)\|(PER|LOC|ORG)\|([^{}|]+)\}")
ATTRIBUTIONS = {"subject", "pronoun", "nominal", "continuation", "byline", "according_to", "none"}
QUOTE_GENRES = {"wire", "telegram", "interview", "feature"}
ENTITY_GENRES = {"news", "telegram"}


def split_documents(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """(id, language, genre, lines) for each document of a source file."""
    docs: list[tuple[str, str, str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#!"):
            continue
        m = HEADER.match(line)
        if m:
            docs.append((m.group(1), m.group(2), m.group(3), []))
        elif line.startswith("==="):
            raise SystemExit(f"{path}: bad header {line!r}")
        elif docs:
            docs[-1][3].append(line)
    return docs


def clean_text(lines: list[str]) -> str:
    """The document text: paragraphs separated by one blank line, no trailing spaces."""
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def parse_quotes(doc_id: str, marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove ⟦⟧ marks; return the plain text and (start, end) of each quote in order of opening."""
    plain: list[str] = []
    stack: list[int] = []
    spans: list[list[int]] = []
    for ch in marked:
        if ch == "⟦":
            stack.append(len(spans))
            spans.append([len(plain), -1])
        elif ch == "⟧":
            if not stack:
                raise SystemExit(f"{doc_id}: unbalanced ⟧")
            spans[stack.pop()][1] = len(plain)
        else:
            plain.append(ch)
    if stack:
        raise SystemExit(f"{doc_id}: unbalanced ⟦")
    return "".join(plain), [(s, e) for s, e in spans]


def build_quote_doc(doc_id: str, language: str, genre: str, lines: list[str]) -> dict:
    if genre not in QUOTE_GENRES:
        raise SystemExit(f"{doc_id}: genre {genre}")
    sep = lines.index("---")
    marked = clean_text(lines[:sep])
    notes = [line.strip() for line in lines[sep + 1 :] if line.strip()]
    text, spans = parse_quotes(doc_id, marked)
    if len(spans) != len(notes):
        raise SystemExit(f"{doc_id}: {len(spans)} quotes marked, {len(notes)} annotation lines")
    quotes: list[dict[str, Any]] = []
    for (start, end), note in zip(spans, notes, strict=True):
        parts = [p.strip() for p in note.split("|")]
        kind = "statement"
        speaker: str | None = None
        mention: str | None = None
        attribution = parts[0]
        if attribution == "scare":
            kind, attribution = "scare", "none"
        elif attribution == "none":
            pass
        elif attribution == "continuation":
            speaker = None if parts[1] == "-" else parts[1]
        else:
            if len(parts) != 3:
                raise SystemExit(f"{doc_id}: bad annotation {note!r}")
            speaker = None if parts[1] == "-" else parts[1]
            mention = parts[2]
        if attribution not in ATTRIBUTIONS:
            raise SystemExit(f"{doc_id}: attribution {attribution!r}")
        quote_text = text[start:end]
        if not quote_text.strip() or quote_text != quote_text.strip():
            raise SystemExit(f"{doc_id}: quote with edge spaces {quote_text!r}")
        if mention is not None and mention not in text:
            raise SystemExit(f"{doc_id}: mention {mention!r} not in text")
        quotes.append(
            {
                "text": quote_text,
                "kind": kind,
                "speaker": speaker,
                "speaker_mention": mention,
                "attribution": attribution,
                "_start": start,
            }
        )
    # the evaluation locates each quote by searching from where the previous one starts
    cursor = 0
    for q in quotes:
        found = text.find(q["text"], cursor)
        if found != q["_start"]:
            raise SystemExit(f"{doc_id}: quote {q['text'][:40]!r} found at {found}, marked at {q['_start']}")
        cursor = found
        del q["_start"]
    # continuation quotes carry the previous statement's speaker
    if language == "en":
        words = len(re.findall(r"\S+", text))
        if not 150 <= words <= 450:
            raise SystemExit(f"{doc_id}: {words} words")
    return {"id": doc_id, "language": language, "genre": genre, "text": text, "quotes": quotes}


def build_entity_doc(doc_id: str, language: str, genre: str, lines: list[str]) -> dict:
    if genre not in ENTITY_GENRES:
        raise SystemExit(f"{doc_id}: genre {genre}")
    marked = clean_text(lines)
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    for m in ENTITY.finditer(marked):
        plain.append(marked[pos : m.start()])
        start = sum(len(p) for p in plain)
        surface, label, canonical = m.group(1), m.group(2), m.group(3).strip()
        if surface != surface.strip():
            raise SystemExit(f"{doc_id}: entity with edge spaces {surface!r}")
        plain.append(surface)
        entities.append(
            {"text": surface, "start": start, "end": start + len(surface), "label": label, "canonical": canonical}
        )
        pos = m.end()
    plain.append(marked[pos:])
    text = "".join(plain)
    for stray in "{}⟦⟧":
        if stray in text:
            at = text.index(stray)
            raise SystemExit(f"{doc_id}: stray {stray!r} near {text[max(0, at - 40) : at + 20]!r}")
    last_end = 0
    for e in entities:
        assert text[e["start"] : e["end"]] == e["text"], e
        if e["start"] < last_end:
            raise SystemExit(f"{doc_id}: overlap at {e}")
        last_end = e["end"]
    words = len(re.findall(r"\S+", text))
    if not 60 <= words <= 200:
        raise SystemExit(f"{doc_id}: {words} words")
    return {"id": doc_id, "language": language, "genre": genre, "text": text, "entities": entities}


def _write_files(
    sources: list[Path],
    prefix: str,
    build: Callable[[str, str, str, list[str]], dict[str, Any]],
    out_dir: Path,
    ids: set[str],
    count: Callable[[dict[str, Any]], None],
) -> None:
    """Build every document of ``sources`` with ``build``, count it with ``count`` and write one JSON file per
    source to ``out_dir``; ids must be unique across the whole set."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in sources:
        docs = [build(doc_id, language, genre, lines) for doc_id, language, genre, lines in split_documents(src)]
        for doc in docs:
            if doc["id"] in ids:
                raise SystemExit(f"duplicate id {doc['id']}")
            ids.add(doc["id"])
            count(doc)
        out = out_dir / (src.stem.removeprefix(prefix) + ".json")
        out.write_text(json.dumps({"documents": docs}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


class DocumentTally:
    """Per-language counts of built documents: the documents (``unit``), their genres, their annotations (the
    ``items`` key, counted as ``item_unit``) and each annotation's ``category``."""

    def __init__(self, unit: str, items: str, item_unit: str, category: Callable[[dict[str, Any]], str]) -> None:
        self.unit, self.items, self.item_unit, self.category = unit, items, item_unit, category
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def count(self, doc: dict[str, Any]) -> None:
        """Count one built document."""
        language = doc["language"]
        self.counts[(language, self.unit)] += 1
        self.counts[(language, "genre:" + doc["genre"])] += 1
        for item in doc[self.items]:
            self.counts[(language, self.item_unit)] += 1
            self.counts[(language, self.category(item))] += 1


def write_sets(part: str, out: Path = DATA) -> None:
    """Build and write the quote and entity files of held-out ``part`` (e.g. ``heldout3``) under ``out``
    (``quotes/<part>/``, ``entities/<part>/``; default: beside this script); print the counts."""
    source_dir = DATA / f"{part}_src"
    ids: set[str] = set()
    qstats = DocumentTally("texts", "quotes", "quotes", lambda q: "scare" if q["kind"] == "scare" else q["attribution"])
    estats = DocumentTally("docs", "entities", "spans", lambda e: e["label"])
    quote_sources = sorted(source_dir.glob("quotes_*.txt"))
    entity_sources = sorted(source_dir.glob("entities_*.txt"))
    if not quote_sources and not entity_sources:
        raise SystemExit(f"no quotes_*.txt or entities_*.txt in {source_dir}")
    _write_files(quote_sources, "quotes_", build_quote_doc, out / "quotes" / part, ids, qstats.count)
    _write_files(entity_sources, "entities_", build_entity_doc, out / "entities" / part, ids, estats.count)
    for name, stats in (("quotes", qstats), ("entities", estats)):
        print(name)
        for lang in ("en", "ru", "uk"):
            row = {k[1]: v for k, v in stats.counts.items() if k[0] == lang}
            if row:
                print(f"  {lang}: {dict(sorted(row.items()))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 bench/data/build_heldout.py PART  (e.g. heldout3)")
    write_sets(sys.argv[1])
