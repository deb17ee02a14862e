"""The document model's hashes: ``normalised_text`` is exactly the split-and-join definition, fast path or not;
landing counts add up field by field."""

from __future__ import annotations

import dataclasses
import random
import sys

import pytest

from telefeed.models import Document, LandResult, normalised_text, sha256_hex

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def reference(text: str) -> str:
    """The definition the stored content hashes were computed with."""
    return " ".join(text.lower().split())


def test_every_unicode_whitespace_character_is_collapsed_like_str_split() -> None:
    assert len(WHITESPACE) >= 25  # tab, newline, U+00A0, U+2000-U+200A, U+3000, ...
    for space in WHITESPACE:
        for text in (f"a{space}b", f"{space}a", f"a{space}", f"a{space}{space}b", f"A \n{space}B", space):
            assert normalised_text(text) == reference(text), repr(text)


# Texts whose normalisation (and so whose content hash) is easy to get wrong; tests/telefeed/test_hashing.py too.
NORMALISATION_EXAMPLES = [
    "",
    " ",
    "\n",
    "Plain sentence.",
    "First paragraph.\nSecond paragraph.",
    "Double  space",
    "Blank line\n\nbetween, two  spaces and a tab\there",
    " leading and trailing\n",
    "ΟΔΟΣ ΣΟΦΟΣ",  # final sigma depends on context: lower() sees the whole text in both definitions
    "İstanbul DİYARBAKIR",  # lower() of U+0130 adds a combining dot (two characters)
    "Мэр  Харькова\tзаявил\u00a0сегодня\u2028ЁЖИК",
    "zero\u200bwidth and soft\u00adhyphen stay",  # not whitespace for str.split
    "control\x1fseparator",
]


@pytest.mark.parametrize("text", NORMALISATION_EXAMPLES)
def test_examples_match_the_definition(text: str) -> None:
    assert normalised_text(text) == reference(text)


def test_random_texts_match_the_definition() -> None:
    rng = random.Random(11)
    alphabet = [*WHITESPACE, *"abcXYZ.,-ёЖΣσİ", "\x00", "\x7f", "\u200b", "\u00ad"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert normalised_text(text) == reference(text), repr(text)


def test_content_hash_ignores_case_and_whitespace_only_edits() -> None:
    def doc(text: str) -> Document:
        return Document(source="s", kind="post", external_id="1", text=text)

    base = doc("Air defence intercepted most drones.\nThe mayor urged people to stay in shelters.")
    assert (
        base.content_hash
        == doc("air defence  intercepted most drones. \n\nThe MAYOR urged people to stay in shelters.").content_hash
    )
    assert (
        base.content_hash
        != doc("Air defence intercepted all drones.\nThe mayor urged people to stay in shelters.").content_hash
    )


def test_content_hash_follows_a_replaced_text_and_is_not_part_of_equality() -> None:
    def doc(text: str) -> Document:
        return Document(source="s", kind="article", external_id="1", text=text)

    page_text = "The article page's TEXT,\n\nin full."
    entry = doc("Feed summary.")
    summary_hash = entry.content_hash
    entry.text = page_text  # what apply_article does to a feed entry
    assert entry == doc(page_text)  # the hash computed for the old text does not make it unequal
    assert entry.content_hash != summary_hash
    assert entry.content_hash == sha256_hex(normalised_text(page_text)) == doc(page_text).content_hash
    assert dataclasses.replace(entry, text="Feed summary.").content_hash == summary_hash


def test_the_content_hash_is_computed_by_the_landing_not_at_normalisation() -> None:
    from warehouse.db import documents_table

    doc = Document(source="s", kind="post", external_id="1", text="Air defence  intercepted MOST drones.")
    assert doc._hashed_text is None  # building a document hashes nothing
    table = documents_table([doc])
    assert table.column("content_hash").to_pylist() == [sha256_hex("air defence intercepted most drones.")]
    earlier = Document(source="s", kind="post", external_id="2", text=doc.text)
    earlier._hashed_text = (earlier.text, "asked for before the landing")  # as doc.content_hash keeps it
    assert documents_table([earlier]).column("content_hash").to_pylist() == ["asked for before the landing"]
    batch = [doc, earlier]  # one computed before, one not
    assert documents_table(batch).column("content_hash").to_pylist() == [
        sha256_hex("air defence intercepted most drones."),
        "asked for before the landing",
    ]
    earlier.text = "A new text."  # a hash kept for another text is not reused
    assert documents_table([earlier]).column("content_hash").to_pylist() == [sha256_hex("a new text.")]


def test_land_results_add_up_in_every_count() -> None:
    total = LandResult(raw_new=1, documents_new=2, documents_updated=3, documents_unchanged=4, quarantined=5)
    total.add(LandResult(raw_new=10, documents_new=20, documents_updated=30, documents_unchanged=40, quarantined=50))
    assert total == LandResult(
        raw_new=11, documents_new=22, documents_updated=33, documents_unchanged=44, quarantined=55
    )
    assert [f.name for f in dataclasses.fields(LandResult)] == [
        "raw_new",
        "documents_new",
        "documents_updated",
        "documents_unchanged",
        "quarantined",
    ]
