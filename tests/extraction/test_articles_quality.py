"""Main-text precision/recall of the cleaning, measured on every annotated page we ship.

Gold: the article's own paragraphs (tests/fixtures/pages/expected.json and samples_gold.json, written when the
pages were made). Measure: word-token multiset overlap between extracted text and gold. Baseline: trafilatura's
default ``extract()`` on the same HTML (title line dropped for both). Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from extraction.article import decode_html, extract_article_bytes
from tests.conftest import REPO_ROOT
from tests.support.pages import EXPECTED, PAGES

_TOKEN = re.compile(r"\w+")


@dataclass
class Score:
    tp: int = 0
    extracted: int = 0
    gold: int = 0
    leaked: int = 0  # planted promo / related-headline lines present in the output
    planted: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0


def _tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def _annotated() -> list[tuple[Path, dict[str, Any]]]:
    out = [(PAGES / n, g) for n, g in EXPECTED.items()]
    gold = json.loads((PAGES / "samples_gold.json").read_text("utf-8"))
    out += [(REPO_ROOT / "samples" / "pages" / n, g) for n, g in gold.items()]
    return out


def _drop_title(text: str, title: object) -> str:
    lines = text.split("\n")
    return "\n".join(lines[1:]) if lines and isinstance(title, str) and lines[0].strip() == title else text


def _score(extract: Callable[[bytes], str]) -> Score:
    score = Score()
    for path, gold in _annotated():
        text = _drop_title(extract(path.read_bytes()), gold["title"])
        got, want = _tokens(text), _tokens("\n".join(gold["main"]))
        score.tp += sum((got & want).values())
        score.extracted += sum(got.values())
        score.gold += sum(want.values())
        planted = [line for line in gold["removed"] if line]
        score.planted += len(planted)
        score.leaked += sum(1 for line in planted if line in text)
    return score


def _telefeed(body: bytes) -> str:
    return extract_article_bytes(body).text


def _trafilatura_default(body: bytes) -> str:
    return trafilatura.extract(decode_html(body)[0], include_comments=False) or ""


def test_cleaning_precision_and_recall_on_annotated_pages() -> None:
    ours, baseline = _score(_telefeed), _score(_trafilatura_default)
    print(
        f"\npages={len(_annotated())} tokens(gold)={ours.gold}\n"
        f"telefeed:     precision={ours.precision:.4f} recall={ours.recall:.4f} "
        f"planted lines leaked={ours.leaked}/{ours.planted}\n"
        f"trafilatura:  precision={baseline.precision:.4f} recall={baseline.recall:.4f} "
        f"planted lines leaked={baseline.leaked}/{baseline.planted}"
    )
    assert ours.leaked == 0
    assert ours.precision >= 0.99 and ours.recall >= 0.99
    assert ours.precision > baseline.precision  # the cleaning removes what trafilatura keeps
    assert ours.recall >= baseline.recall - 0.001  # ... without losing article text
