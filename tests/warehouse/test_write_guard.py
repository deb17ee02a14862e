"""The write guard is a ``Warehouse`` option (not a patch of the instance): every writer enters it once, a
connection opened inside another does not enter it again, and short reads (``peek``) never do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from telefeed.models import Cursor
from warehouse.db import Warehouse


def test_writers_enter_the_write_guard_once_and_reads_never(tmp_path: Path) -> None:
    entered: list[str] = []

    @contextmanager
    def guard() -> Iterator[None]:
        entered.append("in")
        yield

    warehouse = Warehouse(tmp_path / "guarded.duckdb", write_guard=guard)
    warehouse.save_cursor(Cursor(source="s", last_id=1))
    assert entered == ["in"]
    with warehouse.session():  # one guarded connection for the whole block
        warehouse.save_cursor(Cursor(source="s", last_id=2))
        warehouse.save_cursor(Cursor(source="s", last_id=3))
        with warehouse.connect(), warehouse.connect():
            pass
    assert entered == ["in", "in"]
    assert warehouse.get_cursor("s").last_id == 3  # a short read: not guarded
    assert entered == ["in", "in"]
    Warehouse(tmp_path / "guarded.duckdb").save_cursor(Cursor(source="s", last_id=4))  # no guard: nothing entered
    assert entered == ["in", "in"]
