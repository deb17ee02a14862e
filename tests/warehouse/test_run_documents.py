"""``run_documents``: the landing records which documents each run added (the run digest reads it by run id).

Claims: a run's rows are exactly the documents that were new in it (not the updated or unchanged ones), on
the plain landing (RSS) and on the Telegram post landing (API, preview, export); landings without a run id add
no rows. The digest itself is checked in tests/flows/test_deployments.py.
"""

from __future__ import annotations

from telefeed.models import Document, LandBatch
from warehouse.db import Warehouse
from warehouse.telegram import land_posts


def _doc(external_id: str, text: str, revision_key: str | None = None) -> Document:
    metadata = {"revision_key": revision_key} if revision_key else {}
    return Document(source="s", kind="post", external_id=external_id, text=text, metadata=metadata)


def _run_documents(warehouse: Warehouse) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in warehouse.query("select run_id, document_id from run_documents").to_pylist():
        out.setdefault(row["run_id"], set()).add(row["document_id"])
    return out


def test_each_run_records_the_documents_it_added_and_only_those(warehouse_path: str) -> None:
    warehouse = Warehouse(warehouse_path)
    a, b, c = _doc("1", "first text"), _doc("2", "second text"), _doc("3", "third text")
    first = warehouse.land(LandBatch(source="s", documents=[a, b]), run_id="r1")
    assert first.documents_new == 2
    second = warehouse.land(LandBatch(source="s", documents=[a, _doc("2", "second text, edited"), c]), run_id="r2")
    assert (second.documents_new, second.documents_updated, second.documents_unchanged) == (1, 1, 1)
    assert warehouse.land(LandBatch(source="s", documents=[_doc("4", "no run id")])).documents_new == 1

    post = _doc("10", "a channel post", revision_key="k1")
    assert land_posts(warehouse, LandBatch(source="s", documents=[post]), [], "r3").result.documents_new == 1
    land_posts(warehouse, LandBatch(source="s", documents=[post]), [], "r4")  # unchanged: dropped
    edit = _doc("10", "a channel post, edited", revision_key="k2")
    assert land_posts(warehouse, LandBatch(source="s", documents=[edit]), [], "r5").result.documents_updated == 1

    assert _run_documents(warehouse) == {"r1": {a.id, b.id}, "r2": {c.id}, "r3": {post.id}}
