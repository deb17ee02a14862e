"""Warehouse.session on a real DuckDB file: one open connection for many transactions, each committed on its own.

Claims: inside a session every connection of the thread is the same one (another thread's waits, and a writer
that finishes while another thread waits hands it the open file; the last one closes it); a batch
that fails rolls back alone; a process killed inside a session keeps every batch it committed, and the file
opens cleanly afterwards; the serialised (Prefect write slot) warehouse works inside a session too.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import textwrap
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from telefeed.models import Cursor, Document, LandBatch
from tests.support.warehouse import CountingOpener
from warehouse.db import Warehouse, WarehouseBusyError


def _docs(prefix: str, count: int) -> list[Document]:
    return [
        Document(source="wire", kind="post", external_id=f"{prefix}{i}", text=f"post {prefix}{i}") for i in range(count)
    ]


def test_a_session_reuses_one_connection_in_its_thread_only(wh: Warehouse) -> None:
    other_thread: list[object] = []
    with wh.session():
        with wh.connect() as first, wh.transaction() as second, wh.peek() as third:
            assert first is second is third
        with wh.session(), wh.connect() as nested:  # an inner session is the outer one
            assert nested is first

        def elsewhere() -> None:
            with wh.connect() as con:
                other_thread.append(con)

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "another thread waits for the session's writer lock"
    thread.join(timeout=30)
    assert other_thread and other_thread[0] is first, "the thread that waited was handed the open file"
    with wh.connect() as after:
        assert after is not first


def test_each_transaction_of_a_session_commits_or_rolls_back_alone(wh: Warehouse) -> None:
    with wh.session():
        wh.land(LandBatch(source="wire", documents=_docs("a", 3), cursor=Cursor(source="wire", last_id=3)))
        with pytest.raises(RuntimeError), wh.transaction() as con:
            con.execute("DELETE FROM documents")
            raise RuntimeError("batch failed")
        second = wh.land(LandBatch(source="wire", documents=_docs("b", 2), cursor=Cursor(source="wire", last_id=5)))
    assert second.documents_new == 2
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [5]
    assert wh.get_cursor("wire").last_id == 5


def test_batches_committed_in_a_session_survive_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "killed.duckdb"
    script = textwrap.dedent(
        f"""
        import os, signal
        from telefeed.models import Cursor, Document, LandBatch
        from warehouse.db import Warehouse
        wh = Warehouse({str(path)!r})
        with wh.session():
            for n in range(3):
                ids = [f"{{n}}-{{i}}" for i in range(500)]
                docs = [Document(source="wire", kind="post", external_id=i, text="x " * 50) for i in ids]
                wh.land(LandBatch(source="wire", documents=docs, cursor=Cursor(source="wire", last_id=n)))
            print("landed", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "landed" in proc.stdout
    wh = Warehouse(path)
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [1500]
    assert wh.get_cursor("wire").last_id == 2
    again = wh.land(LandBatch(source="wire", documents=_docs("c", 1)))
    assert again.documents_new == 1


class _CountedSlots:
    """A write-slot request that records the name of each limit asked for, then asks the Prefect API for it."""

    def __init__(self) -> None:
        self.requested: list[str] = []

    def __call__(self, name: str) -> AbstractContextManager[object]:
        from flows.writes import prefect_slot

        self.requested.append(name)
        return prefect_slot(name)


def test_a_serialised_warehouse_takes_its_write_slot_once_per_session(prefect_harness: None, tmp_path: Path) -> None:
    from flows import writes

    slots = _CountedSlots()
    wh = writes.serialised(Warehouse(tmp_path / "slot.duckdb"), request=slots)
    acquired = slots.requested
    with wh.session():
        for n in range(3):
            wh.land(LandBatch(source="wire", documents=_docs(f"s{n}-", 2)))
    assert len(acquired) == 1, "three landings inside one session ask for the slot once"
    wh.land(LandBatch(source="wire", documents=_docs("t", 1)))
    assert len(acquired) == 2, "outside a session every connection asks again"
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [7]


def test_writers_queued_in_one_process_share_one_acquisition_of_the_write_slot(
    prefect_harness: None, tmp_path: Path
) -> None:
    import time

    from prefect.client.orchestration import get_client

    from flows import writes

    limit = "telefeed-test-shared-slot"
    assert writes.ensure_write_limit(limit)
    slots = _CountedSlots()
    wh = writes.serialised(Warehouse(tmp_path / "shared.duckdb"), name=limit, request=slots)
    wh.migrate()
    acquired = slots.requested
    acquired.clear()  # counted from here
    errors: list[BaseException] = []

    def land(prefix: str) -> None:
        try:
            wh.land(LandBatch(source="wire", documents=_docs(prefix, 3)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    writers = [threading.Thread(target=land, args=(f"w{n}-",)) for n in range(4)]
    with wh.writer_lock():  # the writers queue behind this lock, as a flow run's tasks do behind each other
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 60
        while writes._keeper(limit, slots)._users < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert writes._keeper(limit, slots)._users == 4, "every writer waits for its turn holding a share of the slot"
        with get_client(sync_client=True) as client:  # the slot is really taken: holders elsewhere wait
            assert client.read_global_concurrency_limit_by_name(limit).active_slots == 1
    for thread in writers:
        thread.join(60)
    assert not errors, errors
    assert acquired == [limit], "four queued writers asked the Prefect API for the slot once"
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while client.read_global_concurrency_limit_by_name(limit).active_slots and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.read_global_concurrency_limit_by_name(limit).active_slots == 0, "given back after the last"
    wh.land(LandBatch(source="wire", documents=_docs("later", 1)))
    assert acquired == [limit, limit], "a writer after the others left asks again"
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [13]


def _file_opens_cleanly_in_another_process(path: str) -> None:
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('SELECT count(*) FROM documents').fetchone()"
    done = subprocess.run([sys.executable, "-c", probe, path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the file is still held open by this process: {done.stderr[-500:]}"


def _when_another_thread_waits(wh: Warehouse, waiter: threading.Thread) -> None:
    """Start ``waiter`` and return once it waits for its turn on ``wh``'s file (call while holding it)."""
    import time

    from warehouse.db import _process_lock

    waiter.start()
    deadline = time.monotonic() + 30
    while not _process_lock(wh.path).others_waiting() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _process_lock(wh.path).others_waiting()


@pytest.mark.parametrize("first_fails", [False, True])
def test_a_writer_that_finishes_while_another_waits_hands_over_the_open_file(tmp_path: Path, first_fails: bool) -> None:
    Warehouse(tmp_path / "handover.duckdb").migrate()
    opener = CountingOpener()
    wh = Warehouse(tmp_path / "handover.duckdb", opener=opener)
    waiter = threading.Thread(target=lambda: wh.land(LandBatch(source="wire", documents=_docs("second", 2))))
    with pytest.raises(RuntimeError) if first_fails else contextlib.nullcontext(), wh.transaction() as con:
        con.execute("INSERT INTO sources VALUES ('first', 'rss', '{}', now(), now())")
        _when_another_thread_waits(wh, waiter)
        if first_fails:
            raise RuntimeError("the first writer fails after the second started waiting")
    waiter.join(60)
    assert not waiter.is_alive()
    # a failed writer's connection is closed, not handed over (it may be in any state)
    assert len(opener.opened) == (2 if first_fails else 1), opener.opened
    _file_opens_cleanly_in_another_process(wh.path)  # the last writer closed it
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [2]
    names = wh.query("SELECT name FROM sources").column("name").to_pylist()
    assert names == ([] if first_fails else ["first"])


def test_a_reader_waiting_behind_a_writer_gets_the_file_closed_first(wh: Warehouse) -> None:
    results: list[Any] = []
    waiter = threading.Thread(target=lambda: results.append(wh.read_only_query("SELECT count(*) AS n FROM documents")))
    with wh.session():
        wh.land(LandBatch(source="wire", documents=_docs("r", 3)))
        _when_another_thread_waits(wh, waiter)
    waiter.join(60)
    assert not waiter.is_alive() and results, "the read-only connection opened after the writer's was closed"
    assert results[0].column("n").to_pylist() == [3]
    _file_opens_cleanly_in_another_process(wh.path)


@pytest.mark.parametrize("row_group_size", [4096, None])
def test_writers_append_in_row_groups_of_the_configured_size(tmp_path: Path, row_group_size: int | None) -> None:
    wh = Warehouse(tmp_path / "groups.duckdb")
    wh.writer_row_group_size = row_group_size
    for prefix in ("a", "b"):
        wh.land(LandBatch(source="wire", documents=_docs(prefix, 5000)))
    groups = wh.query("SELECT count(DISTINCT row_group_id) AS n FROM pragma_storage_info('documents')")
    # 10,000 rows: three groups of at most 4,096, or one of DuckDB's default 122,880
    assert groups.column("n")[0].as_py() == (3 if row_group_size else 1)
    with wh.connect() as con:
        spill = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert spill is not None and Path(spill[0]) == Path(f"{wh.path}.tmp"), "joins spill beside the file, not in cwd"


@pytest.mark.parametrize("threshold", ["256KB", "64MB"])
def test_a_session_checkpoints_when_its_wal_passes_the_configured_size(tmp_path: Path, threshold: str) -> None:
    wh = Warehouse(tmp_path / "wal.duckdb")
    wh.writer_checkpoint_threshold = threshold
    wal = Path(f"{wh.path}.wal")
    with wh.session():
        for n in range(4):  # each batch writes about 1 MB of WAL
            docs = [
                Document(source="wire", kind="post", external_id=f"{n}-{i}", text=f"post {n}-{i} " + "x" * 2000)
                for i in range(500)
            ]
            wh.land(LandBatch(source="wire", documents=docs))
        wal_bytes = wal.stat().st_size if wal.exists() else 0
    if threshold == "64MB":
        assert wal_bytes > 2_000_000, "below the threshold the session's commits do not checkpoint"
    else:
        assert wal_bytes < 2_000_000, "past the threshold a commit checkpoints (and empties the WAL)"
    assert not wal.exists() or wal.stat().st_size == 0, "closing the session checkpoints what is left"
    assert wh.query("SELECT count(*) AS n FROM documents").column("n").to_pylist() == [2000]


def test_a_file_held_by_another_process_is_reported_busy(wh: Warehouse) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({wh.path!r}); print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = Warehouse(wh.path, lock_timeout_seconds=0.3)
        with pytest.raises(WarehouseBusyError, match="held by another process"):
            busy.land(LandBatch(source="wire", documents=_docs("x", 1)))
    finally:
        holder.communicate("")
    assert Warehouse(wh.path).land(LandBatch(source="wire", documents=_docs("x", 1))).documents_new == 1


def _memory_limit(con: Any) -> int:
    row = con.execute("SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'").fetchone()
    number, unit = row[0].split()
    return int(float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "KB": 10**3, "MB": 10**6, "GB": 10**9}[unit])


def test_a_session_can_cap_its_connection_below_the_writer_cap(wh: Warehouse) -> None:
    wh.writer_memory_limit = "200MB"
    with wh.session(memory_limit="40MB"):
        with wh.connect() as con:
            inside = _memory_limit(con)
        with wh.session(memory_limit="300MB"), wh.connect() as con:  # an inner session keeps the outer cap
            nested = _memory_limit(con)
    with wh.connect() as con:
        after = _memory_limit(con)
    assert 35_000_000 < inside == nested < 45_000_000
    assert 190_000_000 < after < 210_000_000, "connections after the session get the writer cap again"
