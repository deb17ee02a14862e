"""Article pages: fetch many URLs concurrently (httpx.AsyncClient) or read them from a saved page archive.

Limits: an overall concurrency limit and a per-host one, a timeout per request (and a deadline for reading a
body), a body size cap counted on decoded bytes (so a gzip bomb is stopped too), retries with exponential
backoff on transport errors, timeouts, 429 and 5xx, at most 5 redirects, and a clear User-Agent.
A page that fails never raises: its :class:`PageFetch` carries the reason.

The archive twin (:class:`PageArchive`) maps URL -> saved file through ``index.json`` in a folder; the
bundled samples and tests use it so nothing touches the network.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import threading
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import httpx

from connectors.http import (
    USER_AGENT,
    BodyTooLargeError,
    FetchError,
    FetchResult,
    HttpLimits,
    describe_transport_error,
    retryable_status,
)
from telefeed.retry import RetriesExhausted, Retry, aretrying

# Response headers worth keeping with a page (the rest is noise, cookies or changes on every request).
KEPT_HEADERS = ("content-type", "content-language", "last-modified", "etag")  # no Date: payloads stay stable
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")

T = TypeVar("T")


@dataclass(slots=True)
class PageFetch:
    """The outcome of fetching one page. ``error`` is None on success."""

    url: str
    final_url: str | None = None
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    truncated: bool = False  # the body hit the size cap and reading stopped
    transient: bool = False  # failed on timeouts, connection errors or 429/5xx through every retry: try later
    attempts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the page was fetched and can be extracted."""
        return self.error is None


class PageFetcher(Protocol):
    """Fetch a list of pages; never raises for one page's failure."""

    def fetch_many(self, urls: Sequence[str]) -> list[PageFetch]:
        """One result per URL, in the same order."""
        ...


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: headers[k] for k in KEPT_HEADERS if k in headers}


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when the calling thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


class HttpPageFetcher:
    """Concurrent page fetcher over httpx.AsyncClient with the limits in :class:`HttpLimits`."""

    def __init__(self, limits: HttpLimits | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.limits = limits or HttpLimits()
        self._transport = transport

    def fetch_many(self, urls: Sequence[str]) -> list[PageFetch]:
        """Fetch every URL (bounded concurrency); results in input order."""
        if not urls:
            return []
        return _run(self.afetch_many(urls))

    async def afetch_many(self, urls: Sequence[str]) -> list[PageFetch]:
        """Async form of :meth:`fetch_many`."""
        limits = self.limits
        overall = asyncio.Semaphore(max(1, limits.concurrency))
        per_host: dict[str, asyncio.Semaphore] = {}
        async with httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=limits.max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(limits.timeout_seconds),
            limits=httpx.Limits(max_connections=max(1, limits.concurrency)),
            transport=self._transport,
        ) as client:

            async def one(url: str) -> PageFetch:
                host = urlparse(url).netloc.lower()
                host_sem = per_host.setdefault(host, asyncio.Semaphore(max(1, limits.per_host)))
                async with overall, host_sem:
                    return await self._fetch(client, url)

            return list(await asyncio.gather(*(one(u) for u in urls)))

    async def _fetch(self, client: httpx.AsyncClient, url: str) -> PageFetch:
        limits = self.limits
        result = PageFetch(url=url)
        clock = time.perf_counter()
        if urlparse(url).scheme not in ("http", "https"):
            result.error = f"not an http(s) URL: {url[:200]}"
            return result

        async def attempt(number: int) -> None:
            result.attempts = number
            try:
                await self._fetch_once(client, url, result)
            except httpx.TooManyRedirects:
                result.error = f"too many redirects (more than {limits.max_redirects})"
            except httpx.TimeoutException as exc:
                raise Retry(f"timed out after {limits.timeout_seconds:g}s") from exc
            except httpx.TransportError as exc:
                raise Retry(describe_transport_error(exc)) from exc

        try:
            await aretrying(limits.retry_policy(), attempt)
        except RetriesExhausted as exc:
            result.error, result.transient = str(exc), True
        result.seconds = round(time.perf_counter() - clock, 3)
        return result

    async def _fetch_once(self, client: httpx.AsyncClient, url: str, result: PageFetch) -> None:
        limits = self.limits
        result.error, result.body, result.truncated = None, b"", False
        async with client.stream("GET", url) as response:
            result.status = response.status_code
            result.final_url = str(response.url)
            result.headers = _kept_headers(response.headers)
            retry = retryable_status(response.status_code, response.headers)
            if retry is not None:
                raise retry
            if response.status_code >= 400:
                result.error = f"HTTP {response.status_code}"
                return
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type and not content_type.startswith(HTML_TYPES):
                result.error = f"not an HTML page: content-type {content_type}"
                return
            chunks: list[bytes] = []
            size = 0
            deadline = time.monotonic() + limits.timeout_seconds * 3
            async for chunk in response.aiter_bytes():  # decoded bytes: the cap also stops gzip bombs
                room = limits.max_bytes - size
                if len(chunk) > room:
                    chunks.append(chunk[:room])
                    result.truncated = True
                    result.error = f"body exceeds cap of {limits.max_bytes} bytes (cut off)"
                    break
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("body took too long", request=response.request)
            result.body = b"".join(chunks)


class PageArchive:
    """Offline twin of the network for pages of any kind (article pages, Telegram preview pages).

    ``index.json`` in ``folder`` maps URL -> file name (or ``{"file", "content_type", "status", "final_url"}``);
    a URL missing from the index is also looked up by its last path segment and query (``s/channel?before=9``).
    Missing URLs answer 404. Serves both protocols: ``fetch_many`` (:class:`PageFetcher`, never raises for one
    page) and ``fetch`` (:class:`connectors.http.Fetcher`, raises ``FetchError`` for a page it cannot serve).
    """

    def __init__(self, folder: str | Path, max_bytes: int = 10_000_000) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        index_path = self.folder / "index.json"
        try:
            raw = json.loads(index_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise FetchError(f"page archive {self.folder}: no index.json") from exc
        except (OSError, ValueError) as exc:
            raise FetchError(f"{index_path}: cannot read page archive index: {exc}") from exc
        if not isinstance(raw, dict):
            raise FetchError(f"{index_path}: expected an object mapping URL -> file")
        self.index: dict[str, dict[str, Any]] = {
            url: (entry if isinstance(entry, dict) else {"file": entry}) for url, entry in raw.items()
        }

    def fetch_many(self, urls: Sequence[str]) -> list[PageFetch]:
        """Read each URL's saved file; missing entries and files become 404 / errors, not exceptions."""
        return [self._read(url, self.max_bytes) for url in urls]

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: HttpLimits | None = None
    ) -> FetchResult:
        """The saved copy of ``url`` (validators are ignored: always a full answer).

        Raises:
            FetchError: the archive does not hold the URL, its file cannot be read, or it is over the size cap.
        """
        page = self._read(url, limits.max_bytes if limits else self.max_bytes)
        if not page.ok:
            raise (BodyTooLargeError if page.truncated else FetchError)(f"{url}: {page.error}")
        return FetchResult(url=page.final_url or url, status=page.status or 200, body=page.body, headers=page.headers)

    def _entry(self, url: str) -> dict[str, Any] | None:
        entry = self.index.get(url)
        if entry is None:
            parsed = urlparse(url)
            entry = self.index.get(parsed.path.rsplit("/", 1)[-1] + (f"?{parsed.query}" if parsed.query else ""))
        return entry

    def _read(self, url: str, max_bytes: int) -> PageFetch:
        entry = self._entry(url)
        result = PageFetch(url=url, attempts=1)
        if entry is None:
            result.status, result.error = 404, f"HTTP 404 (not in page archive {self.folder})"
            return result
        path = self.folder / str(entry["file"])
        try:
            with path.open("rb") as handle:
                body = handle.read(max_bytes + 1)
        except OSError as exc:
            result.error = f"archive file unreadable: {exc.strerror or exc}"
            return result
        result.status = int(entry.get("status", 200))
        result.final_url = str(entry.get("final_url", url))
        result.headers = {"content-type": str(entry.get("content_type", "text/html; charset=utf-8"))}
        if len(body) > max_bytes:
            body, result.truncated = body[:max_bytes], True
            result.error = f"body exceeds cap of {max_bytes} bytes (cut off)"
        elif result.status >= 400:
            result.error = f"HTTP {result.status}"
        result.body = body
        return result


def page_raw_payload(fetch: PageFetch) -> dict[str, Any]:
    """The raw-layer payload of one page fetch: gzip+base64 HTML (successful fetches only) and what happened.

    Deterministic for identical responses (gzip mtime 0), so refetching an unchanged page adds no raw row.
    """
    payload: dict[str, Any] = {
        "url": fetch.url,
        "final_url": fetch.final_url,
        "status": fetch.status,
        "headers": fetch.headers,
        "error": fetch.error,
        "truncated": fetch.truncated,
        "bytes": len(fetch.body),
    }
    if fetch.ok and fetch.body:
        payload["html_encoding"] = "gzip+base64"
        payload["html"] = base64.b64encode(gzip.compress(fetch.body, compresslevel=6, mtime=0)).decode("ascii")
    return payload


def page_body_from_payload(payload: dict[str, Any]) -> bytes | None:
    """The page bytes stored by :func:`page_raw_payload` (None when the fetch had failed)."""
    data = payload.get("html")
    if not data:
        return None
    return gzip.decompress(base64.b64decode(data))
