"""Warehouse.land on a real DuckDB file: new / unchanged / updated documents and the version hash DuckDB computes."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from telefeed.hashing import VECTORISED_MIN_BYTES
from telefeed.models import Document, LandBatch, sha256_hex
from warehouse.db import Warehouse, version_hash_sql


def _doc(external_id: str, **changes: object) -> Document:
    doc = Document(
        source="wire",
        kind="article",
        external_id=external_id,
        text=f"Text of story {external_id}. Бахмут.",
        url=f"https://example.org/{external_id}",
        title=f"Story {external_id}",
        author="A. Writer",
        published_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        language="en",
        summary="teaser",
        metadata={"site": "example", "tags": ["a", "b"]},
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def _stored(wh: Warehouse) -> dict[str, tuple[int, str, str]]:
    """external_id -> (revision, stored version hash, hash recomputed from the stored row)."""
    table = wh.query(f"SELECT external_id, revision, version_hash, {version_hash_sql()} AS recomputed FROM documents")
    return {r["external_id"]: (r["revision"], r["version_hash"], r["recomputed"]) for r in table.to_pylist()}


def test_relanding_the_same_documents_changes_nothing(wh: Warehouse) -> None:
    first = wh.land(LandBatch(source="wire", documents=[_doc("1"), _doc("2"), _doc("2")]))
    again = wh.land(LandBatch(source="wire", documents=[_doc("1"), _doc("2")]))
    assert (first.documents_new, first.documents_updated, first.documents_unchanged) == (2, 0, 0)
    assert (again.documents_new, again.documents_updated, again.documents_unchanged) == (0, 0, 2)
    stored = _stored(wh)
    assert {k: v[0] for k, v in stored.items()} == {"1": 1, "2": 1}
    assert all(v[1] == v[2] for v in stored.values()), "stored hash is the expression over the stored row"


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Edited text."},
        {"title": "New headline"},
        {"author": None},
        {"url": "https://example.org/moved"},
        {"published_at": datetime(2026, 11, 20, 8, 31, tzinfo=UTC)},
        {"language": "ru"},
        {"metadata": {"site": "example", "tags": ["a"]}},
        {"title": "Story 1A. Writer", "author": None},  # same characters, another split between the fields
        {"title": "Story 1", "author": "A. Writer", "url": None, "metadata": {}},
    ],
)
def test_a_change_of_any_versioned_field_updates_the_row(wh: Warehouse, change: dict[str, object]) -> None:
    wh.land(LandBatch(source="wire", documents=[_doc("1"), _doc("2")]))
    result = wh.land(LandBatch(source="wire", documents=[_doc("1", **change), _doc("2")]))
    assert (result.documents_new, result.documents_updated, result.documents_unchanged) == (0, 1, 1)
    stored = _stored(wh)
    assert stored["1"][0] == 2 and stored["2"][0] == 1
    assert stored["1"][1] == stored["1"][2]
    assert wh.query("SELECT count(*) FROM documents").column(0)[0].as_py() == 2


def test_summary_removed_lines_or_whitespace_and_case_alone_are_not_a_new_version(wh: Warehouse) -> None:
    wh.land(LandBatch(source="wire", documents=[_doc("1")]))
    result = wh.land(LandBatch(source="wire", documents=[_doc("1", summary="other", removed_lines=["PROMO"])]))
    assert (result.documents_updated, result.documents_unchanged) == (0, 1)
    spaced = wh.land(LandBatch(source="wire", documents=[_doc("1", text="TEXT of  story 1.\n Бахмут. ")]))
    assert (spaced.documents_updated, spaced.documents_unchanged) == (0, 1)


def test_version_hash_migration_recomputes_stored_hashes(wh: Warehouse) -> None:
    wh.land(LandBatch(source="wire", documents=[_doc("1"), _doc("2")]))
    before = _stored(wh)
    with wh.transaction() as con:
        con.execute("UPDATE documents SET version_hash = 'computed by an older telefeed'")
    sql = next(sql for version, _, sql in Warehouse.migration_files() if version == 50)
    with wh.transaction() as con:
        con.execute(sql)
    assert _stored(wh) == before
    result = wh.land(LandBatch(source="wire", documents=[_doc("1"), _doc("2")]))
    assert result.documents_unchanged == 2


def test_a_large_batch_stores_the_hashes_and_ids_of_the_same_documents_in_small_batches(tmp_path: Path) -> None:
    """A batch above ``VECTORISED_MIN_BYTES`` has its content hashes computed over the Arrow column at once; they,
    and so the version hashes, are those of the same texts hashed one by one in small batches (as every stored
    row was landed before)."""
    rng = random.Random(3)
    words = ["Мэр", "заявил", "ЁЖИК", "Odesa", "ΟΔΟΣ", "ΣΟΦΟΣ", "İstanbul", "power", "restored", "\u00a0", "\t"]
    separators = [" ", " ", " ", "\n", "\n\n", "  "]
    docs = []
    for i in range(400):
        text = "".join(rng.choice(words) + rng.choice(separators) for _ in range(rng.randint(200, 600)))
        docs.append(_doc(str(i), text=text if i % 5 else text.strip().replace("\n", " ")))
    assert sum(len(d.text.encode()) for d in docs) > VECTORISED_MIN_BYTES
    at_once = Warehouse(tmp_path / "at_once.duckdb")
    small_batches = Warehouse(tmp_path / "small_batches.duckdb")  # in batches small enough to be hashed text by text
    assert at_once.land(LandBatch(source="wire", documents=[dataclasses.replace(d) for d in docs])).documents_new == 400
    with small_batches.session():
        for start in range(0, len(docs), 40):
            batch = docs[start : start + 40]
            assert sum(len(d.text.encode()) for d in batch) < VECTORISED_MIN_BYTES
            small_batches.land(LandBatch(source="wire", documents=batch))
    query = "SELECT id, external_id, content_hash, version_hash FROM documents ORDER BY id"
    stored = at_once.query(query).to_pylist()
    assert stored == small_batches.query(query).to_pylist()
    text_by_id = {d.external_id: d.text for d in docs}
    assert [r["content_hash"] for r in stored] == [
        sha256_hex(" ".join(text_by_id[r["external_id"]].lower().split())) for r in stored
    ]
