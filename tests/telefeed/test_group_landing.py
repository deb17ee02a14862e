"""Several sources landed together (a run's group of feeds): one transaction for many sources gives each source
the counts and rows it gets when landed alone; a batch that cannot land fails alone; ``ingest_sources`` lands a
group of local feeds in one open warehouse file, and a source that fails there fails alone."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from telefeed.config import load_sources
from telefeed.models import Cursor, Document, LandBatch, LandResult, Quarantined, RawItem
from telefeed.pipeline import SourceStats, ingest_sources
from telefeed.resources import Resources
from telefeed.stopping import StopRequest
from tests.conftest import write_sources
from tests.support.feeds import rss_feed
from tests.support.http_server import FixtureServer
from tests.support.warehouse import CountingOpener
from warehouse.articles import land_together
from warehouse.db import Warehouse, land_batches_in_transaction

STORED = {
    "documents": "select id, source, external_id, text, title, revision from documents order by id",
    "raw_items": "select source, external_id, item_kind, content_hash from raw_items order by all",
    "quarantine": "select source, external_id, stage, reason from quarantine order by all",
    "cursors": "select source, etag, last_modified, last_id, last_date, state from cursors order by source",
    "run_documents": "select run_id, document_id from run_documents order by all",
}


def _doc(source: str, external_id: str, **changes: Any) -> Document:
    doc = Document(
        source=source,
        kind="article",
        external_id=external_id,
        text=f"Story {external_id} of {source}.",
        title=f"Story {external_id}",
        published_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        language="en",
    )
    return dataclasses.replace(doc, **changes)


def _batch(source: str, ids: list[str], cursor: Cursor | None = None, **changes: Any) -> LandBatch:
    return _landing_of([_doc(source, i, **changes) for i in ids], cursor)


def _landing_of(documents: list[Document], cursor: Cursor | None = None) -> LandBatch:
    raw = [RawItem(d.source, d.external_id, "rss_entry", {"title": d.title, "text": d.text}) for d in documents]
    return LandBatch(documents[0].source, raw, documents, [], cursor)


def _stored(wh: Warehouse) -> dict[str, list[dict[str, Any]]]:
    return {name: wh.query(sql).to_pylist() for name, sql in STORED.items()}


def _counts(result: LandResult | Exception) -> tuple[int, ...]:
    assert isinstance(result, LandResult), result
    r = result
    return (r.raw_new, r.documents_new, r.documents_updated, r.documents_unchanged, r.quarantined)


def _fresh(tmp_path: Path, name: str) -> Warehouse:
    warehouse = Warehouse(tmp_path / f"{name}.duckdb")
    warehouse.migrate()
    return warehouse


def test_sources_landed_together_get_the_counts_and_rows_of_landing_each_alone(tmp_path: Path) -> None:
    earlier = [_batch("b", ["1", "2"])]
    bad_row = Quarantined("c", "x", "parse", "no title, no link", "<item/>")
    batches = [
        _batch("a", ["1", "2"], Cursor("a", etag='"v2"', last_modified="Mon, 23 Nov 2026 08:00:00 GMT")),
        _landing_of([_doc("b", "1", text="Story 1 of b, corrected."), _doc("b", "3")]),  # an update; no cursor
        LandBatch("c", quarantine=[bad_row], cursor=Cursor("c", last_date=datetime(2026, 11, 1, tzinfo=UTC))),
    ]
    together, alone = _fresh(tmp_path, "together"), _fresh(tmp_path, "alone")
    for warehouse in (together, alone):
        for batch in earlier:
            warehouse.land(batch, "earlier")
    outcomes = land_together(together, [(batch, []) for batch in batches], "run")
    one_by_one = {batch.source: alone.land(batch, "run") for batch in batches}
    assert {s: _counts(o) for s, o in outcomes.items()} == {s: _counts(r) for s, r in one_by_one.items()}
    assert _counts(outcomes["a"]) == (2, 2, 0, 0, 0)
    assert _counts(outcomes["b"]) == (2, 1, 1, 0, 0)
    assert _counts(outcomes["c"]) == (0, 0, 0, 0, 1)
    assert _stored(together) == _stored(alone)
    assert [c["source"] for c in _stored(together)["cursors"]] == ["a", "c"]


def test_a_batch_that_cannot_land_fails_alone_and_stores_nothing(tmp_path: Path) -> None:
    warehouse = _fresh(tmp_path, "w")
    good_a = _batch("a", ["1"], Cursor("a", etag='"a1"'))
    broken = _batch("b", ["1"], Cursor("b", etag='"b1"'), kind=None)  # documents.kind is NOT NULL
    good_c = _batch("c", ["1", "2"], Cursor("c", etag='"c1"'))
    outcomes = land_together(warehouse, [(good_a, []), (broken, []), (good_c, [])], "run")
    assert isinstance(outcomes["b"], duckdb.ConstraintException)
    assert _counts(outcomes["a"]) == (1, 1, 0, 0, 0) and _counts(outcomes["c"]) == (2, 2, 0, 0, 0)
    stored = _stored(warehouse)
    assert sorted({d["source"] for d in stored["documents"]}) == ["a", "c"]
    assert sorted({r["source"] for r in stored["raw_items"]}) == ["a", "c"]  # nothing of b, not even raw items
    assert [c["source"] for c in stored["cursors"]] == ["a", "c"]


def test_one_transaction_takes_one_batch_per_source(tmp_path: Path) -> None:
    warehouse = _fresh(tmp_path, "w")
    with pytest.raises(ValueError, match="one batch per source"), warehouse.transaction() as con:
        land_batches_in_transaction(con, [_batch("a", ["1"]), _batch("a", ["2"])], "run")


def _rss(items: int, name: str) -> bytes:
    return rss_feed(name, items, ids_are_links=True)  # relative ids would make a read of stored ids per feed


def _local_feeds(tmp_path: Path, bodies: dict[str, bytes]) -> str:
    lines = ""
    for name, body in bodies.items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(body)
        lines += f'[[sources]]\nname = "{name}"\nkind = "rss"\nfetch_pages = false\nurl = "{path}"\n\n'
    return write_sources(tmp_path, lines)


def _ingest_counting_opens(sources: list[Any], wh: Warehouse) -> tuple[list[SourceStats], int]:
    """``ingest_sources`` over ``sources`` (no clustering) into ``wh``'s file, and how many times it opened it."""
    opener = CountingOpener()
    with Resources() as resources:
        results = ingest_sources(sources, Warehouse(wh.path, opener=opener), "run", resources, cluster=False)
    return results, len(opener.opened)


def test_a_group_of_feeds_lands_in_one_open_file_and_a_bad_feed_fails_alone(tmp_path: Path) -> None:
    bodies = {"f1": _rss(3, "f1"), "empty": b"", "f2": _rss(4, "f2"), "gone": b"", "f3": _rss(2, "f3")}
    sources = load_sources(_local_feeds(tmp_path, bodies))
    (tmp_path / "gone.xml").unlink()  # the file is missing: the fetch fails
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    results, opened = _ingest_counting_opens(sources, wh)
    assert [(r.source, r.status, r.new) for r in results] == [
        ("f1", "ok", 3),
        ("empty", "failed", 0),
        ("f2", "ok", 4),
        ("gone", "failed", 0),
        ("f3", "ok", 2),
    ]
    assert "empty feed" in (results[1].error_message or "") and results[1].quarantined == 1
    assert opened == 2  # the cursors of the group in one read, then one file for every landing and run row
    runs = wh.query("select source, status from runs order by source").to_pylist()
    assert runs == [{"source": r.source, "status": r.status} for r in sorted(results, key=lambda r: r.source)]
    cursors = wh.query("select source from cursors order by source").column(0).to_pylist()
    assert cursors == ["f1", "f2", "f3"]


def test_a_stop_lands_the_fetched_sources_and_starts_no_other(tmp_path: Path, http_server: FixtureServer) -> None:
    slow = http_server.add("/slow.xml", body=_rss(2, "slow"), delay_seconds=1.0)
    local = _local_feeds(tmp_path, {f"f{n}": _rss(2, f"f{n}") for n in range(3)})
    body = f'[[sources]]\nname = "slow"\nkind = "rss"\nfetch_pages = false\nurl = "{slow}"\n\n'
    sources = load_sources(write_sources(tmp_path, body + Path(local).read_text(encoding="utf-8")))
    wh = Warehouse(tmp_path / "w.duckdb")
    stop = StopRequest()

    def stop_once_the_feed_is_asked_for() -> None:
        deadline = time.monotonic() + 30
        while not http_server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set("SIGTERM")  # while the slow feed is being fetched (it answers after a second)

    stopper = threading.Thread(target=stop_once_the_feed_is_asked_for)
    stopper.start()
    with Resources() as resources:
        results = ingest_sources(sources, wh, "run", resources, cluster=False, stop=stop)
    stopper.join()
    assert [(r.source, r.status) for r in results] == [
        ("slow", "ok"),
        ("f0", "not_run"),
        ("f1", "not_run"),
        ("f2", "not_run"),
    ]
    assert "SIGTERM" in (results[1].error_message or "")
    assert wh.query("select source, count(*) as n from documents group by source").to_pylist() == [
        {"source": "slow", "n": 2}
    ]
    assert wh.query("select source from runs union all select source from cursors").column(0).to_pylist() == [
        "slow",
        "slow",
    ]


def test_a_group_lands_whenever_it_holds_a_thousand_rows_and_a_large_feed_in_several_transactions(
    tmp_path: Path,
) -> None:
    sources = load_sources(_local_feeds(tmp_path, {"a": _rss(300, "a"), "b": _rss(300, "b"), "c": _rss(600, "c")}))
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    results, opened = _ingest_counting_opens(sources, wh)
    assert [(r.source, r.status, r.new) for r in results] == [("a", "ok", 300), ("b", "ok", 300), ("c", "ok", 600)]
    assert opened == 3  # the cursors; a and b (1,200 rows) landed before c was fetched; then c
    stored = wh.query("select source, count(*) as n from documents group by source order by source").to_pylist()
    assert stored == [{"source": "a", "n": 300}, {"source": "b", "n": 300}, {"source": "c", "n": 600}]
    assert wh.query("select source from cursors order by source").column(0).to_pylist() == ["a", "b", "c"]
