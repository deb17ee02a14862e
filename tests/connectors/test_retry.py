"""The one retry helper (telefeed/retry.py) and the HTTP layer honouring Retry-After, against 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.http import FetchError, HttpFetcher, HttpLimits
from connectors.pages import HttpPageFetcher
from telefeed.retry import RetriesExhausted, Retry, RetryPolicy, parse_retry_after, retrying
from tests.support.http_server import FixtureServer, Route


def test_backoff_doubles_up_to_the_cap_and_stops_after_the_attempts() -> None:
    policy = RetryPolicy(attempts=4, backoff_seconds=0.5, max_backoff_seconds=1.5)
    assert [policy.wait_before(n, 0.0, None) for n in (2, 3, 4, 5)] == [0.5, 1.0, 1.5, None]


def test_a_wait_the_other_side_asks_for_replaces_the_backoff_unless_it_is_too_long() -> None:
    policy = RetryPolicy(attempts=3, backoff_seconds=0.5, max_retry_after_seconds=10)
    assert policy.wait_before(2, 0.0, 7.0) == 7.0
    assert policy.wait_before(2, 0.0, 11.0) is None


def test_a_deadline_ends_the_retries_whatever_the_count() -> None:
    policy = RetryPolicy(attempts=None, deadline_seconds=5.0, backoff_seconds=0.02)
    assert policy.wait_before(50, 4.9, None) is not None and policy.wait_before(2, 5.0, None) is None


def test_retrying_sleeps_between_attempts_and_reports_the_last_reason() -> None:
    slept: list[float] = []
    calls: list[int] = []

    def attempt(number: int) -> str:
        calls.append(number)
        if number < 3:
            raise Retry(f"busy {number}", after=2.0 if number == 2 else None)
        return "done"

    assert retrying(RetryPolicy(attempts=3, backoff_seconds=0.25), attempt, sleep=slept.append) == "done"
    assert (calls, slept) == ([1, 2, 3], [0.25, 2.0])

    def always_busy(number: int) -> str:
        raise Retry(f"busy {number}")

    with pytest.raises(RetriesExhausted, match=r"busy 2 \(after 2 attempts\)"):
        retrying(RetryPolicy(attempts=2, backoff_seconds=0), always_busy, sleep=slept.append)

    def broken(number: int) -> str:
        raise KeyError("not a retry")

    with pytest.raises(KeyError):  # anything but Retry goes straight through, with no wait
        retrying(RetryPolicy(attempts=5), broken, sleep=slept.append)


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Mon, 23 Nov 2026 10:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_the_feed_fetcher_waits_as_long_as_retry_after_says(http_server: FixtureServer) -> None:
    http_server.add("/feed.xml", Route(body=b"<rss/>", failures_before_success=1, retry_after="3"))
    slept: list[float] = []
    result = HttpFetcher(sleep=slept.append).fetch(
        http_server.url("/feed.xml"), limits=HttpLimits(retries=2, backoff_seconds=0.01)
    )
    assert result.status == 200 and slept == [3.0]


def test_a_retry_after_beyond_the_limit_ends_the_retries_at_once(http_server: FixtureServer) -> None:
    http_server.add("/feed.xml", Route(body=b"<rss/>", failures_before_success=5, retry_after="3600"))
    http_server.add(
        "/page", Route(body=b"<html/>", content_type="text/html", failures_before_success=5, retry_after="3600")
    )
    limits = HttpLimits(retries=3, backoff_seconds=0.01, max_retry_after_seconds=60)
    slept: list[float] = []
    with pytest.raises(FetchError, match=r"HTTP 503 \(after 1 attempts\)"):
        HttpFetcher(sleep=slept.append).fetch(http_server.url("/feed.xml"), limits=limits)
    assert slept == [] and len(http_server.requests_to("/feed.xml")) == 1
    (page,) = HttpPageFetcher(limits).fetch_many([http_server.url("/page")])
    assert page.transient and page.attempts == 1 and page.error == "HTTP 503 (after 1 attempts)"
