"""One retry helper for every layer (HTTP fetches, warehouse file locks, DuckLake commits, Telegram flood waits).

An attempt that should be tried again raises :class:`Retry` (with the wait the other side asked for, if any:
HTTP ``Retry-After``, Telegram's flood wait); :func:`retrying` (or :func:`aretrying` in async code) waits per the
:class:`RetryPolicy` and tries again, or raises :class:`RetriesExhausted` with the last reason. Anything else an
attempt raises goes straight through. No imports from the project: connectors and the warehouse both use it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

_T = TypeVar("_T")


class Retry(Exception):
    """Raised by an attempt that failed in a way worth another try; ``after``: seconds the other side asked for."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


class RetriesExhausted(Exception):
    """No further try: the policy's attempts, time or longest acceptable wait ran out. Holds the last reason."""

    def __init__(self, last: Retry, attempts: int) -> None:
        super().__init__(f"{last.reason} (after {attempts} attempts)")
        self.reason = last.reason
        self.after = last.after
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to try.

    ``attempts``: at most this many tries in all (None: no count limit); ``deadline_seconds``: no new try once
    this long has passed since the first (None: no time limit). Waits grow from ``backoff_seconds`` by ``factor``
    up to ``max_backoff_seconds``, each scaled by a random 0.5-1.5 when ``jitter``. A wait the other side asks
    for replaces the backoff; one longer than ``max_retry_after_seconds`` ends the retries.
    """

    attempts: int | None = 3
    deadline_seconds: float | None = None
    backoff_seconds: float = 0.5
    factor: float = 2.0
    max_backoff_seconds: float | None = None
    jitter: bool = False
    max_retry_after_seconds: float | None = None

    def wait_before(self, attempt: int, elapsed: float, asked: float | None) -> float | None:
        """Seconds to wait before try number ``attempt`` (2 = the first retry), or None: do not try again."""
        if self.attempts is not None and attempt > self.attempts:
            return None
        if self.deadline_seconds is not None and elapsed >= self.deadline_seconds:
            return None
        if asked is not None:
            limit = self.max_retry_after_seconds
            return None if limit is not None and asked > limit else max(0.0, asked)
        wait = self.backoff_seconds * self.factor ** (attempt - 2)
        if self.max_backoff_seconds is not None:
            wait = min(wait, self.max_backoff_seconds)
        return wait * (0.5 + random.random()) if self.jitter else wait


def retrying(
    policy: RetryPolicy,
    attempt: Callable[[int], _T],
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> _T:
    """``attempt(number)`` until it returns; a :class:`Retry` it raises waits per ``policy`` and tries again.

    Raises:
        RetriesExhausted: the policy allows no further try (the last :class:`Retry` is its cause).
    """
    started = clock()
    number = 1
    while True:
        try:
            return attempt(number)
        except Retry as exc:
            wait = policy.wait_before(number + 1, clock() - started, exc.after)
            if wait is None:
                raise RetriesExhausted(exc, number) from exc
        sleep(wait)
        number += 1


async def aretrying(
    policy: RetryPolicy,
    attempt: Callable[[int], Awaitable[_T]],
    clock: Callable[[], float] = time.monotonic,
) -> _T:
    """Async :func:`retrying` (waits with ``asyncio.sleep``)."""
    started = clock()
    number = 1
    while True:
        try:
            return await attempt(number)
        except Retry as exc:
            wait = policy.wait_before(number + 1, clock() - started, exc.after)
            if wait is None:
                raise RetriesExhausted(exc, number) from exc
        await asyncio.sleep(wait)
        number += 1


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds an HTTP ``Retry-After`` header asks for (delta-seconds or an HTTP date); None when absent or bad."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
