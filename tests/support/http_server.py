"""A real threaded HTTP server on 127.0.0.1 serving scripted routes.

Each route states its behaviour: body, status, ETag / Last-Modified (with 304 on a matching conditional
request), a delay before answering, a streamed huge body, a gzip bomb, a connection reset or a redirect.
Every request is recorded so tests can assert on conditional headers.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay_seconds: float = 0.0
    huge_bytes: int = 0  # stream this many bytes instead of ``body``
    gzip_bomb_bytes: int = 0  # send gzip that inflates to this many bytes
    reset: bool = False  # close the socket without answering
    redirect_to: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    failures_before_success: int = 0  # answer 503 this many times first
    retry_after: str | None = None  # the Retry-After header of those 503s


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    received_at: float = field(default_factory=time.monotonic)  # when the request arrived (``time.monotonic``)


class FixtureServer:
    """Start with :meth:`start`; ``url(path)`` gives the address of a route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.date_header: str | None = None  # the Date header of every answer (None: the current time)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add(self, path: str, route: Route | None = None, **kwargs: object) -> str:
        """Register a route and return its URL."""
        self.routes[path] = route or Route(**kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests recorded for one path (query string ignored)."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def start(self) -> FixtureServer:
        """Bind to a free port on 127.0.0.1 and serve in a daemon thread."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # silence
                return

            def date_time_string(self, timestamp: float | None = None) -> str:
                return server.date_header or super().date_time_string(timestamp)

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.delay_seconds:
                    time.sleep(route.delay_seconds)
                if route.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.rfile.close()  # the file objects hold the socket open: close them so the RST goes now
                    self.wfile.close()
                    self.connection.close()
                    return
                if route.failures_before_success > 0:
                    route.failures_before_success -= 1
                    retry_after = {"Retry-After": route.retry_after} if route.retry_after else {}
                    self._send(503, b"try later", "text/plain", Route(extra_headers=retry_after))
                    return
                if route.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", route.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                if (route.etag and inm == route.etag) or (
                    route.last_modified and not route.etag and ims == route.last_modified
                ):
                    self.send_response(304)
                    self._validators(route)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.huge_bytes:
                    self._stream_huge(route)
                    return
                if route.gzip_bomb_bytes:
                    body = gzip.compress(b"\0" * route.gzip_bomb_bytes, compresslevel=9)
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self._send(route.status, route.body, route.content_type, route)

            def _validators(self, route: Route) -> None:
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)

            def _send(self, status: int, body: bytes, content_type: str, route: Route | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if route is not None:
                    self._validators(route)
                    for key, value in route.extra_headers.items():
                        self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _stream_huge(self, route: Route) -> None:
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"<p>" + b"x" * 65_530 + b"</p>"
                sent = 0
                try:
                    while sent < route.huge_bytes:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        sent += len(chunk)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading at its cap: expected

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: stop() (shutdown) waits for the serving loop's next poll, 0.5 s by default.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (timeouts, size caps) are expected; do not print their tracebacks."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        # ValueError: the handler's flush after a deliberate reset finds its file closed
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | OSError | ValueError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def serve() -> Iterator[FixtureServer]:
    """Generator for a pytest fixture: a started server, stopped afterwards."""
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


def feed_of_missing_pages(server: FixtureServer, path: str, count: int) -> str:
    """Serve at ``path`` a feed of ``count`` dated items whose article pages answer 404; returns its URL."""
    items = "".join(
        f"<item><title>Paged {n}</title><link>{server.url(f'{path}-gone-{n}')}</link><guid>paged-{n}</guid>"
        f"<pubDate>0{n} Nov 2026 12:00:00 +0000</pubDate><description>Story {n}.</description></item>"
        for n in range(1, count + 1)
    )
    return server.add(path, body=f'<rss version="2.0"><channel><title>p</title>{items}</channel></rss>'.encode())
