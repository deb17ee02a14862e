"""Quotation marks paired into quotations: straight ``"``, doubled apostrophes ``''`` (and ````...''``), typographic
``“...”`` (``”`` opens too where a word follows it after a space), ``„...“``/``„...”`` and guillemets ``«...»``
(inner quotes of another style are part of the outer one).

Each mark is read as opening or closing from the characters beside it (an opening mark follows a space, a bracket, a
dash or a colon and precedes a word; a closing one follows a word or punctuation), then marks pair like brackets.
Double-quote marks of any style pair with each other (a quote opened with ``“`` and closed with ``"`` is one quote),
but never across a blank line: a quote still open at a paragraph's end is closed there when the next paragraph opens
with a quotation mark (the wire convention for a quote running over paragraphs), else dropped. Guillemets and
typographic marks may span single line breaks (Telegram posts break lines inside quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUOTE_CHARS = 3_000

_MARK_RE = re.compile(r"''|``|[\"“”«»„]")
_OPEN_BEFORE = set(" \t\n([{—–-:/") | {""}
_CLOSE_AFTER = set(" \t\n)]}.,;:!?—–-…/") | {""}


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation: offsets of its inner text and of the marks around it."""

    start: int  # inner text
    end: int
    open_mark: str
    close_mark: str

    @property
    def outer_start(self) -> int:
        """Offset of the opening mark."""
        return self.start - len(self.open_mark)

    @property
    def outer_end(self) -> int:
        """Offset just past the closing mark (the end of the paragraph for a quote running on)."""
        return self.end + len(self.close_mark)


def _role(text: str, pos: int, mark: str) -> str:
    """``open``, ``close`` or ``either`` for the mark at ``pos``."""
    if mark in ("«", "„", "``"):
        return "open"
    before = text[pos - 1] if pos > 0 else ""
    after = text[pos + len(mark)] if pos + len(mark) < len(text) else ""
    if mark == "”":  # closing, but some copy opens with it too: ”We will win,” he said.
        return "open" if before in _OPEN_BEFORE and after.isalnum() else "close"
    if mark == "»":
        return "close"
    if mark == "“":  # English opening mark; closing after „ (handled when pairing)
        return "either" if before not in _OPEN_BEFORE else "open"
    opens = before in _OPEN_BEFORE and after not in (" ", "\t", "\n", "")
    closes = after in _CLOSE_AFTER or (after in "\"”'»" and before not in _OPEN_BEFORE)
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _family(mark: str) -> str:
    return "guillemet" if mark in "«»" else "double"


def _pairs(text: str) -> list[QuoteSpan]:
    """Every paired quotation, nested ones included, sorted by start (outer first)."""
    spans: list[QuoteSpan] = []
    stack: list[tuple[int, str]] = []  # open marks: offset, mark

    def emit(open_pos: int, open_mark: str, close_pos: int, close_mark: str) -> None:
        start, end = open_pos + len(open_mark), close_pos
        if end - start <= MAX_QUOTE_CHARS and text[start:end].strip():
            spans.append(QuoteSpan(start, end, open_mark, close_mark))

    def paragraph_break(at: int, next_start: int) -> None:
        """Close or drop what is open at a blank line (``at``) before the paragraph starting at ``next_start``."""
        nxt = text[next_start : next_start + 2]
        continues = _MARK_RE.match(nxt) is not None
        if stack and continues:
            pos, mark = stack[0]
            end = at
            while end > pos and text[end - 1].isspace():
                end -= 1
            emit(pos, mark, end, "")
        stack.clear()

    pos = 0
    for match in re.finditer(r"''|``|[\"“”«»„]|\n[ \t]*\n\s*|\n", text):
        token = match.group(0)
        if token.startswith("\n"):
            if "\n" in token[1:] or any(_family(m) == "double" and m in "\"''" for _, m in stack):
                paragraph_break(match.start(), match.end())
            continue
        pos = match.start()
        mark = token
        role = _role(text, pos, mark)
        family = _family(mark)
        opener = next((i for i in range(len(stack) - 1, -1, -1) if _family(stack[i][1]) == family), None)
        if mark == "“" and opener is not None and stack[opener][1] == "„":
            role = "close"
        if role == "either":
            role = "close" if opener is not None else "open"
        if role == "open":
            stack.append((pos, mark))
            continue
        if opener is None:
            continue  # a stray closing mark
        open_pos, open_mark = stack[opener]
        del stack[opener:]
        emit(open_pos, open_mark, pos, mark)
    return sorted(spans, key=lambda s: (s.start, -s.end))


def _outermost(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    kept: list[QuoteSpan] = []
    for span in spans:
        if kept and span.outer_start < kept[-1].outer_end:
            continue
        kept.append(span)
    return kept


def find_quotes(text: str) -> list[QuoteSpan]:
    """Outermost quotations of ``text`` in order, no overlaps, no empty ones."""
    return _outermost(_pairs(text))


# A quotation in single marks inside an English double-quoted one ("He said, 'Make it happen.'"): the opening mark
# follows a space or punctuation, the closing one precedes a space, punctuation or the end (not an apostrophe).
_SINGLE_RE = re.compile(r"(?:(?<=^)|(?<=[\s,:(—–-]))['‘]([^'‘’\n]+?[^\s])['’](?=[\s.,;:!?)\]—–-]|$)")


def find_nested_quotes(text: str, outer: list[QuoteSpan]) -> list[QuoteSpan]:
    """The quotations one level inside the ``outer`` ones (any style of mark, or single marks inside double)."""
    nested: list[QuoteSpan] = []
    pairs = _pairs(text)
    for span in outer:
        inside = [p for p in pairs if span.start <= p.outer_start and p.outer_end <= span.end]
        if span.open_mark not in "«„":
            for match in _SINGLE_RE.finditer(text, span.start, span.end):
                inside.append(QuoteSpan(match.start(1), match.end(1), match.group(0)[0], match.group(0)[-1]))
        nested.extend(_outermost(sorted(inside, key=lambda s: (s.start, -s.end))))
    return nested
