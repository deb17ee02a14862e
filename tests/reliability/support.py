"""Helpers for the reliability suite: the forking zygote, feed corpora, warehouse inspection."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from bench.corpus import CorpusSpec, iter_records, rss_feed

REPO_ROOT = Path(__file__).resolve().parents[2]


class Zygote:
    """Client of ``tests/reliability/zygote.py``: fork an ingest run, optionally SIGKILL it after a delay."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1")
        env.pop("PREFECT_API_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.zygote"],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        ready = self._read()
        assert ready == {"ready": True}, ready

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"zygote exited with {self.proc.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ingest(
        self,
        sources: str | Path,
        warehouse: str | Path,
        kill_after: float | None = None,
        batch_size: int | None = None,
        result_path: str | Path | None = None,
        run_id: str = "reliability",
    ) -> dict[str, Any]:
        """Run every source of ``sources`` into ``warehouse`` in a forked child; kill it after ``kill_after`` s."""
        assert self.proc.stdin is not None
        command = {
            "sources": str(sources),
            "warehouse": str(warehouse),
            "kill_after": kill_after,
            "batch_size": batch_size,
            "result_path": str(result_path) if result_path else None,
            "run_id": run_id,
        }
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Stop the zygote (closing stdin ends its loop)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def write_feed_corpus(
    folder: Path, feeds: int, entries_per_feed: int, seed: int = 11, text_chars: int | None = 160
) -> Path:
    """Write ``feeds`` RSS files of synthetic entries and a sources file reading them; returns the sources path.

    ``text_chars`` cuts each entry's text (short entries keep language detection, the slow step, quick).
    """
    folder.mkdir(parents=True, exist_ok=True)
    records = list(iter_records(CorpusSpec(size=feeds * entries_per_feed, seed=seed, article_share=0.1)))
    if text_chars is not None:
        for record in records:
            record["text"] = str(record["text"])[:text_chars]
    lines = []
    for n in range(feeds):
        path = folder / f"feed_{n}.xml"
        path.write_bytes(rss_feed(records[n * entries_per_feed : (n + 1) * entries_per_feed], f"feed {n}"))
        lines.append(f'[[sources]]\nname = "feed_{n}"\nkind = "rss"\nurl = "{path}"\nfetch_pages = false\n')
    sources = folder / "sources.toml"
    sources.write_text("\n".join(lines), encoding="utf-8")
    return sources


@contextmanager
def read_only(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a warehouse file, closed on exit (hold it briefly: it blocks writers)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def fetch_all(path: str | Path, sql: str) -> list[tuple[Any, ...]]:
    """Run a query on a read-only connection to a warehouse file and close it."""
    with read_only(path) as con:
        return con.execute(sql).fetchall()


@contextmanager
def resetting_server() -> Iterator[str]:
    """A 127.0.0.1 listener that answers every connection with a TCP reset; yields its base URL.

    (tests/support/http_server.py's ``reset=True`` route closes its socket object while the handler's file objects
    keep the connection open, so the client sees a timeout, not a reset.)
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.recv(65536)  # the request line and headers
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()  # linger 0: RST instead of FIN

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
