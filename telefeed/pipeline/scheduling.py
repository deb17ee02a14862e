"""Which sources to start next: at most N in flight, at most M per host (politeness), in file order.

Pure bookkeeping, no threads. A run splits its sources into :class:`SourceGroup` s (sources of one host, taken
one after another by one task, so that a run over thousands of feeds makes tens of tasks, not thousands), and
the ``ingest`` flow asks :meth:`SourceQueue.take` for the next group it may start and reports each finished one
with :meth:`SourceQueue.done`. A group runs one source at a time, so the limits on groups are limits on sources.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlparse

from telefeed.config import Source

TELEGRAM_API_HOST = "api.telegram.org"  # every ``telegram`` source talks to Telegram through one account
# Groups per slot of ``max_sources_in_flight`` when a run is split: several each, so that a slow group does not
# leave the other slots idle at the end of the run.
GROUPS_PER_SLOT = 4


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


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """Sources of one host (or of none), in file order, run one after another by one task."""

    sources: tuple[Source, ...]
    host: str

    @property
    def name(self) -> str:
        """The group's name: its first source's (source names are unique)."""
        return self.sources[0].name

    @property
    def label(self) -> str:
        """``first`` or ``first+N`` (N more sources), for task names and logs."""
        more = len(self.sources) - 1
        return f"{self.name}+{more}" if more else self.name


def group_size(count: int, in_flight: int, largest: int) -> int:
    """Sources per group for a run over ``count`` sources: enough groups to keep ``in_flight`` slots busy until
    the end (:data:`GROUPS_PER_SLOT` each), at most ``largest`` sources a group; 1 for a small run."""
    return max(1, min(largest, math.ceil(count / (in_flight * GROUPS_PER_SLOT))))


def source_groups(sources: Iterable[Source], size: int) -> list[SourceGroup]:
    """``sources`` in groups of at most ``size`` of one host each; groups ordered by their first source."""
    open_groups: dict[str, list[Source]] = {}
    groups: list[tuple[int, SourceGroup]] = []
    first_index: dict[str, int] = {}
    for index, source in enumerate(sources):
        host = source_host(source)
        members = open_groups.setdefault(host, [])
        if not members:
            first_index[host] = index
        members.append(source)
        if len(members) == size:
            groups.append((first_index[host], SourceGroup(tuple(members), host)))
            open_groups[host] = []
    groups += [(first_index[host], SourceGroup(tuple(m), host)) for host, m in open_groups.items() if m]
    return [group for _, group in sorted(groups, key=lambda pair: pair[0])]


Item = TypeVar("Item", bound="Source | SourceGroup")


class SourceQueue(Generic[Item]):
    """Sources (or groups of them) waiting to start, started at most ``in_flight`` at a time and ``per_host`` per
    host (:func:`host_of`)."""

    def __init__(self, items: Iterable[Item], in_flight: int, per_host: int) -> None:
        if in_flight < 1 or per_host < 1:
            raise ValueError("in_flight and per_host must be at least 1")
        self.waiting: deque[Item] = deque(items)
        self.in_flight = in_flight
        self.per_host = per_host
        self.running: dict[str, str] = {}  # name -> host
        self.hosts: Counter[str] = Counter()

    def take(self) -> Item | None:
        """The first waiting item that may start now (None: none may, or none waits); it counts as running."""
        if len(self.running) >= self.in_flight:
            return None
        for index, item in enumerate(self.waiting):
            host = host_of(item)
            if not host or self.hosts[host] < self.per_host:
                del self.waiting[index]
                self.running[item.name] = host
                self.hosts[host] += 1
                return item
        return None

    def done(self, name: str) -> None:
        """Item ``name`` finished: its slot and its host's slot are free."""
        host = self.running.pop(name)
        self.hosts[host] -= 1

    def drop_waiting(self) -> list[Item]:
        """Give up the items not started yet (a stop was asked); returns them."""
        dropped = list(self.waiting)
        self.waiting.clear()
        return dropped


def host_of(item: Source | SourceGroup) -> str:
    """The host of a source (:func:`source_host`) or of a group."""
    return item.host if isinstance(item, SourceGroup) else source_host(item)


def groups_of(sources: Sequence[Source], in_flight: int, largest: int) -> list[SourceGroup]:
    """The groups a run over ``sources`` starts (:func:`group_size`, :func:`source_groups`)."""
    return source_groups(sources, group_size(len(sources), in_flight, largest))
