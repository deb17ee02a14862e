"""Content hashes of many texts at once: the digests of :func:`telefeed.models.text_content_hash`, over Arrow.

The landing converts a batch's texts to an Arrow column anyway; hashing that column with Arrow's string kernels
(which run in C++ over the UTF-8 buffer) costs about 60% of lower-casing, normalising and encoding each text in
Python, and parts of a large column are hashed on several cores. The result is the same by construction, text
by text:

- Arrow lower-cases each character on its own (utf8proc's simple mapping), Python's ``str.lower`` with the full
  mapping and one context rule (a final capital sigma). The characters where the two differ, in this Python and
  this pyarrow, are found by lower-casing every code point both ways (once per process, when first needed); a
  text holding one of them is hashed by :func:`~telefeed.models.text_content_hash` itself.
- Whitespace is Python's (``str.isspace``, the characters ``str.split`` splits on), also listed from every code
  point. A text whose only whitespace is single spaces and newlines between words has its newlines replaced by
  spaces; any other text has each run of whitespace, and each whitespace character that is not a space,
  replaced by one space, then the spaces at either end removed: that is ``" ".join(text.split())``.

Small batches take the Python path: the one-time listing of code points (about 0.1 s) would cost more than it saves.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import os
import re
import sys
from array import array
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

from telefeed.models import text_content_hash

# Below this many bytes of text (UTF-8) in a batch the texts are hashed one by one in Python.
VECTORISED_MIN_BYTES = 1_000_000
# Threads that hash the parts of a large column at once (one per core, up to this many).
MAX_THREADS = 4

_SURROGATES = range(0xD800, 0xE000)  # not characters: Arrow's UTF-8 cannot hold them


def _every_character() -> str:
    """Every code point but the surrogates, in order, as one string."""
    points = array("I", range(_SURROGATES.start))
    points.extend(range(_SURROGATES.stop, sys.maxunicode + 1))
    return points.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")


def _character_class(characters: Iterable[str]) -> str:
    """A regular expression class (RE2 syntax) matching exactly ``characters``, as ranges of code points."""
    points = sorted({ord(c) for c in characters})
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    if not ranges:
        return "[^\\x{0}-\\x{10ffff}]"  # matches nothing (RE2 has no empty class)
    body = "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)
    return f"[{body}]"


@functools.cache
def _characters_to_mind() -> tuple[str, str]:
    """(whitespace, characters lowered differently), each as one string, found among every code point.

    Whitespace is what ``str.split()`` splits on: ``str.isspace``, which is also what ``re``'s ``\\s`` matches.
    The characters lowered differently are those that ``str.lower`` and Arrow's ``utf8_lower`` lower-case
    differently: blocks of 256 code points that neither lower-cases are skipped; in the others each character is
    lowered both ways as the last letter of a word (after a capital, before a space), where Python applies its
    final-sigma rule.
    """
    everything = _every_character()
    blocks = [everything[i : i + 256] for i in range(0, len(everything), 256)]
    lowered_differently: list[str] = []
    for block, arrow_lowered in zip(blocks, pc.utf8_lower(pa.array(blocks, pa.string())).to_pylist(), strict=True):
        if block.lower() == block == arrow_lowered:
            continue
        in_context = [f"A{c} " for c in block]
        arrow_in_context = pc.utf8_lower(pa.array(in_context, pa.string())).to_pylist()
        lowered_differently.extend(
            c for c, s, a in zip(block, in_context, arrow_in_context, strict=True) if s.lower() != a
        )
    return "".join(re.findall(r"\s", everything)), "".join(lowered_differently)


@functools.cache
def _patterns() -> tuple[str, str, str]:
    """Regular expressions: (characters to hash in Python, anything but newline -> space, whitespace to collapse).

    The second matches a text holding a character of the first, a whitespace character other than a space or a
    newline, two of those in a row, or one at either end.
    """
    spaces, lowered_differently = _characters_to_mind()
    by_python = _character_class(lowered_differently)
    other_spaces = _character_class(c for c in spaces if c not in " \n")
    not_plain = f"{by_python}|{other_spaces}|[ \\n][ \\n]|^[ \\n]|[ \\n]$"
    collapse = f"{_character_class(spaces)}{{2,}}|{_character_class(c for c in spaces if c != ' ')}"
    return by_python, not_plain, collapse


def content_hashes(
    texts: pa.Array, vectorised_min_bytes: int = VECTORISED_MIN_BYTES, threads: int | None = None
) -> list[str]:
    """``[text_content_hash(t) for t in texts]`` for an Arrow string array without nulls.

    Vectorised when the texts hold at least ``vectorised_min_bytes`` of UTF-8, else one by one in Python. The
    vectorised path cuts the column into ``threads`` parts of about equal size (default: one per core, at most
    ``MAX_THREADS``) hashed at once: Arrow's kernels and SHA-256 of a long text run without the GIL.
    """
    if texts.null_count:
        raise ValueError("content_hashes: texts must not be null")
    total_bytes = pc.sum(pc.binary_length(texts)).as_py() or 0
    if total_bytes < vectorised_min_bytes:
        return [text_content_hash(t) for t in texts.to_pylist()]
    patterns = _patterns()  # listed once, before any thread needs them
    parts = _parts(texts, total_bytes, threads or min(os.cpu_count() or 1, MAX_THREADS))
    if len(parts) == 1:
        return _vectorised(texts, *patterns)
    with ThreadPoolExecutor(len(parts) - 1, thread_name_prefix="content-hashes") as pool:
        others = [pool.submit(_vectorised, part, *patterns) for part in parts[1:]]
        return _vectorised(parts[0], *patterns) + [digest for future in others for digest in future.result()]


def _parts(texts: pa.Array, total_bytes: int, count: int) -> list[pa.Array]:
    """``texts`` cut into at most ``count`` slices (no copy) holding about as many bytes each."""
    if count <= 1 or len(texts) < count:
        return [texts]
    ends = pc.cumulative_sum(pc.binary_length(texts)).to_pylist()
    cuts = [0, *(bisect.bisect_left(ends, total_bytes * k // count) + 1 for k in range(1, count)), len(texts)]
    return [texts.slice(a, b - a) for a, b in itertools.pairwise(sorted(set(cuts)))]


def _vectorised(texts: pa.Array, by_python: str, not_plain: str, collapse: str) -> list[str]:
    """The content hashes of ``texts`` by Arrow's kernels, but for texts holding a character Python lowers otherwise
    (``by_python``, ``not_plain`` and ``collapse`` are the expressions of :func:`_patterns`)."""
    digests = [""] * len(texts)

    def hash_into(indices: pa.Array, collapse_whitespace: bool) -> None:
        """Hash the texts at ``indices`` (none of them holding a character Python lowers otherwise)."""
        if not len(indices):
            return
        lowered = pc.utf8_lower(texts if len(indices) == len(texts) else pc.take(texts, indices))
        if collapse_whitespace:
            lowered = pc.utf8_trim(pc.replace_substring_regex(lowered, collapse, " "), " ")
        hashed = _sha256_hex(lowered, newlines_to_spaces=not collapse_whitespace)
        for index, digest in zip(indices.to_pylist(), hashed, strict=True):
            digests[index] = digest

    not_plain_texts = pc.match_substring_regex(texts, not_plain)
    hash_into(pc.indices_nonzero(pc.invert(not_plain_texts)), collapse_whitespace=False)
    others = pc.indices_nonzero(not_plain_texts)
    if len(others):
        in_python = pc.match_substring_regex(pc.take(texts, others), by_python)
        for index in pc.filter(others, in_python).to_pylist():
            digests[index] = text_content_hash(texts[index].as_py())
        hash_into(pc.filter(others, pc.invert(in_python)), collapse_whitespace=True)
    return digests


def _sha256_hex(strings: pa.Array, newlines_to_spaces: bool = False) -> list[str]:
    """The hex SHA-256 of each value of a string array, read from its UTF-8 buffer.

    With ``newlines_to_spaces`` each newline is hashed as a space: one byte for another in a copy of the buffer
    (a newline byte is never part of a longer UTF-8 sequence), so the values keep their offsets.
    """
    if strings.type == pa.large_string():
        offsets = memoryview(strings.buffers()[1]).cast("q")
    else:
        offsets = memoryview(strings.buffers()[1]).cast("i")
    start = strings.offset
    bounds = offsets[start : start + len(strings) + 1].tolist()
    data_buffer = strings.buffers()[2]
    data = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    if newlines_to_spaces:
        data = memoryview(data[bounds[0] : bounds[-1]].tobytes().replace(b"\n", b" "))
        bounds = [b - bounds[0] for b in bounds]
    sha256 = hashlib.sha256
    return [sha256(data[a:b]).hexdigest() for a, b in itertools.pairwise(bounds)]
