"""Quote attribution: telefeed against textacy's ``direct_quotations`` on an annotated set.

Run: ``.venv/bin/python -m bench.quotes_eval --data bench/data/quotes/dev`` (add ``--json`` for figures as JSON;
``--data`` more than once scores each set in turn in one process, so the models load once).

Each ``*.json`` file under ``--data`` holds ``documents`` (``id``, ``language``, ``genre``, ``text``, ``quotes``);
each gold quote has ``text`` (inner text), ``kind`` (``statement`` | ``scare``), ``speaker`` (canonical name or
null), ``speaker_mention`` and ``attribution``. A document may open with legend lines ``@X=Full Name``: a speaker
written ``@X`` is that name, and the legend lines are removed from the text both systems read.

Contenders, on the same texts:

- telefeed: ``extraction.pipeline.extract_batch`` over each file (one batch per file);
- textacy: ``textacy.extract.triples.direct_quotations`` over spaCy's ``en_core_web_sm`` (the full pipeline of the
  model telefeed ships); a document with an odd number of quotation marks (textacy refuses it) is run paragraph by
  paragraph. textacy reads English only: Russian and Ukrainian print ``n/a``.

Figures per language and in total, over gold *statement* quotes (scare quotes are not quotations):

- quote P/R/F1: predicted statements against gold statements, matched one to one on the inner text with
  whitespace and edge punctuation ignored;
- speaker accuracy: share of matched quotes whose predicted speaker is the gold one (a gold null speaker must be
  predicted null);
- found with the right speaker: matched quotes with the right speaker over all gold statements.

Speakers are compared the same way for both systems: each side's name goes through telefeed's canonical rules
(descriptors, ministries, units, the curated gazetteer), is reduced to its words without titles
(``Lt. Gen.``, ``Mr.``) and spelling-keyed (``gazetteer.skeleton``, what canonical ids are built from); two names
are the same when their keys are equal or when one is a single word equal to the other's last word (a surname
alone, ``Kemper`` for ``Douglas R. Kemper``). Russian ``ё`` has two usual English spellings, so a Latin ``yo`` after
a consonant reads as ``e`` on both sides (``Zhuravlyov`` = ``Zhuravlev`` = ``Журавлёв``; ``--strict-names`` turns this
off, the matching of extractor 1.6.0's figures). textacy's speaker is its speaker span; when that span lies inside an
entity mention telefeed found, the mention's canonical name is used (textacy does not resolve pronouns, so a
pronoun stays a pronoun and counts as wrong; a speaker span without a capitalised word, such as ``an aide``, counts
as no named speaker). telefeed's speaker is its canonical speaker (``speaker_canonical``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench.tally import DocumentCounts, Matches, by_data_set, data_sets, ratio

LANGUAGES = ("en", "ru", "uk")
_LEGEND = re.compile(r"^@(\w+)=(.+)$")
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "prof",
        "president",
        "prime",
        "minister",
        "secretary",
        "senator",
        "governor",
        "general",
        "lieutenant",
        "colonel",
        "major",
        "captain",
        "sergeant",
        "admiral",
        "deputy",
        "spokesman",
        "spokeswoman",
        "chief",
        "commander",
        "the",
    ]
)


@dataclass
class Prediction:
    """One predicted statement quote."""

    text: str
    speaker: str | None


@dataclass
class Tally(Matches, DocumentCounts):
    """Counts for one system in one language: statement quotes matched, and of those how many had the right
    speaker."""

    speaker_right: int = 0

    def figures(self) -> dict[str, float]:
        """P, R, F1, speaker accuracy and found-with-right-speaker."""
        p, r, f = self.scores()
        return {
            "docs": float(self.docs),
            "gold": float(self.gold),
            "quote_p": p,
            "quote_r": r,
            "quote_f1": f,
            "speaker_acc": ratio(self.speaker_right, self.matched),
            "found_right_speaker": ratio(self.speaker_right, self.gold),
        }


def normalise(text: str) -> str:
    """Inner text for matching: whitespace collapsed, edge punctuation and marks dropped, case folded."""
    return " ".join(text.split()).strip(" \t\n.,;:!?…\"'“”«»„—–-").casefold()


# Russian ``ё`` after a consonant is written ``yo`` or ``e`` in English (Zhuravlyov, Zhuravlev; Artyom, Artem)
_YO = re.compile(r"(?<=[bcdfghklmnprstvz])yo", re.IGNORECASE)


def speaker_key(name: str | None, yo_as_e: bool = True) -> tuple[str, ...] | None:
    """Spelling keys of a speaker name's words, titles dropped (``None`` for no speaker); with ``yo_as_e`` a Latin
    ``yo`` after a consonant reads as ``e`` (both transliterate Russian ``ё``)."""
    from extraction.canonical import strip_descriptors, unit_name
    from extraction.gazetteer import lookup_known, skeleton

    if name is None:
        return None
    stripped = strip_descriptors(name)
    known = lookup_known(stripped)
    name = known.name if known is not None else unit_name(stripped) or stripped
    if yo_as_e:
        name = _YO.sub("e", name)
    words = [w for w in re.findall(r"[\w'’-]+", name) if w.lower().rstrip(".") not in _TITLES]
    keys = tuple(k for k in (skeleton(w) for w in words) if k)
    return keys or (skeleton(name) or name.lower(),)


def same_speaker(predicted: str | None, gold: str | None, yo_as_e: bool = True) -> bool:
    """Whether two speaker names are the same (see the module docstring)."""
    a, b = speaker_key(predicted, yo_as_e), speaker_key(gold, yo_as_e)
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return (len(a) == 1 and a[0] == b[-1]) or (len(b) == 1 and b[0] == a[-1])


def load(path: Path) -> list[dict[str, Any]]:
    """Documents of one data file, legend lines removed and ``@X`` speakers replaced by the legend's names."""
    documents = json.loads(path.read_text(encoding="utf-8"))["documents"]
    out = []
    for document in documents:
        lines = document["text"].split("\n")
        legend: dict[str, str] = {}
        while lines and (match := _LEGEND.match(lines[0].strip())):
            legend["@" + match.group(1)] = match.group(2).strip()
            lines.pop(0)
        quotes = [
            {**q, "speaker": legend.get(q["speaker"], q["speaker"]) if q["speaker"] else None}
            for q in document["quotes"]
        ]
        out.append({**document, "text": "\n".join(lines).strip(), "quotes": quotes})
    return out


def score(
    documents: Sequence[dict[str, Any]], predictions: Sequence[Sequence[Prediction]], yo_as_e: bool = True
) -> Tally:
    """Tally predictions against the gold statement quotes of ``documents``."""
    tally = Tally()
    for document, predicted in zip(documents, predictions, strict=True):
        gold = [q for q in document["quotes"] if q["kind"] == "statement"]
        tally.docs += 1
        tally.gold += len(gold)
        tally.predicted += len(predicted)
        free = list(predicted)
        for quote in gold:
            key = normalise(quote["text"])
            hit = next((p for p in free if normalise(p.text) == key), None)
            if hit is None:
                tally.errors.append(f"{document['id']}: missed {quote['text'][:60]!r}")
                continue
            free.remove(hit)
            tally.matched += 1
            if same_speaker(hit.speaker, quote["speaker"], yo_as_e):
                tally.speaker_right += 1
            else:
                tally.errors.append(
                    f"{document['id']}: speaker {hit.speaker!r} for {quote['speaker']!r}: {quote['text'][:50]!r}"
                )
        tally.errors.extend(f"{document['id']}: extra {p.text[:60]!r}" for p in free)
    return tally


def telefeed(documents: Sequence[dict[str, Any]]) -> tuple[list[list[Prediction]], list[Any]]:
    """telefeed's statement quotes per document (one batch for all), and each document's extraction."""
    from extraction.pipeline import ExtractInput, extract_batch

    batch = extract_batch([ExtractInput(d["id"], d["text"], d["language"]) for d in documents])
    predictions = [
        [Prediction(q.text, q.speaker_canonical) for q in doc.quotes if q.kind == "statement"]
        for doc in batch.documents
    ]
    return predictions, list(batch.documents)


@lru_cache(maxsize=1)
def _textacy_nlp() -> Any:
    import spacy

    from extraction.entities import SPACY_MODEL

    return spacy.load(SPACY_MODEL)


def _direct_quotations(piece: str) -> list[Any] | None:
    """textacy's triples for ``piece``, ``None`` when textacy refuses it (an odd number of quotation marks)."""
    from textacy.extract.triples import direct_quotations

    try:
        return list(direct_quotations(_textacy_nlp()(piece)))
    except ValueError:
        return None


def textacy_quotes(text: str, mentions: Sequence[Any]) -> list[Prediction]:
    """textacy's direct quotations of ``text`` (paragraph by paragraph when textacy refuses the whole text)."""
    out = []
    triples = _direct_quotations(text)
    pieces = [(0, text, triples)]
    if triples is None:
        pieces = [(m.start(), m.group(0), _direct_quotations(m.group(0))) for m in re.finditer(r"[^\n]+", text)]
    for offset, piece, found in pieces:
        for triple in found or ():
            content = triple.content
            inner = piece[content[0].idx : content[-1].idx + len(content[-1].text)]
            speaker_tokens = triple.speaker
            speaker = " ".join(t.text for t in speaker_tokens) if speaker_tokens else None
            if speaker_tokens:
                s = offset + speaker_tokens[0].idx
                e = offset + speaker_tokens[-1].idx + len(speaker_tokens[-1].text)
                mention = next((m for m in mentions if m.start <= s < m.end or s <= m.start < e), None)
                if mention is not None:
                    speaker = mention.canonical or mention.text
                elif not any(t.text[:1].isupper() for t in speaker_tokens):
                    speaker = None  # "an aide", "officials": no named speaker, as the gold writes it
            out.append(Prediction(inner, speaker))
    return out


def has_textacy() -> bool:
    """Whether the peer is installed (it comes with the ``bench`` extra)."""
    return importlib.util.find_spec("textacy") is not None


def evaluate(data: Path, yo_as_e: bool = True) -> dict[str, dict[str, dict[str, Any]]]:
    """Figures per system and language (``total`` too) for every data file under ``data`` (telefeed only when
    textacy is not installed); ``yo_as_e=False`` is the matching before Latin ``yo`` and ``e`` were equated."""
    tallies: dict[str, dict[str, Tally]] = {"telefeed": {}, "textacy": {}}
    peer = has_textacy()
    files = sorted(data.rglob("*.json"))
    if not files:
        raise SystemExit(f"no *.json data files under {data}")
    for path in files:
        documents = load(path)
        ours, extracted = telefeed(documents)
        for language in LANGUAGES:
            chosen = [i for i, d in enumerate(documents) if d["language"] == language]
            if not chosen:
                continue
            docs = [documents[i] for i in chosen]
            tallies["telefeed"].setdefault(language, Tally()).add(score(docs, [ours[i] for i in chosen], yo_as_e))
            if language == "en" and peer:
                theirs = [textacy_quotes(documents[i]["text"], extracted[i].mentions) for i in chosen]
                tallies["textacy"].setdefault(language, Tally()).add(score(docs, theirs, yo_as_e))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for system, by_language in tallies.items():
        if not by_language:
            continue
        total = Tally()
        out[system] = {}
        for language in LANGUAGES:
            if language in by_language:
                total.add(by_language[language])
                out[system][language] = {**by_language[language].figures(), "errors": by_language[language].errors}
        out[system]["total"] = {**total.figures(), "errors": total.errors}
    return out


def print_table(results: dict[str, dict[str, dict[str, Any]]], show_errors: bool = False) -> None:
    """Print the figures of both systems side by side."""
    if "textacy" not in results:
        print("textacy is not installed (pip install '.[bench]'): telefeed only\n")
    print(
        "| language | system | docs | gold quotes | quote P | quote R | quote F1 | speaker acc | found, right speaker |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for language in (*LANGUAGES, "total"):
        for system in ("telefeed", "textacy"):
            row = results.get(system, {}).get(language)
            if row is None:
                if language in results["telefeed"]:
                    print(f"| {language} | {system} | n/a | | | | | | |")
                continue
            print(
                f"| {language} | {system} | {row['docs']:.0f} | {row['gold']:.0f} | {row['quote_p']:.3f} | "
                f"{row['quote_r']:.3f} | {row['quote_f1']:.3f} | {row['speaker_acc']:.3f} | "
                f"{row['found_right_speaker']:.3f} |"
            )
    if show_errors:
        for system in results:
            for line in results[system]["total"]["errors"]:
                print(f"{system}: {line}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="quote attribution: telefeed vs textacy")
    parser.add_argument(
        "--data", type=Path, action="append", required=True, help="folder of annotated *.json files (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="also list every miss, extra and wrong speaker")
    parser.add_argument(
        "--strict-names", action="store_true", help="the older name matching: Latin 'yo' and 'e' differ"
    )
    args = parser.parse_args(argv)
    if args.json:
        results = {data: evaluate(data, yo_as_e=not args.strict_names) for data in args.data}
        sys.stdout.write(json.dumps(by_data_set(results), ensure_ascii=False, indent=2) + "\n")
    else:
        for data in data_sets(args.data):
            print_table(evaluate(data, yo_as_e=not args.strict_names), args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
