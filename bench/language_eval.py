"""Language identification on a labelled multilingual set: today's detector against telefeed's, side by side.

Run: ``.venv/bin/python -m bench.language_eval`` (``--json`` for machine-readable figures).

* **before**: lingua in high-accuracy mode over ``SUPPORTED_LANGUAGES``, loaded whole (the detector telefeed used
  until this change);
* **telefeed**: ``extraction.language.detect_language`` (low-accuracy first pass, high-accuracy second pass among
  the leading candidates of short unclear texts).

Each system runs in a fresh process of its own, so the peak memory printed is what that detector costs a run
(the interpreter and lingua's import included). The labelled set is built from files in the repository:

* English, Russian and Ukrainian: every document of ``bench/data/quotes/dev``, ``bench/data/entities/dev`` and
  ``tests/data/extraction`` (news and Telegram posts written for telefeed's evaluations), cut into whole documents,
  paragraphs, sentences and Telegram-length fragments (the first 5-9 words of a sentence);
* other languages (Belarusian, Polish, German, French, Arabic, Spanish, Italian, Turkish, Bulgarian, Serbian,
  Czech): news sentences in ``bench/data/languages/*.json``, as sentences, fragments and paragraphs of 3-5 sentences;
* mixed Russian/Ukrainian: a sentence of one language quoting a fragment of the other (labelled by the language that
  has more letters), the hard pair.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_FILES = ROOT / "bench" / "data" / "languages"
DOCUMENT_DIRS = (ROOT / "bench" / "data" / "quotes" / "dev", ROOT / "bench" / "data" / "entities" / "dev")
EXTRACTION_DATA = ROOT / "tests" / "data" / "extraction"
MIN_TEXTS = 2_000
SYSTEMS = ("before", "telefeed")

_SENTENCE_END = re.compile(r"(?<=[.!?»”\"])\s+(?=[A-ZА-ЯЁІЇЄҐ«“\"])")
_LETTERS = re.compile(r"[^\W\d_]")


def _letters(text: str) -> int:
    return len(_LETTERS.findall(text))


def _sentences(text: str) -> list[str]:
    return [s.strip() for paragraph in text.split("\n") for s in _SENTENCE_END.split(paragraph) if s.strip()]


def _fragment(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    return " ".join(words[: rng.randint(5, 9)])


def _documents() -> list[tuple[str, str]]:
    """(language, text) of every labelled document in the repository's evaluation data."""
    found: list[tuple[str, str]] = []
    files = [f for d in DOCUMENT_DIRS for f in sorted(d.glob("*.json"))] + sorted(EXTRACTION_DATA.rglob("*.json"))
    for path in files:
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            language = doc.get("language") or path.name.split("_", 1)[0]
            found.append((language, doc["text"]))
    return found


def labelled_set(seed: int = 7) -> list[dict[str, str]]:
    """The labelled texts: ``language``, ``kind`` (document, paragraph, sentence, fragment, mixed) and ``text``."""
    rng = random.Random(seed)
    items: list[dict[str, str]] = []
    sentences_by_language: dict[str, list[str]] = defaultdict(list)
    for language, text in _documents():
        items.append({"language": language, "kind": "document", "text": text})
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        if len(paragraphs) > 1:
            items += [{"language": language, "kind": "paragraph", "text": p} for p in paragraphs]
        sentences_by_language[language] += [s for s in _sentences(text) if len(s.split()) >= 4]
    for path in sorted(SENTENCE_FILES.glob("*.json")):
        for language, sentences in json.loads(path.read_text(encoding="utf-8")).items():
            sentences_by_language[language] += sentences
            for _ in range(len(sentences)):
                picked = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 5)))
                items.append({"language": language, "kind": "paragraph", "text": " ".join(picked)})
    for language, sentences in sentences_by_language.items():
        for sentence in sentences:
            items.append({"language": language, "kind": "sentence", "text": sentence})
            items.append({"language": language, "kind": "fragment", "text": _fragment(sentence, rng)})
    ru, uk = sentences_by_language.get("ru", []), sentences_by_language.get("uk", [])
    for host, guest, host_language, guest_language in ((uk, ru, "uk", "ru"), (ru, uk, "ru", "uk")):
        for sentence in host[:150]:
            quoted = _fragment(rng.choice(guest), rng)
            text = f"{sentence} «{quoted}»"
            label = host_language if _letters(sentence) > _letters(quoted) else guest_language
            items.append({"language": label, "kind": "mixed", "text": text})
    unique: dict[str, dict[str, str]] = {}
    for item in items:
        if _letters(item["text"]) >= 8:
            unique.setdefault(item["text"], item)
    return list(unique.values())


def _detector(system: str) -> Any:
    from extraction import language

    if system == "telefeed":
        return language.detect_language
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in language.SUPPORTED_LANGUAGES]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def detect(text: str) -> str | None:
        prepared = language._prepare(text)
        found = detector.detect_language_of(prepared)
        return found.iso_code_639_1.name.lower() if found is not None else None

    return detect


def run_system(system: str, texts: list[str]) -> dict[str, Any]:
    """Answers of one system for every text, its seconds and the process's peak memory (MB)."""
    started = time.perf_counter()
    detect = _detector(system)
    answers = [detect(text) for text in texts]
    return {
        "answers": answers,
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_fresh_process(system: str, texts: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.language_eval", "--system", system],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def score(items: list[dict[str, str]], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Accuracy per language and per kind of text for each system, with counts, seconds and peak memory."""
    out: dict[str, Any] = {"texts": len(items), "systems": {}}
    for system, result in results.items():
        by_language: Counter[str] = Counter()
        by_kind: Counter[str] = Counter()
        for item, answer in zip(items, result["answers"], strict=True):
            if answer == item["language"]:
                by_language[item["language"]] += 1
                by_kind[item["kind"]] += 1
        out["systems"][system] = {
            "accuracy": sum(by_language.values()) / len(items),
            "by_language": by_language,
            "by_kind": by_kind,
            "seconds": result["seconds"],
            "peak_mb": result["peak_mb"],
        }
    out["language_counts"] = Counter(item["language"] for item in items)
    out["kind_counts"] = Counter(item["kind"] for item in items)
    return out


def _print(figures: dict[str, Any]) -> None:
    before, after = figures["systems"]["before"], figures["systems"]["telefeed"]
    print(f"labelled texts: {figures['texts']}")
    print(f"{'':12} {'n':>5} {'before':>8} {'telefeed':>9}")
    for group, counts in (("by_language", figures["language_counts"]), ("by_kind", figures["kind_counts"])):
        for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"{key:12} {n:5d} {before[group][key] / n:8.3f} {after[group][key] / n:9.3f}")
    print(f"{'all':12} {figures['texts']:5d} {before['accuracy']:8.3f} {after['accuracy']:9.3f}")
    print(
        f"peak memory MB: before {before['peak_mb']:.0f}, telefeed {after['peak_mb']:.0f} "
        f"(ratio {after['peak_mb'] / before['peak_mb']:.2f}); seconds: before {before['seconds']:.1f}, "
        f"telefeed {after['seconds']:.1f} (ratio {after['seconds'] / before['seconds']:.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    """Build the set, run both systems in fresh processes, print accuracy side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--system", choices=SYSTEMS, help="internal: run one system on texts read from stdin")
    args = parser.parse_args(argv)
    if args.system:
        print(json.dumps(run_system(args.system, json.loads(sys.stdin.read()))))
        return 0
    items = labelled_set()
    if len(items) < MIN_TEXTS:
        print(f"only {len(items)} labelled texts (< {MIN_TEXTS})", file=sys.stderr)
        return 1
    texts = [item["text"] for item in items]
    figures = score(items, {system: _in_fresh_process(system, texts) for system in SYSTEMS})
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        _print(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
