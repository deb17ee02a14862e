"""Extraction on several processes: the same rows as one process, and small batches stay in one process."""

from __future__ import annotations

import json
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from extraction.pipeline import (
    MIN_DOCUMENTS_PER_PROCESS,
    ExtractInput,
    _balanced_slices,
    _worker_pool,
    available_cores,
    batch_rows,
    extract_batch,
    mention_processes,
    sharing_cores,
)
from tests.conftest import REPO_ROOT


def _inputs() -> list[ExtractInput]:
    from bench.corpus import CorpusSpec, iter_documents

    docs = [
        ExtractInput(f"c{i}", doc.text, doc.language)
        for i, doc in enumerate(iter_documents(CorpusSpec(size=16, seed=11)))
    ]
    quoted = [  # annotated news with quotes: their parses are made where their part of the batch runs
        ExtractInput(f"q{i}", doc["text"], doc["language"])
        for i, doc in enumerate(
            doc
            for path in sorted((REPO_ROOT / "bench" / "data" / "quotes" / "dev").glob("*.json"))
            for doc in json.loads(path.read_text(encoding="utf-8"))["documents"][:2]
        )
    ]
    return [
        *docs,
        *quoted,
        ExtractInput("uk", "Міністр оборони України Рустем Умєров заявив у Києві про нову допомогу.", None),
        ExtractInput("mixed", "Zelensky visited Kharkiv. Зеленский посетил Харьков и встретился с Тереховым.", None),
        ExtractInput("tg", "Подробнее: t.me/sever_vesti/120 и @kyiv_pulse. Мэр Одессы Геннадий Труханов.", "ru"),
    ]


def test_two_processes_give_the_same_rows_as_one() -> None:
    inputs = _inputs()
    known = [("Kharkiv", "LOC")]
    one = batch_rows(extract_batch(inputs, {"sever_vesti": ["Вести Севера"]}, known, processes=1))
    two = batch_rows(extract_batch(inputs, {"sever_vesti": ["Вести Севера"]}, known, processes=2))
    assert one == two
    assert len(one["quotes"]) > 10 and {r["speaker"] for r in one["quotes"]} - {None}
    assert len(one["mentions"]) > 20 and {r["language"] for r in one["mentions"]} >= {"en", "ru", "uk"}


def test_small_batches_stay_in_one_process_and_big_ones_use_every_core() -> None:
    assert mention_processes(5) == 1
    assert mention_processes(MIN_DOCUMENTS_PER_PROCESS * 64) == available_cores()


def test_the_batch_is_cut_in_order_into_parts_of_about_equal_text() -> None:
    pairs: list[tuple[str, str | None]] = [("x" * n, None) for n in (10, 10, 10, 10, 40, 5, 5, 10)]
    parts = _balanced_slices(pairs, 2)
    assert [p for s in parts for p in pairs[s]] == pairs
    sizes = [sum(len(t) for t, _ in pairs[s]) for s in parts]
    assert len(parts) == 2 and abs(sizes[0] - sizes[1]) <= 40
    assert len(_balanced_slices(pairs[:1], 2)) <= 2 and _balanced_slices([], 3)[-1] == slice(0, 0)


def test_a_dead_worker_costs_time_not_rows() -> None:
    inputs = _inputs()
    one = batch_rows(extract_batch(inputs, processes=1))
    pool = _worker_pool(1)
    with pytest.raises(BrokenProcessPool):
        pool.submit(os._exit, 1).result()  # the worker exits: the pool is broken
    assert batch_rows(extract_batch(inputs, processes=2)) == one
    assert _worker_pool(1) is not pool  # the next big batch gets a new pool
    assert batch_rows(extract_batch(inputs, processes=2)) == one


def test_a_process_sharing_the_cores_keeps_its_blas_to_its_share() -> None:
    """Each of N processes working on one batch gets cores // N BLAS threads while it analyses, then the
    previous setting back (two processes each with a thread per core ran slower than one)."""
    import numpy  # noqa: F401  (loads the BLAS library that natasha's models multiply with)
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    assert before, "numpy's BLAS library is loaded"
    with sharing_cores(available_cores() * 2):
        assert blas_threads() == [1] * len(before)
    with sharing_cores(1):
        assert blas_threads() == [available_cores()] * len(before)
    assert blas_threads() == before
