"""HTTP fetching with conditional GET, timeouts, a body size cap and retries with backoff."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from hashlib import sha256
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import httpx

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


@dataclass(slots=True)
class FetchLimits:
    """Per-request limits."""

    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    retries: int = 3
    backoff_seconds: float = 0.5


class Fetcher(Protocol):
    """Fetch one URL, optionally conditionally."""

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: FetchLimits | None = None
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
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: FetchLimits | None = None
    ) -> FetchResult:
        """Read the file, or answer 304 when its size and mtime are unchanged."""
        path = _local_path(url)
        if path is None:
            raise FetchError(f"{url}: not a local path")
        limits = limits or FetchLimits()
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

    def __init__(self, client: httpx.Client | None = None, sleep: object = time.sleep) -> None:
        self._client = client or httpx.Client(
            follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}
        )
        self._sleep = sleep

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: FetchLimits | None = None
    ) -> FetchResult:
        """GET ``url`` with validators; retry transport errors and 429/5xx, then raise ``FetchError``."""
        limits = limits or FetchLimits()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        last_error = "no attempt made"
        for attempt in range(limits.retries + 1):
            if attempt:
                delay = limits.backoff_seconds * (2 ** (attempt - 1))
                self._sleep(delay)  # type: ignore[operator]
            try:
                return self._fetch_once(url, headers, limits)
            except BodyTooLargeError:
                raise
            except _RetryableStatus as exc:
                last_error = str(exc)
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"{url}: too many redirects") from exc
            except httpx.TimeoutException:
                last_error = f"timed out after {limits.timeout_seconds:g}s"
            except httpx.TransportError as exc:
                last_error = describe_transport_error(exc)
        raise FetchError(f"{url}: {last_error} (after {limits.retries + 1} attempts)")

    def _fetch_once(self, url: str, headers: Mapping[str, str], limits: FetchLimits) -> FetchResult:
        timeout = httpx.Timeout(limits.timeout_seconds)
        with self._client.stream("GET", url, headers=dict(headers), timeout=timeout) as response:
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code == 304:
                return FetchResult(url=str(response.url), status=304, headers=response_headers)
            if response.status_code in RETRY_STATUSES:
                raise _RetryableStatus(f"HTTP {response.status_code}")
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


class _RetryableStatus(Exception):
    pass


class AnyUrlFetcher:
    """Dispatch to the local-file or HTTP fetcher by URL scheme."""

    def __init__(self, http: HttpFetcher | None = None) -> None:
        self._local = LocalFileFetcher()
        self._http = http

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, limits: FetchLimits | None = None
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
