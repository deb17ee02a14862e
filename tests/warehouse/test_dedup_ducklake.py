"""Story clustering on the DuckLake backend (PostgreSQL catalog started by the test): band keys and candidate
lookups work there too, and give the same clusters as the DuckDB file backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from telefeed.models import LandBatch
from telefeed.pipeline.stories import cluster_new_documents
from tests.extraction.test_dedup import _assignments, _corpus
from warehouse.backends import open_warehouse
from warehouse.db import Warehouse

pytest.importorskip("warehouse.ducklake")
pytest.importorskip("duckdb_extension_ducklake", reason="needs duckdb-extension-ducklake (pip install '.[scale]')")
pytest.importorskip("duckdb_extension_postgres", reason="needs duckdb-extension-postgres (pip install '.[scale]')")


def test_clustering_in_chunks_on_a_lake_matches_the_file_backend(lake_url: str, tmp_path: Path) -> None:
    lake = open_warehouse(lake_url)
    file = Warehouse(tmp_path / "file.duckdb")
    for batch in _corpus():
        for warehouse in (lake, file):
            warehouse.land(LandBatch(source="mixed", documents=batch))
    on_lake = cluster_new_documents(lake, None, chunk_size=3)
    assert (on_lake.documents, on_lake.chunks) == (12, 4)
    cluster_new_documents(file, None)
    assert _assignments(lake) == _assignments(file)
    count = "select count(*) from minhash_bands"
    assert lake.query(count).column(0)[0].as_py() == file.query(count).column(0)[0].as_py() == 250
