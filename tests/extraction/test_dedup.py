"""Near-duplicates: MinHash story clusters, built incrementally as documents land, for any source kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from datasketch import MinHashLSH

from extraction.article import extract_article_bytes
from extraction.dedup import (
    LSH_BANDS,
    LSH_ROWS,
    MIN_TOKENS,
    NUM_PERM,
    SCHEME,
    SEED,
    THRESHOLD,
    BandIndex,
    KnownDocument,
    NewDocument,
    Signature,
    cluster_documents,
    shingles,
    sign,
    signature,
    signature_from_bytes,
    signature_to_bytes,
)
from telefeed.models import Document, LandBatch, sha256_hex
from telefeed.pipeline.stories import ChunkClusterer, cluster_chunk, cluster_new_documents
from tests.support.pages import PAGES
from warehouse import stories as story_store
from warehouse.db import Warehouse

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


def test_signatures_are_datasketchs_minhash_of_the_shingles() -> None:
    """Signatures share one draw of the permutations; they equal a MinHash that draws its own."""
    from datasketch import MinHash

    for text in (REPOST, "Короткий текст про Бахмут, но не слишком короткий для подписи."):
        fresh = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
        fresh.update_batch([s.encode("utf-8") for s in shingles(text)])
        assert np.array_equal(signature(text).hashvalues, fresh.hashvalues)
        assert np.array_equal(sign(NewDocument("d", text, "h")).signature.hashvalues, fresh.hashvalues)  # type: ignore[union-attr]


def _datasketch_minhash(sig: Signature) -> Any:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=sig.hashvalues, scheme=SCHEME)


def test_the_band_index_finds_the_candidates_datasketchs_lsh_finds() -> None:
    """Signatures that share 0-3 bands with others, some bands shared by several: the same candidate sets."""
    generator = np.random.default_rng(5)
    signatures: dict[str, Signature] = {}
    bases = [generator.integers(0, 2**32, NUM_PERM, dtype=np.uint32) for _ in range(6)]
    for n in range(60):
        values = generator.integers(0, 2**32, NUM_PERM, dtype=np.uint32)
        for band in generator.choice(LSH_BANDS, size=int(generator.integers(0, 4)), replace=False):
            rows = slice(int(band) * LSH_ROWS, (int(band) + 1) * LSH_ROWS)
            values[rows] = bases[int(generator.integers(0, len(bases)))][rows]
        signatures[f"d{n}"] = Signature(values)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
    index = BandIndex()
    for key, sig in list(signatures.items())[:40]:
        lsh.insert(key, _datasketch_minhash(sig))
        index.insert(key, sig)
    found_any = 0
    for sig in signatures.values():
        expected = set(lsh.query(_datasketch_minhash(sig)))
        assert index.query(sig) == expected
        found_any += bool(expected)
    assert found_any > 40  # the 40 indexed find themselves; some of the others share bands


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


# -- clustering in chunks against candidates looked up in the warehouse (issue 7) -----------------------------


def _corpus() -> list[list[Document]]:
    """Landing batches (each its own first_seen_at): syndicated copies, reposts, exact and short duplicates."""
    articles = {n: _article_text(n) for n in SYNDICATED + UNRELATED}
    edited = "Forwarded from КМВА\n" + REPOST.replace("постраждалих немає", "постраждалих поки немає")
    return [
        [_doc("outlet-a", "a1", articles[SYNDICATED[0]]), _doc("chan_a", "1", REPOST, "post")],
        [_doc("outlet-x", "x1", articles[UNRELATED[0]]), _doc("chan_s", "1", "Тривога у Києві", "post")],
        [_doc("outlet-b", "b1", articles[SYNDICATED[1]]), _doc("chan_b", "7", "⚡️ " + REPOST + " @kyiv_now", "post")],
        [_doc("chan_t", "2", "  тривога у  КИЄВІ ", "post"), _doc("outlet-y", "y1", articles[UNRELATED[1]])],
        [_doc("chan_c", "3", edited, "post"), _doc("outlet-c", "c1", articles[SYNDICATED[2]])],
        [_doc("chan_e", "5", REPOST, "post"), _doc("outlet-z", "z1", articles[UNRELATED[2]])],
    ]


def _assignments(warehouse: Warehouse) -> list[tuple[str, str, str | None, str, float]]:
    rows = warehouse.query(
        "select document_id, cluster_id, matched_document_id, method, similarity from story_clusters "
        "order by document_id"
    ).to_pylist()
    return [(r["document_id"], r["cluster_id"], r["matched_document_id"], r["method"], r["similarity"]) for r in rows]


def test_clustering_in_small_chunks_gives_the_same_assignments_as_one_chunk_and_as_in_memory(tmp_path: Path) -> None:
    batches = _corpus()
    results = {}
    for chunk_size in (1000, 3, 1):
        warehouse = Warehouse(tmp_path / f"chunks-{chunk_size}.duckdb")
        for batch in batches:
            warehouse.land(LandBatch(source="mixed", documents=batch))
        stats = cluster_new_documents(warehouse, None, chunk_size=chunk_size)
        assert stats.documents == 12 and stats.chunks == -(-12 // chunk_size)
        results[chunk_size] = _assignments(warehouse)
    assert results[3] == results[1000] and results[1] == results[1000]
    # The same as clustering everything in memory at once (what a single transaction did before chunks).
    docs = [d for batch in batches for d in batch]
    expected = cluster_documents([_new(d.id, d.text) for d in docs])
    assert results[1] == sorted(
        (a.document_id, a.cluster_id, a.matched_document_id, a.method, a.similarity) for a in expected
    )
    by_id = {r[0]: r for r in results[1]}
    a1, chan_a = docs[0].id, docs[1].id
    assert {by_id[d.id][1] for d in (docs[0], docs[4], docs[9])} == {a1}  # syndicated across chunks
    assert {by_id[d.id][1] for d in (docs[1], docs[5], docs[8], docs[10])} == {chan_a}  # reposts and a copy
    assert by_id[docs[10].id][3] == "exact" and by_id[docs[6].id][3] == "exact"  # same content hash


def _seeing_each_chunk(see: Callable[[duckdb.DuckDBPyConnection], object]) -> ChunkClusterer:
    """The default chunk clusterer, after showing ``see`` the connection each chunk is clustered in."""

    def spy(con: duckdb.DuckDBPyConnection, *chunk: Any) -> list[story_store.ClusterRow]:
        see(con)
        return cluster_chunk(con, *chunk)

    return spy


def test_clustering_reopens_the_file_after_chunks_per_session_chunks(tmp_path: Path) -> None:
    """A long pass does not hold one connection: the file is closed and reopened every few chunks, same result."""
    connections: list[duckdb.DuckDBPyConnection] = []  # kept alive, so no two are the same object
    spy = _seeing_each_chunk(connections.append)
    results = {}
    for per_session in (1000, 5):
        warehouse = Warehouse(tmp_path / f"sessions-{per_session}.duckdb")
        for batch in _corpus():
            warehouse.land(LandBatch(source="mixed", documents=batch))
        connections.clear()
        stats = cluster_new_documents(
            warehouse, None, chunk_size=1, chunks_per_session=per_session, chunk_clusterer=spy
        )
        assert stats.documents == 12 and stats.chunks == 12
        chunks_per_connection = [sum(c is con for c in connections) for con in dict.fromkeys(connections)]
        assert chunks_per_connection == ([12] if per_session == 1000 else [5, 5, 2])
        results[per_session] = _assignments(warehouse)
    assert results[5] == results[1000]


def test_chunks_skip_documents_clustered_earlier_whatever_their_position(tmp_path: Path) -> None:
    """Later chunks look up story_clusters only for documents seen since the previous chunk: none is taken twice."""
    warehouse = Warehouse(tmp_path / "preclustered.duckdb")
    for batch in _corpus():
        warehouse.land(LandBatch(source="mixed", documents=batch))
    ordered = warehouse.query(
        "SELECT id FROM documents ORDER BY first_seen_at, coalesce(published_at, first_seen_at), id"
    ).column("id")
    early = [ordered[i].as_py() for i in range(1, len(ordered), 3)]  # spread over every chunk's time range
    assert cluster_new_documents(warehouse, early).documents == len(early)
    before = warehouse.query("SELECT document_id, clustered_at FROM story_clusters ORDER BY document_id")

    stats = cluster_new_documents(warehouse, None, chunk_size=2)
    left = len(ordered) - len(early)
    assert (stats.documents, stats.chunks) == (left, -(-left // 2))  # no chunk took a clustered document
    counts = warehouse.query("SELECT count(*) AS n, count(DISTINCT document_id) AS d FROM story_clusters")
    assert counts.to_pylist() == [{"n": len(ordered), "d": len(ordered)}]
    after = warehouse.query(
        "SELECT document_id, clustered_at FROM story_clusters WHERE document_id IN (SELECT unnest(?)) "
        "ORDER BY document_id",
        [early],
    )
    assert after.equals(before)


def test_chunks_page_through_one_landing_batch_and_past_clustered_documents(tmp_path: Path) -> None:
    """Documents of one landing batch share a first-seen time; chunks after the first page through them by key."""
    warehouse = Warehouse(tmp_path / "pages.duckdb")
    texts = [_article_text(n) for n in SYNDICATED + UNRELATED]
    for start, size in ((0, 9), *((i, 1) for i in range(9, 15))):  # landing batches, each its first-seen time
        docs = [_doc("outlet", str(i), f"{texts[i % len(texts)]} copy {i}") for i in range(start, start + size)]
        warehouse.land(LandBatch(source="outlet", documents=docs))
    order = "ORDER BY first_seen_at, coalesce(published_at, first_seen_at), id"
    ordered = warehouse.query(f"SELECT id FROM documents {order}").column("id").to_pylist()
    assert len(ordered) == 15
    early = ordered[1:7] + ordered[9:13]  # clustered before: most of the 9-document batch, then four batches
    assert cluster_new_documents(warehouse, early).documents == len(early)

    with warehouse.transaction() as con:
        chunks, after = [], None
        while chunk := story_store.documents_to_cluster(con, None, after, 3):
            chunks.append([c.document_id for c in chunk])
            after = chunk[-1].order_key
    assert [len(c) for c in chunks] == [3, 2]
    assert [i for c in chunks for i in c] == [i for i in ordered if i not in early]
    stats = cluster_new_documents(warehouse, None, chunk_size=2)
    assert (stats.documents, stats.chunks) == (5, 3)
    assert warehouse.query("SELECT count(DISTINCT document_id) AS n FROM story_clusters").to_pylist() == [{"n": 15}]


def test_a_document_seen_before_the_window_is_not_a_candidate(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    old = _doc("outlet-a", "a1", _article_text(SYNDICATED[0]))
    copy = _doc("outlet-b", "b1", _article_text(SYNDICATED[1]))
    warehouse.land(LandBatch(source="outlet-a", documents=[old]))
    cluster_new_documents(warehouse)
    with warehouse.transaction() as con:
        con.execute("UPDATE story_clusters SET document_seen_at = document_seen_at - INTERVAL 40 DAY")
    warehouse.land(LandBatch(source="outlet-b", documents=[copy]))
    with warehouse.transaction() as con:
        (row,) = story_store.documents_to_cluster(con, None)
        chunk = [(row.document_id, row.content_hash, signature_to_bytes(signature(row.text)))]
        now = datetime.now(UTC)
        assert story_store.cluster_candidates(con, chunk, now - timedelta(days=30), now) == []
        (candidate,) = story_store.cluster_candidates(con, chunk, now - timedelta(days=60), now)
        assert (candidate.document_id, candidate.cluster_id) == (old.id, old.id)
    stats = cluster_new_documents(warehouse, window_days=30)
    assert (stats.documents, stats.new_clusters, stats.joined) == (1, 1, 0)
    assert {r[0]: r[1] for r in _assignments(warehouse)} == {old.id: old.id, copy.id: copy.id}


def test_documents_of_one_call_match_each_other_across_chunks_whatever_their_age(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    docs = [_doc(f"outlet-{i}", "1", _article_text(name)) for i, name in enumerate(SYNDICATED)]
    for doc in docs:
        warehouse.land(LandBatch(source=doc.source, documents=[doc]))
    with warehouse.transaction() as con:  # landed long ago, never clustered (e.g. a crash before clustering)
        con.execute("UPDATE documents SET first_seen_at = first_seen_at - INTERVAL 90 DAY")
    stats = cluster_new_documents(warehouse, window_days=30, chunk_size=1)
    assert (stats.chunks, stats.new_clusters, stats.joined) == (3, 1, 2)
    assert {r[1] for r in _assignments(warehouse)} == {docs[0].id}


def test_band_keys_in_the_warehouse_agree_with_datasketch_lsh(warehouse_path: str) -> None:
    assert (MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).b, MinHashLSH(threshold=THRESHOLD).r) == (
        LSH_BANDS,
        LSH_ROWS,
    )
    base = signature(_article_text(SYNDICATED[0])).hashvalues.copy()
    other = base + 1  # differs everywhere ...
    other[7 * LSH_ROWS : 8 * LSH_ROWS] = base[7 * LSH_ROWS : 8 * LSH_ROWS]  # ... but in band 7
    first, second = (signature_from_bytes(np.asarray(v, dtype="<u8").tobytes()) for v in (base, other))
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
    lsh.insert("first", _datasketch_minhash(first))
    assert lsh.query(_datasketch_minhash(second)) == ["first"]
    index = BandIndex()
    index.insert("first", first)
    assert index.query(second) == {"first"}
    Warehouse(warehouse_path).migrate()
    with duckdb.connect(warehouse_path) as con:
        con.register(
            "_s", pa.table({"document_id": ["1", "2"], "signature": [signature_to_bytes(s) for s in (first, second)]})
        )
        rows = con.execute(story_store.band_rows_sql("_s")).fetchall()
    keys = {(doc, band): key for doc, band, key in rows}
    assert len(keys) == 2 * LSH_BANDS
    assert [band for band in range(LSH_BANDS) if keys["1", band] == keys["2", band]] == [7]


def test_the_migration_backfills_band_keys_of_signatures_stored_before_it(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    batches = _corpus()
    for batch in batches:
        warehouse.land(LandBatch(source="mixed", documents=batch))
    cluster_new_documents(warehouse)
    bands = "select document_id, band, band_key from minhash_bands order by all"
    written = warehouse.query(bands).to_pylist()
    assert len(written) == LSH_BANDS * 10  # the 12 documents less the 2 short texts without a signature
    with warehouse.transaction() as con:  # as a warehouse was before migration 051
        con.execute(
            "DROP TABLE minhash_bands; DROP MACRO minhash_band_keys; DELETE FROM schema_version WHERE version = 51"
        )
    assert Warehouse(warehouse_path).query(bands).to_pylist() == written


def test_reclustering_a_document_replaces_its_stored_signature_and_band_keys(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    for batch in _corpus():
        warehouse.land(LandBatch(source="mixed", documents=batch))
    cluster_new_documents(warehouse)
    stored = {
        "signatures": "select * exclude (created_at) from minhash_signatures order by all",
        "bands": "select * from minhash_bands order by all",
        "clusters": "select count(*) from story_clusters",
    }
    before = {name: warehouse.query(sql) for name, sql in stored.items()}
    with warehouse.transaction() as con:  # forget two clusterings, keep their signatures and band keys
        con.execute(
            "DELETE FROM story_clusters WHERE document_id IN "
            "(SELECT document_id FROM minhash_signatures WHERE signature IS NOT NULL LIMIT 2)"
        )
    assert warehouse.query(stored["clusters"]) != before["clusters"]
    assert cluster_new_documents(warehouse).documents == 2
    assert {name: warehouse.query(sql) for name, sql in stored.items()} == before  # replaced, not duplicated


def test_story_clustering_runs_under_the_clustering_cap(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    warehouse.writer_memory_limit, warehouse.clustering_memory_limit = "200MB", "48MB"
    docs = [_doc("outlet-a", "a1", _article_text(SYNDICATED[0])), _doc("outlet-b", "b1", _article_text(SYNDICATED[1]))]
    warehouse.land(LandBatch(source="outlet-a", documents=docs))
    caps: list[str] = []

    def memory_cap(con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT current_setting('memory_limit')").fetchone()
        caps.append(str(row[0]) if row else "")

    assert cluster_new_documents(warehouse, chunk_clusterer=_seeing_each_chunk(memory_cap)).documents == 2
    assert caps and all(cap.startswith(("45", "48")) for cap in caps), caps
