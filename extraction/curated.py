"""Curated name tables shipped in ``extraction/data`` (regions, rivers and lakes, airports): tab-separated rows of
an English canonical, some columns and its Russian and Ukrainian names, and one matcher that finds those names in
text, longest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Generic, TypeVar

from extraction.inflection import BOUNDARY_AFTER, BOUNDARY_BEFORE


@dataclass(frozen=True, slots=True)
class CuratedEntry:
    """An entry of a curated table: the English canonical and its native (Russian and Ukrainian) names."""

    canonical: str
    names: tuple[str, ...]


@cache
def table_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of ``extraction/data/<name>`` split at tabs, without comments, blank lines and the header (read
    once per process: airports are looked up per match)."""
    text = resources.files("extraction").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tuple(
        tuple(line.split("\t"))
        for line in text.splitlines()
        if line.strip() and not line.startswith(("#", "canonical\t"))
    )


def native_names(cell: str) -> tuple[str, ...]:
    """The names of a ``;``-separated cell."""
    return tuple(name.strip() for name in cell.split(";") if name.strip())


Entry = TypeVar("Entry", bound=CuratedEntry)


class NameMatcher(Generic[Entry]):
    """Finds every native name of some entries in a text, each name written as ``pattern`` makes it (its case
    forms); a longer name wins over a shorter one it contains."""

    def __init__(self, entries: Iterable[Entry], pattern: Callable[[str], str]) -> None:
        self.named = sorted(((name, entry) for entry in entries for name in entry.names), key=lambda ne: -len(ne[0]))
        self._per_name = [(re.compile(pattern(name)), entry) for name, entry in self.named]
        self._combined = re.compile(
            BOUNDARY_BEFORE + "(?:" + "|".join(pattern(name) for name, _ in self.named) + ")" + BOUNDARY_AFTER
        )

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], Entry]]:
        """Each name found in ``text``, in text order, with the entry it names."""
        for match in self._combined.finditer(text):
            surface = match.group(0)
            entry = next((e for pattern, e in self._per_name if pattern.fullmatch(surface)), None)
            if entry is not None:
                yield match, entry
