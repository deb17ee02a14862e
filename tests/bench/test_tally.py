"""bench/tally.py: tallies of the evaluation benchmarks add up field by field."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bench.tally import Counts


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
