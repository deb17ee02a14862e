"""Fixtures of the reliability suite: one warmed, forking helper process per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.support import Zygote


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    """A process with telefeed imported and language models loaded that forks one child per ingest run."""
    process = Zygote()
    try:
        yield process
    finally:
        process.close()
