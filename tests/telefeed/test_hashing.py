"""Content hashes of a whole Arrow column are the digests of ``text_content_hash``, text by text, for any text."""

from __future__ import annotations

import random
import sys

import pyarrow as pa
import pytest

from telefeed.hashing import content_hashes
from telefeed.models import sha256_hex
from tests.telefeed.test_models import NORMALISATION_EXAMPLES

CODE_POINTS = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]  # UTF-8 cannot hold surrogates
WHITESPACE = [chr(c) for c in CODE_POINTS if chr(c).isspace()]


def definition(text: str) -> str:
    """The content hash as every stored hash was computed: SHA-256 of the lower-cased text, whitespace collapsed."""
    return sha256_hex(" ".join(text.lower().split()))


def vectorised(texts: list[str], threads: int | None = None) -> list[str]:
    return content_hashes(pa.array(texts, pa.string()), vectorised_min_bytes=0, threads=threads)


@pytest.mark.parametrize("threads", [1, 3])
def test_every_code_point_in_every_position_hashes_as_the_definition(threads: int) -> None:
    texts = []
    for start in range(0, len(CODE_POINTS), 64):
        block = "".join(chr(c) for c in CODE_POINTS[start : start + 64])
        texts.append(block)  # mixed with whatever whitespace and controls the block holds
        texts.append(" ".join(f"A{c}" for c in block))  # each as a word's last letter (final sigma)
        texts.append("\n".join(f"{c}b" for c in block))  # each as a word's first letter, lines between
    assert vectorised(texts, threads) == [definition(t) for t in texts]


def test_random_texts_of_whitespace_and_hard_letters_hash_as_the_definition() -> None:
    rng = random.Random(5)
    alphabet = [*WHITESPACE, *"abcXYZ.,-ёЁЖжЇїІіΣσςİıẞß", "\u0345", "\x00", "\x7f", "\u200b", "\u00ad", "\U00010d50"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(5000)]
    assert vectorised(texts) == [definition(t) for t in texts]


@pytest.mark.parametrize("text", NORMALISATION_EXAMPLES)
def test_examples_hash_as_the_definition_on_both_paths(text: str) -> None:
    texts = pa.array([text] * 3, pa.string())
    assert content_hashes(texts, vectorised_min_bytes=0) == content_hashes(texts) == [definition(text)] * 3


def test_a_slice_a_large_string_column_and_a_chunked_column_hash_their_own_values() -> None:
    texts = ["Zero.", "One  ONE", "Два\n\nдва", "Three"]
    column = pa.array(texts, pa.string())
    assert content_hashes(column.slice(1, 2), vectorised_min_bytes=0) == [definition(t) for t in texts[1:3]]
    large = pa.array(texts, pa.large_string())
    assert content_hashes(large, vectorised_min_bytes=0) == [definition(t) for t in texts]
    chunked = pa.chunked_array([texts[:1], texts[1:]], pa.string())
    assert content_hashes(chunked, vectorised_min_bytes=0) == [definition(t) for t in texts]


def test_an_empty_column_has_no_hashes_and_nulls_are_refused() -> None:
    assert content_hashes(pa.array([], pa.string())) == []
    with pytest.raises(ValueError, match="must not be null"):
        content_hashes(pa.array(["a", None], pa.string()))
