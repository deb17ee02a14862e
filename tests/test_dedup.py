"""Near-duplicates: MinHash story clusters, built incrementally as documents land, for any source kind."""

from __future__ import annotations

import json

import pytest

from extraction.article import extract_article_bytes
from extraction.dedup import (
    MIN_TOKENS,
    KnownDocument,
    NewDocument,
    cluster_documents,
    signature,
    signature_from_bytes,
    signature_to_bytes,
)
from telefeed.models import Document, LandBatch, sha256_hex
from telefeed.pipeline.stories import cluster_new_documents
from tests.conftest import FIXTURES
from warehouse.db import Warehouse

PAGES = FIXTURES / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
SYNDICATED = ["syndicated_a.html", "syndicated_b.html", "syndicated_c.html"]
UNRELATED = ["unrelated_1.html", "unrelated_2.html", "capitals.html"]

REPOST = (
    "Сили оборони збили вночі 26 із 30 ударних дронів, запущених з Курської області. Уламки впали на "
    "два райони Києва, постраждалих немає, повідомили в КМВА. Працювали мобільні вогневі групи."
)


def _article_text(name: str) -> str:
    article = extract_article_bytes((PAGES / name).read_bytes())
    return "\n".join(p for p in (article.title, article.text) if p)


def _new(doc_id: str, text: str) -> NewDocument:
    return NewDocument(doc_id, text, sha256_hex(" ".join(text.split()).lower()))


def test_a_syndicated_story_in_three_outlets_forms_one_cluster_and_unrelated_stories_do_not() -> None:
    names = [SYNDICATED[0], UNRELATED[0], SYNDICATED[1], UNRELATED[1], SYNDICATED[2], UNRELATED[2]]
    assignments = {a.document_id: a for a in cluster_documents([_new(n, _article_text(n)) for n in names])}
    clusters = {a.cluster_id for n, a in assignments.items() if n in SYNDICATED}
    assert clusters == {SYNDICATED[0]}
    assert [assignments[n].method for n in SYNDICATED] == ["new", "minhash", "minhash"]
    assert all(assignments[n].similarity >= 0.5 for n in SYNDICATED)
    for name in UNRELATED:
        assert assignments[name].cluster_id == name and assignments[name].method == "new"


def test_telegram_reposts_cluster_with_the_original_and_a_different_post_does_not() -> None:
    docs = [
        _new("chan_a/1", REPOST),
        _new("chan_b/7", "⚡️ " + REPOST + " Підписуйтесь: @kyiv_now"),
        _new("chan_c/3", "Forwarded from КМВА\n" + REPOST.replace("постраждалих немає", "постраждалих поки немає")),
        _new("chan_d/9", "Сили оборони збили вночі 12 ракет над Львівщиною, уламки пошкодили склад, є поранені."),
    ]
    result = {a.document_id: a for a in cluster_documents(docs)}
    assert result["chan_b/7"].cluster_id == "chan_a/1"
    assert result["chan_c/3"].cluster_id == "chan_a/1"
    assert result["chan_d/9"].cluster_id == "chan_d/9"


def test_exact_duplicates_match_by_hash_even_when_short() -> None:
    short = "Тривога у Києві"
    assert len(short.split()) < MIN_TOKENS
    result = cluster_documents([_new("a", short), _new("b", "  тривога у  КИЄВІ "), _new("c", "Тривога у Львові")])
    assert [(a.cluster_id, a.method) for a in result] == [("a", "new"), ("a", "exact"), ("c", "new")]
    assert result[0].signature is None


def test_known_signatures_are_matched_incrementally() -> None:
    first = cluster_documents([_new("old", _article_text(SYNDICATED[0]))])[0]
    assert first.signature is not None
    known = [KnownDocument("old", first.signature, "h-old", "cluster-1")]
    later = cluster_documents([_new("new", _article_text(SYNDICATED[2]))], known)[0]
    assert (later.cluster_id, later.matched_document_id, later.method) == ("cluster-1", "old", "minhash")


def test_signature_round_trips_through_bytes() -> None:
    sig = signature(REPOST)
    back = signature_from_bytes(signature_to_bytes(sig))
    assert back.jaccard(sig) == 1.0
    assert len(signature_to_bytes(sig)) == 128 * 8


def _doc(source: str, external_id: str, text: str, kind: str = "article") -> Document:
    return Document(source=source, kind=kind, external_id=external_id, text=text, title=None)


def test_clustering_in_the_warehouse_is_incremental_and_idempotent(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    a, b, c = (_article_text(n) for n in SYNDICATED)
    first = [_doc("outlet-a", "a1", a), _doc("outlet-x", "x1", _article_text(UNRELATED[0]))]
    warehouse.land(LandBatch(source="outlet-a", documents=first))
    stats = cluster_new_documents(warehouse, [d.id for d in first])
    assert (stats.documents, stats.new_clusters, stats.joined) == (2, 2, 0)

    second = [_doc("outlet-b", "b1", b), _doc("channel", "777", c, kind="post")]
    warehouse.land(LandBatch(source="outlet-b", documents=second))
    stats = cluster_new_documents(warehouse)  # every document not yet clustered
    assert (stats.documents, stats.new_clusters, stats.joined) == (2, 0, 2)
    assert cluster_new_documents(warehouse).documents == 0  # nothing left to do

    rows = warehouse.query(
        "select document_id, cluster_id, first_source, method from story_clusters order by document_seen_at"
    ).to_pylist()
    story = first[0].id
    by_doc = {r["document_id"]: r for r in rows}
    assert {by_doc[d.id]["cluster_id"] for d in (first[0], *second)} == {story}
    assert all(by_doc[d.id]["first_source"] == "outlet-a" for d in second)
    assert by_doc[first[1].id]["cluster_id"] == first[1].id
    summary = warehouse.query("select documents, sources from story_cluster_summary where cluster_id = ?", [story])
    assert summary.to_pylist() == [{"documents": 3, "sources": 3}]
    signatures = warehouse.query("select count(*) c, count(signature) s from minhash_signatures").to_pylist()
    assert signatures == [{"c": 4, "s": 4}]


@pytest.mark.parametrize("threshold", [0.95])
def test_a_strict_threshold_keeps_edited_copies_apart(threshold: float) -> None:
    docs = [_new(n, _article_text(n)) for n in SYNDICATED]
    assert len({a.cluster_id for a in cluster_documents(docs, threshold=threshold)}) == 3
