"""Which source to start next: at most N sources in flight, at most M per host (politeness), in file order.

Pure bookkeeping, no threads: the ``ingest`` flow asks :meth:`SourceQueue.take` for the next source it may
start and reports each finished one with :meth:`SourceQueue.done`.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from urllib.parse import urlparse

from telefeed.config import Source

TELEGRAM_API_HOST = "api.telegram.org"  # every ``telegram`` source talks to Telegram through one account


def source_host(source: Source) -> str:
    """The host a source's requests go to (``""`` for local files and exports: no politeness limit)."""
    if source.kind == "telegram":
        return TELEGRAM_API_HOST
    address = getattr(source, "url", None) or getattr(source, "base_url", None)
    if source.kind == "telegram_preview" and getattr(source, "page_archive", None):
        return ""
    if not address or "://" not in address or address.startswith("file:"):
        return ""
    return (urlparse(address).hostname or "").lower()


class SourceQueue:
    """Sources waiting to start, started at most ``in_flight`` at a time and ``per_host`` per host."""

    def __init__(self, sources: Iterable[Source], in_flight: int, per_host: int) -> None:
        if in_flight < 1 or per_host < 1:
            raise ValueError("in_flight and per_host must be at least 1")
        self.waiting: deque[Source] = deque(sources)
        self.in_flight = in_flight
        self.per_host = per_host
        self.running: dict[str, str] = {}  # source name -> host
        self.hosts: Counter[str] = Counter()

    def take(self) -> Source | None:
        """The first waiting source that may start now (None: none may, or none waits); it counts as running."""
        if len(self.running) >= self.in_flight:
            return None
        for index, source in enumerate(self.waiting):
            host = source_host(source)
            if not host or self.hosts[host] < self.per_host:
                del self.waiting[index]
                self.running[source.name] = host
                self.hosts[host] += 1
                return source
        return None

    def done(self, name: str) -> None:
        """Source ``name`` finished: its slot and its host's slot are free."""
        host = self.running.pop(name)
        self.hosts[host] -= 1

    def drop_waiting(self) -> list[Source]:
        """Give up the sources not started yet (a stop was asked); returns them."""
        dropped = list(self.waiting)
        self.waiting.clear()
        return dropped
