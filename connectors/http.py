"""HTTP fetching with conditional GET, timeouts, a body size cap and retries with backoff (honouring Retry-After).

:class:`HttpLimits` is the one limits type of every fetch (feeds, article pages, Telegram preview pages); it is
also the ``http`` table of a source in ``sources.toml``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from hashlib import sha256
from pathlib import Path
from typing import Annotated, Protocol
from urllib.parse import unquote, urlparse

import httpx
from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from telefeed.retry import RetriesExhausted, Retry, RetryPolicy, parse_retry_after, retrying

USER_AGENT = "telefeed/0.1 (+https://github.com/telefeed/telefeed; news and Telegram research pipeline)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """A fetch failed for good (after retries); the message says why."""


class BodyTooLargeError(FetchError):
    """The body was larger than the configured cap; reading stopped at the cap."""


@dataclass(slots=True)
class FetchResult:
    """What a fetch returned. ``status`` 304 means not modified (``body`` is empty)."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304

    @property
    def etag(self) -> str | None:
        """The response's ETag validator, if any."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The response's Last-Modified validator, if any."""
        return self.headers.get("last-modified")


@pydantic_dataclass(config=ConfigDict(extra="forbid"))
class HttpLimits:
    """Network limits of a source's fetches: per request, retries, and (for article pages) concurrency."""

    timeout_seconds: Annotated[float, Field(gt=0)] = 20.0  # per request; reading a body gets 3x this
    max_bytes: Annotated[int, Field(gt=0)] = 10_000_000  # body size cap (decoded bytes)
    retries: Annotated[int, Field(ge=0, le=10)] = 3  # further tries after a timeout, connection error, 429 or 5xx
    backoff_seconds: Annotated[float, Field(ge=0)] = 0.5  # wait before the first retry, doubling after
    max_retry_after_seconds: Annotated[float, Field(ge=0)] = 60.0  # a longer Retry-After: give up for this run
    concurrency: Annotated[int, Field(ge=1)] = 8  # article pages in flight at once
    per_host: Annotated[int, Field(ge=1)] = 2  # article pages in flight per host
    max_redirects: Annotated[int, Field(ge=0)] = 5

    def retry_policy(self) -> RetryPolicy:
        """The retry policy these limits describe."""
        return RetryPolicy(
            attempts=self.retries + 1,
            backoff_seconds=self.backoff_seconds,
            max_retry_after_seconds=self.max_retry_after_seconds,
        )


def retryable_status(status: int, headers: Mapping[str, str]) -> Retry | None:
    """A :class:`Retry` for a 429 or 5xx answer (with the server's Retry-After), else None."""
    if status not in RETRY_STATUSES:
        return None
    retry_after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return Retry(f"HTTP {status}", after=parse_retry_after(retry_after))


class Fetcher(Protocol):
    """Fetch one URL, optionally conditionally."""

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: HttpLimits | None = None
    ) -> FetchResult:
        """Return the body and headers, or a 304 result when the validators still match."""
        ...


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme in ("", None) or (len(parsed.scheme) == 1 and url[1:3] in (":\\", ":/")):
        return Path(url)
    return None


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Read a local file, refusing one larger than ``max_bytes``."""
    with path.open("rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise BodyTooLargeError(f"{path}: body larger than {max_bytes} bytes")
    return body


class LocalFileFetcher:
    """Fetcher for ``file://`` URLs and paths; validators come from size and mtime, so reruns get 304s."""

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: HttpLimits | None = None
    ) -> FetchResult:
        """Read the file, or answer 304 when its size and mtime are unchanged."""
        path = _local_path(url)
        if path is None:
            raise FetchError(f"{url}: not a local path")
        limits = limits or HttpLimits()
        try:
            stat = path.stat()
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from exc
        file_etag = '"' + sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16] + '"'
        headers = {"etag": file_etag, "last-modified": formatdate(stat.st_mtime, usegmt=True)}
        if etag is not None and etag == file_etag:
            return FetchResult(url=url, status=304, headers=headers)
        return FetchResult(url=url, status=200, body=read_capped(path, limits.max_bytes), headers=headers)


def describe_transport_error(exc: httpx.TransportError) -> str:
    """``ReadError: <why>``; httpx often leaves the message empty, so fall back to the underlying OS error."""
    detail = str(exc) or str(exc.__cause__ or exc.__context__ or "") or "connection closed by the server"
    return f"{type(exc).__name__}: {detail}"[:500]


class HttpFetcher:
    """httpx-backed fetcher: conditional GET, redirects, timeouts, size cap, retries with exponential backoff."""

    def __init__(self, client: httpx.Client | None = None, sleep: Callable[[float], object] = time.sleep) -> None:
        self._client = client or httpx.Client(
            follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}
        )
        self._sleep = sleep

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: HttpLimits | None = None
    ) -> FetchResult:
        """GET ``url`` with validators; retry transport errors and 429/5xx, then raise ``FetchError``."""
        limits = limits or HttpLimits()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        def attempt(_: int) -> FetchResult:
            try:
                return self._fetch_once(url, headers, limits)
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"{url}: too many redirects") from exc
            except httpx.TimeoutException as exc:
                raise Retry(f"timed out after {limits.timeout_seconds:g}s") from exc
            except httpx.TransportError as exc:
                raise Retry(describe_transport_error(exc)) from exc

        try:
            return retrying(limits.retry_policy(), attempt, sleep=self._sleep)
        except RetriesExhausted as exc:
            raise FetchError(f"{url}: {exc}") from exc

    def _fetch_once(self, url: str, headers: Mapping[str, str], limits: HttpLimits) -> FetchResult:
        timeout = httpx.Timeout(limits.timeout_seconds)
        with self._client.stream("GET", url, headers=dict(headers), timeout=timeout) as response:
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code == 304:
                return FetchResult(url=str(response.url), status=304, headers=response_headers)
            retry = retryable_status(response.status_code, response_headers)
            if retry is not None:
                raise retry
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise BodyTooLargeError(f"{url}: Content-Length {declared} exceeds cap of {limits.max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            deadline = time.monotonic() + limits.timeout_seconds * 3
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise BodyTooLargeError(f"{url}: body exceeds cap of {limits.max_bytes} bytes (cut off)")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("body took too long", request=response.request)
                chunks.append(chunk)
            return FetchResult(
                url=str(response.url), status=response.status_code, body=b"".join(chunks), headers=response_headers
            )


class AnyUrlFetcher:
    """Dispatch to the local-file or HTTP fetcher by URL scheme."""

    def __init__(self, http: HttpFetcher | None = None) -> None:
        self._local = LocalFileFetcher()
        self._http = http

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: HttpLimits | None = None
    ) -> FetchResult:
        """Fetch from disk or network depending on the URL."""
        if _local_path(url) is not None:
            return self._local.fetch(url, etag, last_modified, limits)
        if self._http is None:
            self._http = HttpFetcher()
        return self._http.fetch(url, etag, last_modified, limits)

    def close(self) -> None:
        """Release network resources."""
        if self._http is not None:
            self._http.close()
