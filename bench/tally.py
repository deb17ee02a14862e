"""Counts that add up, shared by the evaluation benchmarks (per-language and per-system tallies)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import Self


@dataclass
class Counts:
    """A dataclass of counts; :meth:`add` folds in another of the same kind, field by field."""

    def add(self, other: Self) -> None:
        """Add ``other``'s counts to these: numbers add, ``Counter`` fields update, lists (e.g. errors) extend."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)
