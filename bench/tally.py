"""Counts that add up (:class:`telefeed.models.Counts`), shared by the evaluation benchmarks (per-language and
per-system tallies)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telefeed.models import Counts


@dataclass
class DocumentCounts(Counts):
    """Counts over a set of documents: how many, and one line per error found in them."""

    docs: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Matches(Counts):
    """Predictions matched one to one against the gold: how many matched, were predicted, are in the gold."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    def scores(self) -> tuple[float, float, float]:
        """Precision, recall and F1 (0 where there is nothing to score)."""
        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.gold)
        return precision, recall, f1(precision, recall)


def ratio(part: float, whole: float) -> float:
    """``part / whole``; 0 when ``whole`` is 0 (nothing to score)."""
    return part / whole if whole else 0.0


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def data_sets(folders: Sequence[Path]) -> Iterator[Path]:
    """Each ``--data`` folder in turn; when there are several, a Markdown heading naming it goes before its table."""
    for index, folder in enumerate(folders):
        if len(folders) > 1:
            print(("\n" if index else "") + f"### {folder}\n")
        yield folder


def by_data_set(figures: Mapping[Path, Any]) -> Any:
    """``--json`` output: one data folder's figures as they are, several keyed by folder."""
    if len(figures) == 1:
        return next(iter(figures.values()))
    return {str(folder): value for folder, value in figures.items()}
