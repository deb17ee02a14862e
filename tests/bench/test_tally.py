"""bench/tally.py: tallies of the evaluation benchmarks add up field by field."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bench.tally import Matches, f1, ratio
from telefeed.models import Counts


@dataclass
class _Tally(Counts):
    docs: int = 0
    seconds: float = 0.0
    labels: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def test_add_sums_numbers_updates_counters_and_extends_lists() -> None:
    total = _Tally(docs=1, seconds=0.5, labels=Counter({"PER": 2}), errors=["a"])
    total.add(_Tally(docs=2, seconds=1.0, labels=Counter({"PER": 1, "LOC": 3}), errors=["b", "c"]))
    assert total == _Tally(docs=3, seconds=1.5, labels=Counter({"PER": 3, "LOC": 3}), errors=["a", "b", "c"])


def test_ratio_and_f1_score_nothing_as_zero() -> None:
    assert ratio(3, 4) == 0.75 and ratio(3, 0) == 0.0
    assert f1(0.5, 1.0) == 2 / 3 and f1(0.0, 0.0) == 0.0


def test_nested_counts_add_and_matches_score_precision_recall_f1() -> None:
    @dataclass
    class _Scored(Counts):
        found: Matches = field(default_factory=Matches)

    total = _Scored(Matches(matched=1, predicted=2, gold=4))
    total.add(_Scored(Matches(matched=2, predicted=2, gold=2)))
    assert total.found == Matches(matched=3, predicted=4, gold=6)
    assert total.found.scores() == (0.75, 0.5, 0.6)
    assert Matches().scores() == (0.0, 0.0, 0.0)
