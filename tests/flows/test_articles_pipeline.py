"""Article pages end to end: the ingest flow fetches each new entry's page from 127.0.0.1, lands the clean
article (or the feed summary with the reason the page failed), keeps the compressed HTML in the raw layer,
identifies the language and clusters stories; a rerun fetches no page twice."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.pages import page_body_from_payload
from flows.ingest import ingest
from telefeed.config import load_sources
from telefeed.models import Document, LandBatch
from telefeed.pipeline import ingest_source
from tests.conftest import REPO_ROOT, write_rss_sources, write_sources
from tests.support.http_server import FixtureServer
from tests.support.pages import EXPECTED, PAGES
from warehouse.articles import PageFetchState, documents_to_refetch, page_fetch_states, page_payloads
from warehouse.db import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

MAX_BYTES = 2_000_000


def _feed(server: FixtureServer, entries: list[tuple[str, str, str]]) -> bytes:
    items = "\n".join(
        f"""<item><title>{title}</title><link>{server.url(path)}</link><guid isPermaLink="false">{path}</guid>
<pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate><description>{summary}</description></item>"""
        for path, title, summary in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test outlet</title>
<link>{server.url("/")}</link><language>en</language>{items}</channel></rss>""".encode()


ENTRIES = [
    ("/news/a", "Ukraine strikes ammunition depot near Berdiansk", "Ukraine said it hit a depot near Berdiansk."),
    ("/news/cp1251", "Свет в Харькове", "Энергетики восстановили электроснабжение в Харькове."),
    ("/news/huge", "A very large page", "Teaser text of the huge page, kept when the page fails."),
    ("/news/missing", "A page that is gone", "Teaser of a page that answers 404."),
    ("/news/old-address", "NATO allies pledge more HIMARS ammunition", "Teaser of the moved page."),
]


def _serve(server: FixtureServer) -> None:
    server.add("/feed.xml", body=_feed(server, ENTRIES))
    server.add("/news/a", body=(PAGES / "syndicated_a.html").read_bytes(), content_type="text/html; charset=utf-8")
    server.add("/news/cp1251", body=(PAGES / "cp1251.html").read_bytes(), content_type="text/html")
    server.add("/news/huge", huge_bytes=50_000_000, content_type="text/html")
    server.add("/news/old-address", redirect_to=server.url("/news/new-address"))
    server.add("/news/new-address", body=(PAGES / "capitals.html").read_bytes(), content_type="text/html")


HTTP_OPTIONS = f"http = {{ timeout_seconds = 5, max_bytes = {MAX_BYTES}, retries = 1, backoff_seconds = 0.05 }}"


def _sources(tmp_path: Path, server: FixtureServer, options: str = HTTP_OPTIONS) -> str:
    """A sources file with the one feed ``outlet`` at ``/feed.xml`` and the given source options."""
    return write_rss_sources(tmp_path, {"outlet": server.url("/feed.xml")}, options)


def _documents(path: str) -> dict[str, dict[str, Any]]:
    rows = Warehouse(path).query("select * from documents").to_pylist()
    return {r["external_id"]: {**r, "metadata": json.loads(r["metadata"])} for r in rows}


def _page_fetches(path: str, source: str = "outlet") -> dict[str, PageFetchState]:
    return page_fetch_states(Warehouse(path), source)


def test_pages_are_fetched_cleaned_and_failures_fall_back_to_the_summary(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    _serve(http_server)
    sources = _sources(tmp_path, http_server)
    clock = time.perf_counter()
    result = ingest(sources_path=sources, warehouse_path=warehouse_path)[0]
    elapsed = time.perf_counter() - clock
    assert result["new"] == 5, result
    assert result["status"] == "partial" and result["errors"] == 2  # the huge page and the 404
    assert elapsed < 60
    docs = _documents(warehouse_path)

    article = docs["/news/a"]
    assert article["text"].split("\n") == EXPECTED["syndicated_a.html"]["main"]
    assert article["removed_lines"] == EXPECTED["syndicated_a.html"]["removed"]
    assert article["summary"] == "Ukraine said it hit a depot near Berdiansk."
    assert article["language"] == "en"
    pages = _page_fetches(warehouse_path)
    assert pages["/news/a"].status == "ok" and article["metadata"]["site_name"] == "Kyiv Courier"
    assert not {"page_status", "page_error", "page_retry", "page_attempts"} & set(article["metadata"])
    assert article["author"] == "Jane Doe"

    russian = docs["/news/cp1251"]
    assert russian["text"].split("\n") == EXPECTED["cp1251.html"]["main"]
    assert russian["language"] == "ru" and russian["metadata"]["declared_language"] == "en"
    assert russian["metadata"]["encoding"] == "cp1251"

    huge = docs["/news/huge"]
    assert huge["text"] == "Teaser text of the huge page, kept when the page fails."
    assert pages["/news/huge"].status == "failed"
    assert f"cap of {MAX_BYTES} bytes" in (pages["/news/huge"].error or "")

    missing = docs["/news/missing"]
    assert missing["text"] == "Teaser of a page that answers 404."
    assert (pages["/news/missing"].error, pages["/news/missing"].http_status) == ("HTTP 404", 404)
    assert not pages["/news/missing"].retry and pages["/news/missing"].attempts == 1

    moved = docs["/news/old-address"]
    assert moved["metadata"]["page_url"] == http_server.url("/news/new-address")
    assert moved["text"].split("\n") == EXPECTED["capitals.html"]["main"]
    assert len(http_server.requests_to("/news/new-address")) == 1

    # Raw layer: every fetch is recorded; successful pages keep their compressed HTML, failures their reason.
    payloads = {p["external_id"]: p for p in page_payloads(Warehouse(warehouse_path), "outlet")}
    assert set(payloads) == {path for path, _, _ in ENTRIES}
    assert page_body_from_payload(payloads["/news/cp1251"]) == (PAGES / "cp1251.html").read_bytes()
    assert payloads["/news/huge"]["truncated"] is True and "html" not in payloads["/news/huge"]
    assert payloads["/news/missing"]["status"] == 404
    stored = Warehouse(warehouse_path).query(
        "select max(length(payload)) from raw_items where item_kind = 'article_page'"
    )
    assert stored.column(0)[0].as_py() < 20_000  # compressed, and the 50 MB body was not kept

    user_agents = {r.headers.get("user-agent") for r in http_server.requests_to("/news/a")}
    assert user_agents and all(ua and ua.startswith("telefeed/") for ua in user_agents)

    # Every document is clustered (five unrelated stories: five clusters).
    clusters = Warehouse(warehouse_path).query("select count(*), count(distinct cluster_id) from story_clusters")
    assert clusters.to_pylist()[0] == {"count_star()": 5, "count(DISTINCT cluster_id)": 5}


def test_rerun_adds_no_page_fetches_for_known_entries(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    _serve(http_server)
    sources = _sources(tmp_path, http_server)
    (source,) = load_sources(sources)
    warehouse = Warehouse(warehouse_path)
    first = ingest_source(source, warehouse, "run-1")
    assert first.new == 5
    page_paths = ["/news/a", "/news/cp1251", "/news/missing", "/news/old-address"]
    before = {p: len(http_server.requests_to(p)) for p in page_paths}
    assert all(count >= 1 for count in before.values())
    raw_before = warehouse.query("select count(*) from raw_items").column(0)[0].as_py()

    second = ingest_source(source, warehouse, "run-2")  # the feed has no validators: it is read again
    assert second.new == 0 and second.skipped == 5 and second.errors == 0 and second.status == "ok"
    assert {p: len(http_server.requests_to(p)) for p in page_paths} == before
    assert len(http_server.requests_to("/feed.xml")) == 2
    assert warehouse.query("select count(*) from raw_items").column(0)[0].as_py() == raw_before
    assert _documents(warehouse_path)["/news/a"]["metadata"]["site_name"] == "Kyiv Courier"  # not overwritten
    assert _page_fetches(warehouse_path)["/news/a"].status == "ok"


def test_new_entries_in_a_known_feed_get_their_page(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    _serve(http_server)
    (source,) = load_sources(_sources(tmp_path, http_server))
    warehouse = Warehouse(warehouse_path)
    ingest_source(source, warehouse, "run-1")
    http_server.add("/news/b", body=(PAGES / "unrelated_2.html").read_bytes(), content_type="text/html")
    http_server.add("/feed.xml", body=_feed(http_server, [*ENTRIES, ("/news/b", "Snow", "Snow disrupts trains.")]))
    again = ingest_source(source, warehouse, "run-2")
    assert again.new == 1 and again.skipped == 5
    assert len(http_server.requests_to("/news/b")) == 1
    assert len(http_server.requests_to("/news/a")) == 1
    doc = _documents(warehouse_path)["/news/b"]
    assert doc["text"].split("\n") == EXPECTED["unrelated_2.html"]["main"]


def _flaky_outlet(tmp_path: Path, server: FixtureServer, page_attempts: int = 3) -> str:
    """A feed with validators (reruns get 304) whose second entry's page answers 503 (``/news/flaky``)."""
    entries = [ENTRIES[0], ("/news/flaky", "Grid repairs continue", "Teaser of a page behind a busy server.")]
    server.add("/feed.xml", body=_feed(server, entries), etag='"v1"')
    server.add("/news/a", body=(PAGES / "syndicated_a.html").read_bytes(), content_type="text/html; charset=utf-8")
    server.add("/news/flaky", status=503, body=b"busy", content_type="text/html")
    options = f"page_attempts = {page_attempts}\nhttp = {{ timeout_seconds = 5, retries = 0, backoff_seconds = 0.01 }}"
    return _sources(tmp_path, server, options)


def test_a_page_that_failed_on_a_5xx_is_fetched_again_by_the_next_run(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    (source,) = load_sources(_flaky_outlet(tmp_path, http_server))
    warehouse = Warehouse(warehouse_path)
    first = ingest_source(source, warehouse, "run-1")
    assert (first.new, first.errors, first.status) == (2, 1, "partial")
    flaky = _documents(warehouse_path)["/news/flaky"]
    assert flaky["text"] == "Teaser of a page behind a busy server." and flaky["revision"] == 1
    state = _page_fetches(warehouse_path)["/news/flaky"]
    assert (state.status, state.retry, state.attempts, state.http_status) == ("failed", True, 1, 503)

    assert flaky["language"] == "en"  # detected on the English teaser
    http_server.add("/news/flaky", body=(PAGES / "cp1251.html").read_bytes(), content_type="text/html")
    second = ingest_source(source, warehouse, "run-2")  # the feed answers 304: the page is retried anyway
    assert (second.status, second.new, second.updated, second.errors) == ("not_modified", 0, 1, 0)
    flaky = _documents(warehouse_path)["/news/flaky"]
    assert flaky["text"].split("\n") == EXPECTED["cp1251.html"]["main"]
    assert flaky["language"] == "ru" and flaky["metadata"]["declared_language"] == "en"  # as for a new entry
    assert flaky["summary"] == "Teaser of a page behind a busy server." and flaky["revision"] == 2
    state = _page_fetches(warehouse_path)["/news/flaky"]
    assert (state.status, state.attempts, state.error, state.retry) == ("ok", 2, None, False)
    assert _documents(warehouse_path)["/news/a"]["revision"] == 1
    assert len(http_server.requests_to("/news/a")) == 1

    third = ingest_source(source, warehouse, "run-3")
    assert (third.updated, third.errors) == (0, 0)
    assert (len(http_server.requests_to("/news/flaky")), len(http_server.requests_to("/news/a"))) == (2, 1)


def test_a_page_that_keeps_failing_is_tried_page_attempts_times_and_a_404_once(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    (source,) = load_sources(_flaky_outlet(tmp_path, http_server, page_attempts=2))
    http_server.add("/news/a", status=404, body=b"gone", content_type="text/html")
    warehouse = Warehouse(warehouse_path)
    runs = [ingest_source(source, warehouse, f"run-{n}") for n in range(4)]
    expected = [("partial", 2), ("partial", 1), ("not_modified", 0), ("not_modified", 0)]
    assert [(r.status, r.errors) for r in runs] == expected  # 2nd run: feed not modified, retry failed
    assert (len(http_server.requests_to("/news/flaky")), len(http_server.requests_to("/news/a"))) == (2, 1)
    docs, pages = _documents(warehouse_path), _page_fetches(warehouse_path)
    assert (pages["/news/flaky"].attempts, pages["/news/flaky"].retry) == (2, False)
    assert docs["/news/flaky"]["revision"] == 1  # a failed retry is not a new version of the document
    assert runs[1].updated == 0
    assert (pages["/news/a"].retry, docs["/news/a"]["revision"]) == (False, 1)


def test_entries_over_max_pages_per_run_get_their_page_on_the_next_runs(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    _serve(http_server)
    http_server.add("/feed.xml", body=_feed(http_server, ENTRIES[:3]), etag='"v1"')
    sources = _sources(
        tmp_path, http_server, f"max_pages_per_run = 2\nhttp = {{ max_bytes = {MAX_BYTES}, retries = 0 }}"
    )
    (source,) = load_sources(sources)
    warehouse = Warehouse(warehouse_path)
    first = ingest_source(source, warehouse, "run-1")
    statuses = {k: state.status for k, state in _page_fetches(warehouse_path).items()}
    assert first.new == 3 and statuses == {"/news/a": "ok", "/news/cp1251": "ok", "/news/huge": "skipped"}
    second = ingest_source(source, warehouse, "run-2")  # 304: the skipped entry's page is fetched now
    assert (second.updated, second.errors) == (0, 1)  # the page failed: the document keeps its revision
    assert _documents(warehouse_path)["/news/huge"]["revision"] == 1
    huge = _page_fetches(warehouse_path)["/news/huge"]
    assert huge.status == "failed" and f"cap of {MAX_BYTES} bytes" in (huge.error or "")
    assert (huge.retry, huge.attempts) == (False, 1)  # a size cap is not transient
    ingest_source(source, warehouse, "run-3")
    assert [len(http_server.requests_to(p)) for p in ("/news/a", "/news/cp1251", "/news/huge")] == [1, 1, 1]


def test_bundled_samples_run_offline_and_the_syndicated_story_clusters(tmp_path: Path, warehouse_path: str) -> None:
    results = {
        s.name: ingest_source(s, Warehouse(warehouse_path), "samples")
        for s in load_sources(REPO_ROOT / "sources.toml")
        if s.kind == "rss"
    }
    assert {name: r.status for name, r in results.items()} == {
        "frontline-daily": "ok",
        "eastern-wire": "ok",
        "vesti-severa": "ok",
        "slobozhanski-visti": "ok",
    }
    warehouse = Warehouse(warehouse_path)
    statuses = warehouse.query("select distinct last_status from page_fetches").column(0).to_pylist()
    assert statuses == ["ok"]
    languages = warehouse.query("select source, list(distinct language) l from documents group by source order by 1")
    assert languages.to_pylist() == [
        {"source": "eastern-wire", "l": ["en"]},
        {"source": "frontline-daily", "l": ["en"]},
        {"source": "slobozhanski-visti", "l": ["uk"]},
        {"source": "vesti-severa", "l": ["ru"]},
    ]
    multi = warehouse.query(
        "select s.source_names, s.first_title from story_cluster_summary s where s.documents > 1"
    ).to_pylist()
    assert multi == [
        {
            "source_names": ["eastern-wire", "frontline-daily"],
            "first_title": "Wagner chief says fighters will leave Bakhmut",
        }
    ]
    promo = warehouse.query("select count(*) from documents where text ilike '%get the frontline daily app%'")
    assert promo.column(0)[0].as_py() == 0


def test_a_broken_page_archive_keeps_summaries_and_records_why(tmp_path: Path, warehouse_path: str) -> None:
    feed = REPO_ROOT / "samples" / "feeds" / "eastern_wire.xml"
    (tmp_path / "empty-archive").mkdir()
    sources = write_sources(
        tmp_path,
        f"""
[[sources]]
name = "eastern"
kind = "rss"
url = "{feed}"
page_archive = "empty-archive"
""",
    )
    (source,) = load_sources(sources)
    stats = ingest_source(source, Warehouse(warehouse_path), "r")
    assert stats.new == 3 and stats.status == "partial"
    assert stats.error_message and "no index.json" in stats.error_message
    docs = _documents(warehouse_path)
    pages = _page_fetches(warehouse_path, "eastern")
    assert {state.status for state in pages.values()} == {"failed"} and len(pages) == 3
    assert all("no index.json" in (state.error or "") for state in pages.values())
    assert all(d["text"] == d["summary"] for d in docs.values())


def test_entries_beyond_max_pages_per_run_keep_their_summary(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    _serve(http_server)
    sources = _sources(tmp_path, http_server, "max_pages_per_run = 1")
    (source,) = load_sources(sources)
    stats = ingest_source(source, Warehouse(warehouse_path), "r")
    assert stats.new == 5 and stats.errors == 0
    statuses = sorted(state.status for state in _page_fetches(warehouse_path).values())
    assert statuses == ["ok", "skipped", "skipped", "skipped", "skipped"]
    assert len(http_server.requests_to("/news/cp1251")) == 0


def test_documents_left_unclustered_by_a_failed_run_are_clustered_by_the_next_run(warehouse_path: str) -> None:
    (source,) = [s for s in load_sources(REPO_ROOT / "sources.toml") if s.name == "eastern-wire"]

    def crash(warehouse: Warehouse) -> None:
        raise RuntimeError("killed before clustering")

    first = ingest_source(source, Warehouse(warehouse_path), "crashed", clustering=crash)
    assert first.new == 3 and first.status == "partial" and "story clustering failed" in (first.error_message or "")
    unclustered = (
        "select count(*) from documents d where not exists (select 1 from story_clusters c where c.document_id = d.id)"
    )
    assert Warehouse(warehouse_path).query(unclustered).column(0)[0].as_py() == 3
    second = ingest_source(source, Warehouse(warehouse_path), "rerun")
    assert second.new == 0 and second.status in ("ok", "not_modified")
    assert Warehouse(warehouse_path).query(unclustered).column(0)[0].as_py() == 0


def test_migration_moves_page_state_out_of_stored_documents(warehouse_path: str) -> None:
    """Documents landed before ``page_fetches`` kept the state in metadata: the migration moves it, and an
    unchanged document landed again afterwards is still unchanged (its version hash was recomputed)."""
    old_state = {
        "/news/flaky": {"page_status": "failed", "page_error": "HTTP 503", "page_http_status": 503},
        "/news/a": {"page_status": "ok", "page_http_status": 200, "page_url": "https://outlet.test/news/a"},
    }
    old_state["/news/flaky"].update({"page_retry": True, "page_attempts": 2})

    def document(external_id: str, metadata: dict[str, Any]) -> Document:
        url = f"https://outlet.test{external_id}"
        return Document("outlet", "article", external_id, f"Text of {external_id}.", url=url, metadata=metadata)

    warehouse = Warehouse(warehouse_path)
    warehouse.land(LandBatch("outlet", documents=[document(k, dict(v)) for k, v in old_state.items()]))
    warehouse.query("DROP TABLE page_fetches; DELETE FROM schema_version WHERE version = 80")

    migrated = Warehouse(warehouse_path)
    pages = _page_fetches(warehouse_path)
    assert (pages["/news/flaky"].status, pages["/news/flaky"].attempts, pages["/news/flaky"].retry) == (
        "failed",
        2,
        True,
    )
    assert (pages["/news/flaky"].error, pages["/news/flaky"].http_status) == ("HTTP 503", 503)
    assert (pages["/news/a"].status, pages["/news/a"].attempts, pages["/news/a"].retry) == ("ok", 1, False)
    docs = _documents(warehouse_path)
    assert docs["/news/flaky"]["metadata"] == {}
    assert docs["/news/a"]["metadata"] == {"page_url": "https://outlet.test/news/a"}
    again = migrated.land(LandBatch("outlet", documents=[document(k, d["metadata"]) for k, d in docs.items()]))
    assert (again.documents_unchanged, again.documents_updated) == (2, 0)
    due = documents_to_refetch(migrated, "outlet", 10)
    assert [(doc.external_id, state.attempts) for doc, state in due] == [("/news/flaky", 2)]
