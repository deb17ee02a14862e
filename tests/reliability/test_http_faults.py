"""HTTP faults from the 127.0.0.1 server, for feeds and for article pages, in ONE ingest flow run.

Feeds: a 5xx, a timeout, a connection reset, a 50 MB body, a gzip bomb, a redirect loop and two kinds of wrong
Content-Type sit next to good feeds. Each failing source gets a ``runs`` row with its error; every other source
completes and lands its entries. Pages: one feed whose entries link to pages with the same faults; every entry lands,
a failed page leaves the feed summary as the text and the page error in ``page_fetches``.
(Status 500 and a slow feed at the flow level are also in tests/flows/test_rss_ingest.py; the page fetcher's own limits
in tests/connectors/test_articles_fetch.py. Here every fault is in the same run, next to sources that must not notice.)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import ingest
from tests.conftest import FIXTURES, write_sources
from tests.reliability.support import read_only, resetting_server
from tests.support.http_server import FixtureServer

pytestmark = pytest.mark.usefixtures("prefect_harness")

GOOD_FEED = (FIXTURES / "feeds" / "good_rss.xml").read_bytes()
PAGE = (FIXTURES / "pages" / "syndicated_a.html").read_bytes()
MAX_BYTES = 1_000_000
# Only the timeout faults may time out, however loaded the machine: their server answers after SERVER_DELAY, and
# their source waits FAULT_TIMEOUT (the feed) or PAGE_TIMEOUT (every page of the one feed with pages). Every other
# source waits PATIENT_TIMEOUT, so a slow answer under load still shows its own fault, not a timeout.
FAULT_TIMEOUT, PAGE_TIMEOUT, PATIENT_TIMEOUT, SERVER_DELAY = 1.0, 5.0, 10.0, 30.0

# name -> (route options, what the source's error must say)
FAILING_FEEDS: dict[str, tuple[dict[str, Any], str]] = {
    "status_503": ({"status": 503, "body": b"down", "content_type": "text/plain"}, "HTTP 503"),
    "timeout": ({"body": GOOD_FEED, "delay_seconds": SERVER_DELAY}, "timed out"),
    "reset": ({}, "Connection reset by peer"),  # served by resetting_server()
    "huge_50mb": ({"huge_bytes": 50_000_000}, f"exceeds cap of {MAX_BYTES} bytes"),
    "gzip_bomb": ({"gzip_bomb_bytes": 50_000_000}, f"exceeds cap of {MAX_BYTES} bytes"),
    "redirect_loop": ({"redirect_to": "/feeds/redirect_loop"}, "too many redirects"),
}
# Wrong Content-Type: a real feed labelled text/html still lands (servers mislabel feeds all the time); a PNG
# labelled as XML is not a feed: quarantined with the parse error, the run partial.
MISLABELLED_FEED = "feed_as_text_html"
NOT_A_FEED = "png_as_xml"
GOOD_FEEDS = ("good_a", "good_b")

PAGE_FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "p503": ({"status": 503, "body": b"down", "content_type": "text/plain"}, "HTTP 503"),
    "ptimeout": ({"body": PAGE, "content_type": "text/html", "delay_seconds": SERVER_DELAY}, "timed out"),
    "preset": ({}, "ReadError"),  # served by resetting_server(); the page fetcher gives no message (see docs)
    "phuge": ({"huge_bytes": 50_000_000, "content_type": "text/html"}, f"cap of {MAX_BYTES} bytes"),
    "pbomb": ({"gzip_bomb_bytes": 50_000_000, "content_type": "text/html"}, f"cap of {MAX_BYTES} bytes"),
    "ploop": ({"redirect_to": "/pages/ploop"}, "too many redirects"),
    "ppdf": ({"body": b"%PDF-1.4 not a page", "content_type": "application/pdf"}, "not an HTML page"),
}


def _feed(name: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{name} story {n}: {link}</title><link>{link}</link><guid>{name}-{n}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 09:0{n % 10}:00 +0000</pubDate>"
        f"<description>Summary of {name} story {n} kept when its page fails.</description></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>{items}'
        "</channel></rss>"
    ).encode()


def _source(name: str, url: str, fetch_pages: bool = False, timeout: float = PATIENT_TIMEOUT) -> str:
    http = f"http = {{ timeout_seconds = {timeout}, max_bytes = {MAX_BYTES}, retries = 1, backoff_seconds = 0.01 }}"
    pages = str(fetch_pages).lower()
    return f'[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\nfetch_pages = {pages}\n{http}\n'


def test_every_fault_fails_only_its_own_source_or_page_in_one_run(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    with resetting_server() as reset_url:
        _run_and_check(tmp_path, http_server, warehouse_path, reset_url)


def _serve(server: FixtureServer, path: str, route: dict[str, Any], reset_url: str) -> str:
    """Register ``route`` at ``path``; an empty route means the resetting server; returns the URL to use."""
    if not route:
        return reset_url + path
    route = dict(route)
    if "redirect_to" in route:
        route["redirect_to"] = server.url(route["redirect_to"])
    return server.add(path, **route)


def _run_and_check(tmp_path: Path, http_server: FixtureServer, warehouse_path: str, reset_url: str) -> None:
    blocks = []
    for name in GOOD_FEEDS:
        url = http_server.add(f"/feeds/{name}", body=GOOD_FEED.replace(b"good-", f"{name}-".encode()))
        blocks.append(_source(name, url))
    for name, (route, _) in FAILING_FEEDS.items():
        timeout = FAULT_TIMEOUT if name == "timeout" else PATIENT_TIMEOUT
        blocks.append(_source(name, _serve(http_server, f"/feeds/{name}", route, reset_url), timeout=timeout))
    url = http_server.add(f"/feeds/{MISLABELLED_FEED}", body=GOOD_FEED, content_type="text/html; charset=utf-8")
    blocks.append(_source(MISLABELLED_FEED, url))
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    url = http_server.add(f"/feeds/{NOT_A_FEED}", body=png, content_type="application/rss+xml")
    blocks.append(_source(NOT_A_FEED, url))

    page_urls = [http_server.add("/pages/good", body=PAGE, content_type="text/html; charset=utf-8")]
    page_urls += [_serve(http_server, f"/pages/{name}", route, reset_url) for name, (route, _) in PAGE_FAULTS.items()]
    url = http_server.add("/feeds/with_pages", body=_feed("with_pages", page_urls))
    blocks.append(_source("with_pages", url, fetch_pages=True, timeout=PAGE_TIMEOUT))
    sources = write_sources(tmp_path, "\n".join(blocks))

    clock = time.perf_counter()
    results = {r["source"]: r for r in ingest(sources_path=sources, warehouse_path=warehouse_path, extract=False)}
    elapsed = time.perf_counter() - clock

    with read_only(warehouse_path) as con:
        runs = {
            row[0]: row[1:] for row in con.execute("SELECT source, status, error_message, new FROM runs").fetchall()
        }
        per_source = dict(con.execute("SELECT source, count(*) FROM documents GROUP BY source").fetchall())
        cursors = dict(con.execute("SELECT source, etag FROM cursors").fetchall())
        quarantine = con.execute("SELECT source, reason FROM quarantine").fetchall()
        pages = {
            row[0]: (row[1], row[2], {"page_url": row[3], "page_status": row[4], "page_error": row[5]})
            for row in con.execute(
                "SELECT d.external_id, d.text, d.summary, d.metadata->>'page_url', p.last_status, p.last_error "
                "FROM documents d LEFT JOIN page_fetches p ON p.document_id = d.id WHERE d.source = 'with_pages'"
            ).fetchall()
        }
        page_raw = con.execute(
            "SELECT count(*) FROM raw_items WHERE source = 'with_pages' AND item_kind = 'article_page'"
        ).fetchone()

    assert set(runs) == set(results) == {*GOOD_FEEDS, *FAILING_FEEDS, MISLABELLED_FEED, NOT_A_FEED, "with_pages"}
    for name in GOOD_FEEDS:
        assert runs[name] == ("ok", None, 3), (name, runs[name])
        assert per_source[name] == 3
    for name, (_, error) in FAILING_FEEDS.items():
        status, message, new = runs[name]
        assert status == "failed" and message and error in message, (name, runs[name])
        assert new == 0 and name not in per_source and name not in cursors  # nothing half-landed, cursor unmoved
    assert runs[MISLABELLED_FEED] == ("ok", None, 3)
    status, message, _ = runs[NOT_A_FEED]
    assert status == "partial" and message and message.startswith("ill-formed feed"), runs[NOT_A_FEED]
    assert [r for s, r in quarantine if s == NOT_A_FEED] and all(
        "feed could not be parsed" in r for s, r in quarantine if s == NOT_A_FEED
    )
    # Timeouts are bounded: two attempts of FAULT_TIMEOUT or PAGE_TIMEOUT, not the server's delay (plus Prefect's
    # overhead; the sources run concurrently).
    assert elapsed < 2 * SERVER_DELAY, elapsed

    # Pages: every entry landed; the good page replaced the summary; each failed page kept it, with its error.
    assert runs["with_pages"][0] == "partial" and runs["with_pages"][2] == len(page_urls)
    assert results["with_pages"]["errors"] == len(PAGE_FAULTS)
    by_path = {meta.get("page_url") or path: (text, summary, meta) for path, (text, summary, meta) in pages.items()}
    assert len(pages) == len(page_urls), sorted(pages)
    good = next(v for v in pages.values() if v[2].get("page_status") == "ok")
    assert good[0] != good[1] and len(good[0]) > 200
    failed = [v for v in pages.values() if v[2].get("page_status") != "ok"]
    assert len(failed) == len(PAGE_FAULTS), by_path
    for text, summary, meta in failed:
        assert text == summary and text.startswith("Summary of with_pages story"), (text, meta)
        assert meta["page_status"] in ("failed", "no_text") and meta["page_error"], meta
    errors = sorted(meta["page_error"] for _, _, meta in failed)
    for name, (_, error) in PAGE_FAULTS.items():
        assert any(error in e for e in errors), (name, error, errors)
    assert page_raw == (len(page_urls),)  # every fetch, failed or not, is in the raw layer
