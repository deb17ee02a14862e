"""Score entity and quote extraction against the hand-labelled documents in ``tests/data/extraction/*.json``.

Run: ``.venv/bin/python -m bench.extraction_eval`` (add ``--json`` for machine-readable figures).

Each data file holds ``documents``; each document has ``id``, ``text``, optional ``language`` (else the file
name's prefix: ``en_``, ``ru_``, ``uk_``), ``entities`` (``text``, ``label``, ``canonical``) and ``quotes``
(``text``, ``kind`` statement|scare, ``speaker`` canonical name or null). A file is extracted as one batch (the
file is the corpus). Matching is by multiset, offsets are not compared:

* entity P/R/F1 on ``(text, label)``; canonical P/R/F1 on ``(text, canonical)``; canonical names (and
  speakers) are compared by spelling key (``gazetteer.skeleton``, what canonical ids are built from), so a
  Cyrillic display name counts when it is the same entity as the Latin gold name;
* canonicalisation accuracy: gold mentions whose text was found, share with the right canonical name;
* quote P/R/F1 on the inner text (whitespace and edge punctuation ignored); kind accuracy on matched quotes;
* speaker accuracy: matched gold statement quotes whose predicted canonical speaker equals the gold one
  (a gold null speaker must be predicted null).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "extraction"


@dataclass
class Tally:
    """Counts for one language (or the total)."""

    docs: int = 0
    ent_tp: int = 0
    ent_pred: int = 0
    ent_gold: int = 0
    canon_tp: int = 0
    canon_pred: int = 0
    canon_gold: int = 0
    canon_matched: int = 0
    canon_correct: int = 0
    quote_tp: int = 0
    quote_pred: int = 0
    quote_gold: int = 0
    kind_correct: int = 0
    speaker_total: int = 0
    speaker_correct: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        for name in self.__dataclass_fields__:
            if name == "errors":
                self.errors.extend(other.errors)
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def figures(t: Tally) -> dict[str, float]:
    """Precision, recall, F1 and accuracies (all in [0, 1]) from a tally."""
    ep, er = _ratio(t.ent_tp, t.ent_pred), _ratio(t.ent_tp, t.ent_gold)
    cp, cr = _ratio(t.canon_tp, t.canon_pred), _ratio(t.canon_tp, t.canon_gold)
    qp, qr = _ratio(t.quote_tp, t.quote_pred), _ratio(t.quote_tp, t.quote_gold)
    return {
        "docs": float(t.docs),
        "entity_p": ep,
        "entity_r": er,
        "entity_f1": _f1(ep, er),
        "canonical_p": cp,
        "canonical_r": cr,
        "canonical_f1": _f1(cp, cr),
        "canonical_acc": _ratio(t.canon_correct, t.canon_matched),
        "quote_p": qp,
        "quote_r": qr,
        "quote_f1": _f1(qp, qr),
        "quote_kind_acc": _ratio(t.kind_correct, t.quote_tp),
        "speaker_acc": _ratio(t.speaker_correct, t.speaker_total),
    }


def _key(name: str | None) -> str | None:
    """Canonical names are compared by spelling key, the key canonical ids are built from (Андрей Белоусов ==
    Andrei Belousov: both land under one canonical id)."""
    if name is None:
        return None
    from extraction.gazetteer import skeleton

    return skeleton(name) or name.lower()


def _quote_key(text: str) -> str:
    return " ".join(text.split()).strip(" ,.;:!?…—–-").lower()


def _overlap(gold: Iterable[Any], pred: Iterable[Any]) -> int:
    return sum((Counter(gold) & Counter(pred)).values())


def score_document(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> Tally:
    """Score one document; ``pred`` has the shape of ``telefeed extract --json`` (entities, quotes)."""
    t = Tally(docs=1)
    gold_ents = list(gold.get("entities", []))
    pred_ents = list(pred.get("entities", []))
    t.ent_gold, t.ent_pred = len(gold_ents), len(pred_ents)
    t.ent_tp = _overlap(((e["text"], e["label"]) for e in gold_ents), ((e["text"], e["label"]) for e in pred_ents))
    t.canon_gold, t.canon_pred = len(gold_ents), len(pred_ents)
    t.canon_tp = _overlap(
        ((e["text"], _key(e["canonical"])) for e in gold_ents), ((e["text"], _key(e["canonical"])) for e in pred_ents)
    )
    unused = [(e["text"], e["canonical"]) for e in pred_ents]
    for e in gold_ents:
        hit = next((p for p in unused if p[0] == e["text"] and _key(p[1]) == _key(e["canonical"])), None)
        hit = hit or next((p for p in unused if p[0] == e["text"]), None)
        if hit is None:
            t.errors.append(f"{gold.get('id')}: missed entity {e['text']!r} ({e['label']})")
            continue
        unused.remove(hit)
        t.canon_matched += 1
        if _key(hit[1]) == _key(e["canonical"]):
            t.canon_correct += 1
        else:
            t.errors.append(f"{gold.get('id')}: {e['text']!r} -> {hit[1]!r}, want {e['canonical']!r}")
    for text, canonical in unused:
        t.errors.append(f"{gold.get('id')}: extra entity {text!r} -> {canonical!r}")
    gold_quotes = list(gold.get("quotes", []))
    pred_quotes = list(pred.get("quotes", []))
    t.quote_gold, t.quote_pred = len(gold_quotes), len(pred_quotes)
    remaining = list(pred_quotes)
    for q in gold_quotes:
        key = _quote_key(q["text"])
        hit = next((p for p in remaining if _quote_key(p["text"]) == key), None)
        if hit is None:
            t.errors.append(f"{gold.get('id')}: missed quote {q['text'][:40]!r}")
            continue
        remaining.remove(hit)
        t.quote_tp += 1
        if hit.get("kind", "statement") == q.get("kind", "statement"):
            t.kind_correct += 1
        else:
            t.errors.append(
                f"{gold.get('id')}: quote {q['text'][:30]!r} is {hit.get('kind')!r}, want {q.get('kind')!r}"
            )
        if q.get("kind", "statement") == "statement":
            t.speaker_total += 1
            if _key(hit.get("speaker_canonical")) == _key(q.get("speaker")):
                t.speaker_correct += 1
            else:
                t.errors.append(
                    f"{gold.get('id')}: speaker of {q['text'][:30]!r} = {hit.get('speaker_canonical')!r}, "
                    f"want {q.get('speaker')!r}"
                )
    for p in remaining:
        t.errors.append(f"{gold.get('id')}: extra quote {p['text'][:40]!r}")
    return t


def document_language(path: Path, document: Mapping[str, Any]) -> str:
    """The document's language label (its ``language`` field, else the data file's name prefix)."""
    return str(document.get("language") or path.stem.split("_", 1)[0])


def load_data(data_dir: Path = DATA_DIR) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Every labelled data file and its documents."""
    out = []
    for path in sorted(data_dir.glob("*.json")):
        out.append((path, list(json.loads(path.read_text(encoding="utf-8"))["documents"])))
    return out


def predict(documents: Sequence[Mapping[str, Any]], language: str | None) -> list[dict[str, Any]]:
    """Run the extraction pipeline on one file's documents (one batch) and return ``--json`` shaped results."""
    from extraction.pipeline import ExtractInput, extract_batch

    batch = extract_batch(
        [ExtractInput(str(d["id"]), str(d["text"]), d.get("language") or language) for d in documents]
    )
    return [doc.as_json() for doc in batch.documents]


def evaluate(data_dir: Path = DATA_DIR) -> dict[str, Tally]:
    """Tallies per language plus ``all``."""
    tallies: dict[str, Tally] = {}
    for path, documents in load_data(data_dir):
        prefix = path.stem.split("_", 1)[0]
        predictions = predict(documents, prefix if prefix in ("en", "ru", "uk") else None)
        for gold, pred in zip(documents, predictions, strict=True):
            tallies.setdefault(document_language(path, gold), Tally()).add(score_document(gold, pred))
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    tallies["all"] = total
    return tallies


COLUMNS = (
    ("docs", "docs"),
    ("entity_p", "ent P"),
    ("entity_r", "ent R"),
    ("entity_f1", "ent F1"),
    ("canonical_f1", "canon F1"),
    ("canonical_acc", "canon acc"),
    ("quote_p", "quote P"),
    ("quote_r", "quote R"),
    ("quote_f1", "quote F1"),
    ("quote_kind_acc", "kind acc"),
    ("speaker_acc", "speaker acc"),
)


def format_table(tallies: Mapping[str, Tally]) -> str:
    """A plain-text (Markdown) table of the figures, one row per language."""
    lines = [
        "| lang | " + " | ".join(title for _, title in COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
    ]
    for lang, tally in tallies.items():
        f = figures(tally)
        cells = [str(int(f[k])) if k == "docs" else f"{f[k]:.2f}" for k, _ in COLUMNS]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation table (and the disagreements with ``--errors``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of labelled *.json files")
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--errors", action="store_true", help="also list every disagreement")
    args = parser.parse_args(argv)
    tallies = evaluate(args.data)
    if args.json:
        print(json.dumps({lang: figures(t) for lang, t in tallies.items()}, indent=2))
    else:
        print(format_table(tallies))
    if args.errors:
        for error in tallies["all"].errors:
            print(error, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
