"""Smoke tests that keep ``bench/`` from rotting: each benchmark at a tiny size (figures are not checked).

Claims: every landing contender stores the same number of rows; the bare model pipe and one model call per
document find the same entities and ``extract_batch`` covers every document; the synthetic Telegram channel
of the end-to-end bench answers like the fake client over the same messages, and the Telegram pipeline
lands all of its posts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bench import corpus, end_to_end, extraction, landing
from connectors.telegram import MessageWindow


def test_corpus_is_seeded_and_mixed() -> None:
    first = list(corpus.iter_records(corpus.CorpusSpec(size=200, seed=3)))
    again = list(corpus.iter_records(corpus.CorpusSpec(size=200, seed=3)))
    assert first == again
    assert {r["language"] for r in first} == {"en", "ru"} and {r["kind"] for r in first} == {"post", "article"}
    assert corpus.post_text(3, 10) == corpus.post_text(3, 10) != corpus.post_text(3, 11)


def test_landing_contenders_store_the_same_rows() -> None:
    results = landing.run(size=300, chunk=100, seed=7, dict_limit=300, row_limit=300, with_dlt=False)
    assert [t.name for t in results] == [
        "telefeed land (chunks of 100, one session)",
        "telefeed land (chunks of 100, a connection per chunk)",
        "duckdb arrow append",
        "duckdb arrow append, telefeed's writer settings",
        "row-by-row INSERT",
    ]
    assert {t.rows for t in results} == {300}
    assert "of which content hashes" in results[0].note  # the landing computes them, so its time counts them


def test_landing_rounds_keep_each_contenders_fastest_and_store_every_row() -> None:
    results = landing.run(size=200, chunk=100, seed=7, dict_limit=0, row_limit=50, with_dlt=False, repeat=2)
    assert [t.name for t in results][:3] == [
        "telefeed land (chunks of 100, one session)",
        "telefeed land (chunks of 100, a connection per chunk)",
        "duckdb arrow append",
    ]
    assert {t.rows for t in results} == {200}
    repeated = results[:4]
    assert all(t.note.startswith("fastest of 2 rounds; ") for t in repeated)
    assert not results[-1].note.startswith("fastest")  # row-by-row runs once


def test_landing_target_is_checked_against_the_faster_raw_append(capsys: pytest.CaptureFixture[str]) -> None:
    results = [
        landing.Timing("telefeed land", 100, 2.0),
        landing.Timing(landing.RAW_DEFAULT, 100, 3.0),
        landing.Timing(landing.RAW_TUNED, 100, 0.8),
    ]
    landing.print_table(100, results)
    out = capsys.readouterr().out
    assert "target telefeed >= 0.7x the faster duckdb arrow append: 0.40x -> MISSED" in out


def test_landing_warm_up_lands_through_telefeed_and_the_raw_append() -> None:
    warmed = landing.warm_up(seed=3, size=50)
    assert [t.name.split(" (")[0] for t in warmed] == ["telefeed land", "duckdb arrow append"]
    assert [t.rows for t in warmed] == [50, 50]


@pytest.mark.slow
def test_landing_dlt_contenders_store_the_same_rows() -> None:
    pytest.importorskip("dlt")  # the ``bench`` extra
    results = landing.run(size=300, chunk=100, seed=7, dict_limit=300, row_limit=300)
    assert [t.name for t in results][4:6] == ["dlt duckdb (arrow)", "dlt duckdb (dicts)"]
    assert {t.rows for t in results} == {300}


@pytest.mark.slow  # loads spaCy, natasha and pymorphy3 (shared with the other extraction tests of a session)
def test_extraction_contenders_agree() -> None:
    results = extraction.run(size=12, seed=7, batch=6, per_doc_limit=4, processes=2)
    by_name = {t.name.split(" (")[0]: t for t in results}
    assert by_name["bare model pipe"].found == by_name["bare model, one call per document"].found > 0
    one, two = by_name["telefeed extract_batch, one process"], by_name["telefeed extract_batch, 2 processes"]
    assert one.documents == two.documents == 12 and one.found == two.found > 0


@pytest.mark.slow  # loads the models and the parsers of quote attribution
def test_extraction_bench_on_annotated_texts(tmp_path: Path) -> None:
    documents = [
        {"text": '"We will hold," Olaf Scholz said.', "language": "en"},
        {"text": "«Мы не отступим», — заявил Пригожин.", "language": "ru"},
    ]
    (tmp_path / "set.json").write_text(json.dumps({"documents": documents}), encoding="utf-8")
    inputs = extraction.annotated_inputs(tmp_path, 5)
    assert [d.language for d in inputs] == ["en", "ru", "en", "ru", "en"]
    results = extraction.run(size=5, seed=7, batch=5, per_doc_limit=2, texts=tmp_path)
    assert {t.documents for t in results} == {5, 2}
    with pytest.raises(SystemExit):
        extraction.annotated_inputs(tmp_path / "missing", 5)


def test_synthetic_channel_matches_the_fake_client() -> None:
    from tests.support.fake_telegram import FakeTelegramClient

    client = end_to_end.synthetic_client_class()(count=30, seed=7)
    listed = FakeTelegramClient([client.message(i) for i in range(1, 31)])
    pivot = end_to_end.CHANNEL_START + end_to_end.MESSAGE_SPACING * 12 + timedelta(seconds=1)
    windows = [
        MessageWindow(10),
        MessageWindow(10, min_id=25),
        MessageWindow(5, reverse=False),
        MessageWindow(5, max_id=8, reverse=False),
        MessageWindow(100, offset_date=pivot),
        MessageWindow(100, offset_date=pivot, reverse=False),
        MessageWindow(3, min_id=30),
    ]
    for window in windows:
        got = [m.id for m in client.fetch_messages(client.channel, window)]
        want = [m.id for m in listed.fetch_messages(listed.channel, window)]
        assert got == want, window


@pytest.mark.slow  # loads lingua
def test_memory_child_lands_every_post() -> None:
    result = end_to_end.child_memory(messages=40, seed=7)
    assert result["status"] == "ok" and result["new"] == result["landed"] == 40
    # both are VmHWM readings; in the pytest process the mark may have been reset in between (clear_refs), so
    # only their presence is checked here: the benchmark itself runs each size in a fresh process
    assert result["peak_rss_mb"] > 0 and result["rss_after_imports_mb"] > 0


@pytest.mark.slow  # loads the NER models
def test_memory_child_can_extract_every_post() -> None:
    result = end_to_end.child_memory(messages=30, seed=7, extract=True)
    assert result["status"] == "ok" and result["extracted"] == result["landed"] == 30
    assert result["peak_tree_rss_mb"] > 0 and result["extract_seconds"] > 0


def test_tree_rss_counts_child_processes() -> None:
    alone = end_to_end._tree_rss_mb(os.getpid())
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; b = bytearray(80_000_000); sys.stdout.write('x'); sys.stdout.flush(); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdout.read(1) == b"x"
        assert end_to_end._tree_rss_mb(os.getpid()) >= alone + 70
    finally:
        child.kill()
        child.wait()


def test_memory_verdict_needs_every_run_to_finish(capsys: pytest.CaptureFixture[str]) -> None:
    def run(messages: int, peak: float, status: str) -> dict[str, object]:
        return {
            "messages": messages,
            "seconds": 1.0,
            "landed": messages,
            "status": status,
            "error": None,
            "rss_after_imports_mb": 100.0,
            "peak_rss_mb": peak,
            "warehouse_mb": 1.0,
        }

    end_to_end.print_memory([run(10, 100.0, "ok"), run(1000, 110.0, "ok")])
    assert capsys.readouterr().out.rstrip().endswith("+10% -> met")
    end_to_end.print_memory([run(10, 100.0, "ok"), run(1000, 110.0, "partial")])  # clustering failed
    assert capsys.readouterr().out.rstrip().endswith("NOT MEASURED (a run's status is not ok)")
    end_to_end.print_memory([run(10, 100.0, "ok"), run(1000, 130.0, "ok")])
    assert capsys.readouterr().out.rstrip().endswith("+30% -> MISSED")


@pytest.mark.slow
def test_many_sources_bench_lands_every_feed() -> None:
    from bench import many_sources

    result = many_sources.run(sources=3, items=2)
    assert result["exit_code"] == 0, result["stderr_tail"]
    assert result["documents"] == 6 and result["sources_landed"] == 3
    assert result["statuses"] == [{"status": "ok", "n": 3}] and result["peak_rss_mb"] > 50


def test_machine_speedup_times_the_same_loops_on_one_and_several_processes() -> None:
    assert extraction.machine_speedup(2, loops=20_000) > 0
