"""Page fetcher limits against a real 127.0.0.1 server: concurrency bounds, retries, caps, redirects, archive."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.http import FetchError, HttpLimits
from connectors.pages import HttpPageFetcher, PageArchive, page_body_from_payload, page_raw_payload
from tests.support.http_server import FixtureServer, Route

FAST: dict[str, Any] = {"timeout_seconds": 5.0, "retries": 1, "backoff_seconds": 0.01}
HTML = b"<html><body><p>" + b"Hello " * 50 + b"</p></body></html>"


def test_per_host_limit_bounds_concurrency(http_server: FixtureServer) -> None:
    urls = [http_server.add(f"/slow{i}", body=HTML, content_type="text/html", delay_seconds=0.4) for i in range(4)]
    clock = time.perf_counter()
    results = HttpPageFetcher(HttpLimits(per_host=2, concurrency=8, **FAST)).fetch_many(urls)
    elapsed = time.perf_counter() - clock
    assert all(r.ok for r in results)
    assert elapsed >= 0.8  # 4 pages, 2 at a time, 0.4 s each


def test_overall_limit_bounds_concurrency_across_hosts(http_server: FixtureServer) -> None:
    http_server.add("/s", body=HTML, content_type="text/html", delay_seconds=0.3)
    first = http_server.url("/s")
    second = first.replace("127.0.0.1", "localhost")  # same server, a second host name
    clock = time.perf_counter()
    results = HttpPageFetcher(HttpLimits(per_host=4, concurrency=1, **FAST)).fetch_many([first, second] * 2)
    assert all(r.ok for r in results)
    assert time.perf_counter() - clock >= 1.2  # one at a time


def test_transient_errors_are_retried_with_backoff(http_server: FixtureServer) -> None:
    url = http_server.add("/flaky", Route(body=HTML, content_type="text/html", failures_before_success=2))
    (result,) = HttpPageFetcher(HttpLimits(timeout_seconds=5, retries=2, backoff_seconds=0.01)).fetch_many([url])
    assert result.ok and result.attempts == 3 and result.body == HTML and not result.transient
    url = http_server.add("/down", status=503, body=b"no", content_type="text/plain")
    (down,) = HttpPageFetcher(HttpLimits(**FAST)).fetch_many([url])
    assert not down.ok and down.error == "HTTP 503 (after 2 attempts)" and down.transient  # a later run tries again
    assert len(http_server.requests_to("/down")) == 2


def test_timeouts_and_resets_fail_one_page_only(http_server: FixtureServer) -> None:
    slow = http_server.add("/slow", body=HTML, content_type="text/html", delay_seconds=2)
    reset = http_server.add("/reset", reset=True)
    good = http_server.add("/good", body=HTML, content_type="text/html")
    limits = HttpLimits(timeout_seconds=0.3, retries=0)
    clock = time.perf_counter()
    results = HttpPageFetcher(limits).fetch_many([slow, reset, good])
    assert results[0].error and "timed out" in results[0].error
    assert results[1].error and "timed out" not in results[1].error, "the reset must be seen as a reset"
    assert results[1].error.split(":", 1)[1].strip(), "the error says why"
    assert time.perf_counter() - clock < 2  # nothing waited for the slow page's full delay
    assert results[2].ok
    assert [r.transient for r in results] == [True, True, False]


def test_huge_body_is_cut_off_at_the_cap(http_server: FixtureServer) -> None:
    url = http_server.add("/huge", huge_bytes=50_000_000, content_type="text/html")
    clock = time.perf_counter()
    (result,) = HttpPageFetcher(HttpLimits(max_bytes=1_000_000, **FAST)).fetch_many([url])
    assert time.perf_counter() - clock < 10
    assert result.truncated and len(result.body) == 1_000_000
    assert result.error == "body exceeds cap of 1000000 bytes (cut off)" and not result.transient
    assert "html" not in page_raw_payload(result)


def test_gzip_bomb_is_cut_off_on_decoded_bytes(http_server: FixtureServer) -> None:
    url = http_server.add("/bomb", gzip_bomb_bytes=30_000_000, content_type="text/html")
    (result,) = HttpPageFetcher(HttpLimits(max_bytes=500_000, **FAST)).fetch_many([url])
    assert result.truncated and len(result.body) == 500_000


def test_redirects_are_followed_and_loops_stopped(http_server: FixtureServer) -> None:
    target = http_server.add("/target", body=HTML, content_type="text/html")
    moved = http_server.add("/moved", redirect_to=target)
    http_server.add("/loop", redirect_to=http_server.url("/loop"))
    results = HttpPageFetcher(HttpLimits(**FAST)).fetch_many([moved, http_server.url("/loop")])
    assert results[0].ok and results[0].final_url == target and results[0].status == 200
    assert results[1].error == "too many redirects (more than 5)"
    assert not any(r.transient for r in results)


def test_non_html_and_non_http_are_refused(http_server: FixtureServer) -> None:
    pdf = http_server.add("/doc.pdf", body=b"%PDF-1.4", content_type="application/pdf")
    results = HttpPageFetcher(HttpLimits(**FAST)).fetch_many([pdf, "ftp://example.test/x", "file:///etc/passwd"])
    assert results[0].error == "not an HTML page: content-type application/pdf"
    assert results[1].error and results[1].error.startswith("not an http(s) URL")
    assert results[2].error and results[2].error.startswith("not an http(s) URL")
    assert not any(r.transient for r in results)


def test_user_agent_is_clear(http_server: FixtureServer) -> None:
    url = http_server.add("/ua", body=HTML, content_type="text/html")
    HttpPageFetcher(HttpLimits(**FAST)).fetch_many([url])
    assert http_server.requests_to("/ua")[0].headers["user-agent"].startswith("telefeed/")


def test_payload_round_trips_and_is_deterministic(http_server: FixtureServer) -> None:
    url = http_server.add("/p", body=HTML * 20, content_type="text/html")
    fetcher = HttpPageFetcher(HttpLimits(**FAST))
    http_server.date_header = "Mon, 23 Nov 2026 10:00:00 GMT"
    (one,) = fetcher.fetch_many([url])
    http_server.date_header = "Mon, 23 Nov 2026 10:00:05 GMT"  # the server's Date header changes; the payload must not
    (two,) = fetcher.fetch_many([url])
    payload = page_raw_payload(one)
    assert page_body_from_payload(payload) == HTML * 20
    assert len(payload["html"]) < len(HTML * 20) / 5
    assert payload == page_raw_payload(two)


def test_archive_maps_urls_to_saved_files(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "big.html").write_bytes(b"x" * 2_000)
    index = {
        "https://a.test/1": "a.html",
        "https://a.test/2": {"file": "a.html", "content_type": "text/html; charset=windows-1251", "status": 410},
        "https://a.test/big": "big.html",
        "https://a.test/lost": "lost.html",
    }
    (tmp_path / "index.json").write_text(json.dumps(index), encoding="utf-8")
    results = PageArchive(tmp_path, max_bytes=1_000).fetch_many([*index, "https://a.test/unknown"])
    assert results[0].ok and results[0].body == HTML and results[0].final_url == "https://a.test/1"
    assert results[1].error == "HTTP 410" and results[1].headers["content-type"].endswith("windows-1251")
    assert results[2].truncated and len(results[2].body) == 1_000
    assert results[3].error and results[3].error.startswith("archive file unreadable")
    assert results[4].status == 404


def test_archive_without_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"no index\.json"):
        PageArchive(tmp_path)
