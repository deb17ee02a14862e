"""Backfill glue without Prefect: the window's chunks and the totals over them.

``flows/backfill.py`` runs one task per chunk and folds each chunk's stats into :class:`BackfillTotals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telefeed.pipeline import MAX_ERROR_MESSAGES

# Kinds whose connector can read a date range cheaply (days per chunk); others get one chunk for the window.
CHUNKED_KINDS = {"telegram": 1}
COUNTS = ("fetched", "new", "updated", "skipped", "quarantined", "errors")


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive values are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def split_window(since: datetime, until: datetime, chunk_days: int | None) -> list[tuple[datetime, datetime]]:
    """``[since, until)`` cut into consecutive chunks of ``chunk_days`` days (one chunk when ``None``/0)."""
    if until <= since:
        raise ValueError(f"empty backfill window: since {since.isoformat()} is not before until {until.isoformat()}")
    if not chunk_days:
        return [(since, until)]
    step = timedelta(days=chunk_days)
    chunks = []
    start = since
    while start < until:
        end = min(start + step, until)
        chunks.append((start, end))
        start = end
    return chunks


def chunks_for(kind: str, since: datetime, until: datetime, chunk_days: int | None) -> list[tuple[datetime, datetime]]:
    """The chunks of a backfill of a source of ``kind`` (``chunk_days`` None: the kind's default)."""
    return split_window(since, until, chunk_days if chunk_days is not None else CHUNKED_KINDS.get(kind))


@dataclass(slots=True)
class BackfillTotals:
    """Counts over a backfill's chunks and its status: failed when every chunk failed, partial when any chunk
    failed or had errors, else ok."""

    source: str
    kind: str
    since: datetime
    until: datetime
    chunks: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    seconds: float = 0.0
    statuses: list[str] = field(default_factory=list)
    error_messages: list[str] = field(default_factory=list)

    def add_chunk(self, stats: dict[str, Any]) -> None:
        """Fold one chunk's stats (``SourceStats.as_dict()``) into the totals."""
        for key in COUNTS:
            self.counts[key] += int(stats[key])
        self.seconds = round(self.seconds + float(stats["seconds"]), 3)
        self.statuses.append(str(stats["status"]))
        room = MAX_ERROR_MESSAGES - len(self.error_messages)
        messages = stats.get("error_messages") or ([stats["error_message"]] if stats.get("error_message") else [])
        self.error_messages.extend(messages[: max(room, 0)])

    @property
    def status(self) -> str:
        """``failed`` (every chunk failed), ``partial`` (some failed or had errors) or ``ok``."""
        if self.statuses and all(s == "failed" for s in self.statuses):
            return "failed"
        if any(s in ("failed", "partial") for s in self.statuses):
            return "partial"
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        """Primitive dict (flow result, artifacts, CLI summary)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "chunks": self.chunks,
            "status": self.status,
            **self.counts,
            "seconds": self.seconds,
            "error_message": self.error_messages[0] if self.error_messages else None,
            "error_messages": list(self.error_messages),
        }
