"""Score entity (and quote) extraction against hand-labelled documents, telefeed beside bare natasha.

Run: ``.venv/bin/python -m bench.extraction_eval --data bench/data/entities/dev`` (add ``--json`` for
machine-readable figures, ``--errors`` for every disagreement on stderr; ``--data`` more than once scores each set
in turn in one process, so the models load once).

Each data file holds ``documents``; each document has ``id``, ``text``, optional ``language`` (else the file
name's prefix: ``en_``, ``ru_``, ``uk_``), ``entities`` (``text``, ``label``, ``canonical``, optional ``start`` and
``end``; without offsets a mention is located at its next occurrence in the text) and optional ``quotes``
(``text``, ``kind`` statement|scare, ``speaker`` canonical name or null). A file is extracted as one batch (the
file is the corpus).

Span figures (``span_evaluate``), for telefeed and for bare natasha (natasha's NER alone on the same texts, none of
telefeed's layers; Cyrillic documents only):

* predicted spans inside a hashtag or an ``@handle`` are not scored (the sets do not annotate them);
* overlap P/R/F1: a predicted span matches a gold span of the same label when they overlap (one-to-one);
  telefeed's ``MIL_UNIT`` counts as ``ORG`` (the sets label armed formations as organisations);
* exact-span F1: same start, end and label;
* place canonical accuracy: gold ``LOC`` mentions whose overlapping predicted span carries the gold English
  canonical (case and accents folded); a missed mention counts as wrong; oblasts/krais/republics separately.

Multiset figures (``evaluate``, the older small sets under ``tests/data/extraction``):

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
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.tally import DocumentCounts, Matches, by_data_set, data_sets, f1, ratio

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "extraction"


@dataclass
class Tally(DocumentCounts):
    """Counts for one language (or the total)."""

    entities: Matches = field(default_factory=Matches)  # on (text, label)
    canonical: Matches = field(default_factory=Matches)  # on (text, canonical name)
    canon_matched: int = 0  # gold entities paired with a predicted one of the same text
    canon_correct: int = 0  # ... whose canonical name is the gold one
    quotes: Matches = field(default_factory=Matches)  # on the inner text
    kind_correct: int = 0
    speaker_total: int = 0
    speaker_correct: int = 0


def figures(t: Tally) -> dict[str, float]:
    """Precision, recall, F1 and accuracies (all in [0, 1]) from a tally."""
    ep, er, ef = t.entities.scores()
    cp, cr, cf = t.canonical.scores()
    qp, qr, qf = t.quotes.scores()
    return {
        "docs": float(t.docs),
        "entity_p": ep,
        "entity_r": er,
        "entity_f1": ef,
        "canonical_p": cp,
        "canonical_r": cr,
        "canonical_f1": cf,
        "canonical_acc": ratio(t.canon_correct, t.canon_matched),
        "quote_p": qp,
        "quote_r": qr,
        "quote_f1": qf,
        "quote_kind_acc": ratio(t.kind_correct, t.quotes.matched),
        "speaker_acc": ratio(t.speaker_correct, t.speaker_total),
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
    t.entities.gold, t.entities.predicted = len(gold_ents), len(pred_ents)
    t.entities.matched = _overlap(
        ((e["text"], e["label"]) for e in gold_ents), ((e["text"], e["label"]) for e in pred_ents)
    )
    t.canonical.gold, t.canonical.predicted = len(gold_ents), len(pred_ents)
    t.canonical.matched = _overlap(
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
    t.quotes.gold, t.quotes.predicted = len(gold_quotes), len(pred_quotes)
    remaining = list(pred_quotes)
    for q in gold_quotes:
        key = _quote_key(q["text"])
        hit = next((p for p in remaining if _quote_key(p["text"]) == key), None)
        if hit is None:
            t.errors.append(f"{gold.get('id')}: missed quote {q['text'][:40]!r}")
            continue
        remaining.remove(hit)
        t.quotes.matched += 1
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


# A labelled data file, its gold documents and telefeed's predictions for them.
Predicted = tuple[Path, list[dict[str, Any]], list[dict[str, Any]]]


def predict_data(data_dir: Path = DATA_DIR) -> list[Predicted]:
    """Every labelled data file of ``data_dir`` with telefeed's predictions (one batch per file)."""
    out = []
    for path, documents in load_data(data_dir):
        prefix = path.stem.split("_", 1)[0]
        out.append((path, documents, predict(documents, prefix if prefix in ("en", "ru", "uk") else None)))
    return out


def evaluate(data_dir: Path = DATA_DIR, predicted: Sequence[Predicted] | None = None) -> dict[str, Tally]:
    """Tallies per language plus ``all`` (over ``predicted`` when given, else over a new run on ``data_dir``)."""
    tallies: dict[str, Tally] = {}
    for path, documents, predictions in predict_data(data_dir) if predicted is None else predicted:
        for gold, pred in zip(documents, predictions, strict=True):
            tallies.setdefault(document_language(path, gold), Tally()).add(score_document(gold, pred))
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    tallies["all"] = total
    return tallies


# -- span figures (telefeed beside bare natasha) -----------------------------------------------------------------

SPAN_LABELS = ("PER", "LOC", "ORG")
_REGION_CANONICAL = re.compile(
    r"\b(?:Oblast|Krai|Republic|Okrug)\b|^(?:Tatarstan|Bashkortostan|Chechnya|Dagestan|"
    r"Buryatia|Tuva|Mordovia|Karelia|Crimea|Ingushetia|Kalmykia|Khakassia|Adygea|Yakutia)$"
)


@dataclass
class SpanTally(DocumentCounts):
    """Span-level counts for one system and one language."""

    gold: Counter[str] = field(default_factory=Counter)  # label -> gold spans
    pred: Counter[str] = field(default_factory=Counter)  # label -> predicted spans
    overlap_tp: Counter[str] = field(default_factory=Counter)
    exact_tp: Counter[str] = field(default_factory=Counter)
    places: int = 0
    places_right: int = 0
    regions: int = 0
    regions_right: int = 0


def span_figures(t: SpanTally) -> dict[str, float]:
    """Overlap and exact-span F1 (overall and per label) and place canonical accuracies."""
    out: dict[str, float] = {"docs": float(t.docs)}
    for suffix, labels in (("", SPAN_LABELS), *((f"_{lab}", (lab,)) for lab in SPAN_LABELS)):
        gold = sum(t.gold[lab] for lab in labels)
        pred = sum(t.pred[lab] for lab in labels)
        for kind, tp_counts in (("overlap", t.overlap_tp), ("exact", t.exact_tp)):
            tp = sum(tp_counts[lab] for lab in labels)
            p, r = ratio(tp, pred), ratio(tp, gold)
            out[f"{kind}_p{suffix}"], out[f"{kind}_r{suffix}"], out[f"{kind}_f1{suffix}"] = p, r, f1(p, r)
    out["place_acc"] = ratio(t.places_right, t.places)
    out["region_acc"] = ratio(t.regions_right, t.regions)
    out["places"], out["regions"] = float(t.places), float(t.regions)
    return out


def _fold(name: str | None) -> str:
    from extraction.gazetteer import fold_accents

    return " ".join(fold_accents(name or "").replace("’", "'").casefold().split())


def gold_spans(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's gold entities with offsets (located in order when the file gives none)."""
    text = str(document["text"])
    out: list[dict[str, Any]] = []
    cursor = 0
    for entity in document.get("entities", []):
        start, end = entity.get("start"), entity.get("end")
        if start is None or end is None:
            found = text.find(entity["text"], cursor)
            found = found if found >= 0 else text.find(entity["text"])
            if found < 0:
                continue
            start, end = found, found + len(entity["text"])
            cursor = end
        out.append({**entity, "start": int(start), "end": int(end)})
    return out


# Hashtags and @handles are not annotated in the sets (a convention, not an extraction error): a predicted span
# inside one is not scored, for either system.
_TAG_RE = re.compile(r"[#@][\w'’ʼ-]+")


def _span_label(label: str) -> str:
    return "ORG" if label == "MIL_UNIT" else label


def score_spans(document: Mapping[str, Any], predicted: Sequence[Mapping[str, Any]]) -> SpanTally:
    """Score one document's predicted spans (``text``, ``label``, ``start``, ``end``, optional ``canonical``)."""
    t = SpanTally(docs=1)
    doc_id = document.get("id")
    gold = [g for g in gold_spans(document) if g["label"] in SPAN_LABELS]
    tags = [(m.start(), m.end()) for m in _TAG_RE.finditer(str(document["text"]))]
    pred = [{**p, "label": _span_label(str(p["label"]))} for p in predicted]
    pred = [
        p for p in pred if p["label"] in SPAN_LABELS and not any(s <= p["start"] and p["end"] <= e for s, e in tags)
    ]
    t.gold.update(g["label"] for g in gold)
    t.pred.update(p["label"] for p in pred)
    exact = {(p["start"], p["end"], p["label"]) for p in pred}
    t.exact_tp.update(g["label"] for g in gold if (g["start"], g["end"], g["label"]) in exact)
    used: set[int] = set()
    for g in gold:
        candidates = [
            (min(g["end"], p["end"]) - max(g["start"], p["start"]), i)
            for i, p in enumerate(pred)
            if i not in used and p["label"] == g["label"] and p["start"] < g["end"] and g["start"] < p["end"]
        ]
        if candidates:
            used.add(max(candidates)[1])
            t.overlap_tp[g["label"]] += 1
        else:
            t.errors.append(f"{doc_id}: missed {g['label']} {g['text']!r}")
        if g["label"] == "LOC":
            region = bool(_REGION_CANONICAL.search(str(g["canonical"])))
            t.places += 1
            t.regions += region
            right = any(
                p["start"] < g["end"] and g["start"] < p["end"] and _fold(p.get("canonical")) == _fold(g["canonical"])
                for p in pred
            )
            t.places_right += right
            t.regions_right += region and right
            if not right:
                got = [p.get("canonical") for p in pred if p["start"] < g["end"] and g["start"] < p["end"]]
                t.errors.append(f"{doc_id}: place {g['text']!r} -> {got}, want {g['canonical']!r}")
    for i, p in enumerate(pred):
        if i not in used:
            t.errors.append(f"{doc_id}: extra {p['label']} {p['text']!r}")
    return t


def natasha_spans(texts: Sequence[str]) -> list[list[dict[str, Any]]]:
    """Bare natasha: its news NER tagger alone on each text (no canonical names)."""
    from natasha import Doc

    from extraction.entities import natasha_models

    segmenter, ner = natasha_models()
    out = []
    for text in texts:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(ner)
        out.append([{"text": s.text, "label": s.type, "start": s.start, "end": s.stop} for s in doc.spans])
    return out


SYSTEMS = ("telefeed", "natasha")


def span_evaluate(data_dir: Path, predicted: Sequence[Predicted] | None = None) -> dict[str, dict[str, SpanTally]]:
    """Span tallies per system (``telefeed``, ``natasha``) and language (plus ``all``), telefeed's over
    ``predicted`` when given, else over a new run on ``data_dir``."""
    tallies: dict[str, dict[str, SpanTally]] = {system: {} for system in SYSTEMS}
    for path, documents, predictions in predict_data(data_dir) if predicted is None else predicted:
        bare = natasha_spans([str(d["text"]) for d in documents])
        for gold, pred, nat in zip(documents, predictions, bare, strict=True):
            lang = document_language(path, gold)
            tallies["telefeed"].setdefault(lang, SpanTally()).add(score_spans(gold, pred["entities"]))
            if lang in ("ru", "uk"):
                tallies["natasha"].setdefault(lang, SpanTally()).add(score_spans(gold, nat))
    for per_lang in tallies.values():
        total = SpanTally()
        for tally in per_lang.values():
            total.add(tally)
        per_lang["all"] = total
    return tallies


SPAN_COLUMNS = (
    ("docs", "docs"),
    ("overlap_p", "P"),
    ("overlap_r", "R"),
    ("overlap_f1", "overlap F1"),
    ("overlap_f1_PER", "PER"),
    ("overlap_f1_LOC", "LOC"),
    ("overlap_f1_ORG", "ORG"),
    ("exact_f1", "exact F1"),
    ("place_acc", "place canon acc"),
    ("region_acc", "oblast canon acc"),
)


def format_span_table(tallies: Mapping[str, Mapping[str, SpanTally]]) -> str:
    """A Markdown table, one row per language and system (bare natasha has no canonical names)."""
    lines = [
        "| lang | system | " + " | ".join(title for _, title in SPAN_COLUMNS) + " |",
        "|---|---|" + "---:|" * len(SPAN_COLUMNS),
    ]
    languages = list(dict.fromkeys(lang for per_lang in tallies.values() for lang in per_lang))
    for lang in [*(x for x in languages if x != "all"), "all"]:
        for system in SYSTEMS:
            tally = tallies.get(system, {}).get(lang)
            if tally is None or not tally.docs:
                continue
            f = span_figures(tally)
            cells = []
            for key, _ in SPAN_COLUMNS:
                if key == "docs":
                    cells.append(str(int(f[key])))
                elif key in ("place_acc", "region_acc") and system == "natasha":
                    cells.append("–")
                elif key in ("place_acc", "region_acc"):
                    count = int(f["places" if key == "place_acc" else "regions"])
                    cells.append(f"{f[key]:.2f} (n={count})")
                else:
                    cells.append(f"{f[key]:.3f}")
            lines.append(f"| {lang} | {system} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


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


def report(data_dir: Path, as_json: bool, show_errors: bool) -> dict[str, Any] | None:
    """Score one data folder: its ``--json`` figures, or None after printing its tables (and, with
    ``show_errors``, every disagreement on stderr)."""
    predicted = predict_data(data_dir)  # one extraction run serves both the span and the multiset figures
    spans = span_evaluate(data_dir, predicted)
    has_quotes = any("quotes" in d for _, docs, _ in predicted for d in docs)
    tallies = evaluate(data_dir, predicted) if has_quotes else {}
    out: dict[str, Any] | None = None
    if as_json:
        out = {"spans": {system: {lang: span_figures(t) for lang, t in per.items()} for system, per in spans.items()}}
        if tallies:
            out["multiset"] = {lang: figures(t) for lang, t in tallies.items()}
    else:
        print(format_span_table(spans))
        if tallies:
            print()
            print(format_table(tallies))
    if show_errors:
        for error in [*spans["telefeed"]["all"].errors, *tallies.get("all", Tally()).errors]:
            print(error, file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print the span table (telefeed beside bare natasha) and, for sets with quotes, the multiset table, for each
    ``--data`` folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, action="append", help="folder of labelled *.json files (repeatable; default: the dev set)"
    )
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--errors", action="store_true", help="also list every disagreement")
    args = parser.parse_args(argv)
    folders = args.data or [DATA_DIR]
    if args.json:
        print(json.dumps(by_data_set({data: report(data, True, args.errors) for data in folders}), indent=2))
    else:
        for data in data_sets(folders):
            report(data, False, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
