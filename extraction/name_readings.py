"""Which pymorphy3 readings make a word a person's name: the one test of "is this word a given name, surname or
patronymic" the extraction rules share (the grammemes ``Name``, ``Surn``, ``Patr``, optionally ``Geox`` for a
place's name and ``Orgn`` for an organisation's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PERSON_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})


def person_parse(parse: Any, kinds: Iterable[str] = PERSON_GRAMMEMES, also: Iterable[str] = ()) -> bool:
    """Whether one pymorphy3 reading is a person's name of ``kinds`` (every kind by default; ``{"Name"}`` for a
    given name) or carries one of the grammemes ``also`` (``Geox``: a place's name too)."""
    grammemes = parse.tag.grammemes
    return not grammemes.isdisjoint(kinds) or not grammemes.isdisjoint(also)


def person_readings(
    parses: Iterable[Any], kinds: Iterable[str] = PERSON_GRAMMEMES, also: Iterable[str] = (), case: str | None = None
) -> bool:
    """Whether any reading is a person's name (:func:`person_parse`), in ``case`` when given (``nomn``)."""
    return any(person_parse(p, kinds, also) and (case is None or case in p.tag.grammemes) for p in parses)
