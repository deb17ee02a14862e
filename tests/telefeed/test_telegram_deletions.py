"""Posts deleted by the channel, as the t.me/s preview path sees them (issue 27.3; the API path's by-id re-reads are
in tests/telefeed/test_telegram_api.py): a post missing from a page range that was read again gets a tombstone, its
rows stay.
"""

from __future__ import annotations

import re
from datetime import timedelta

from telefeed.config import TelegramPreviewSource
from telefeed.pipeline import ingest_source
from telefeed.resources import Resources
from tests.conftest import FIXTURES
from tests.support.fake_telegram import BASE_DATE
from tests.support.http_server import FixtureServer
from warehouse.db import Warehouse

PREVIEW = FIXTURES / "telegram" / "preview"
PAGE_1 = (PREVIEW / "severny_vestnik.html").read_text(encoding="utf-8")
PAGE_2 = (PREVIEW / "severny_vestnik_before_106.html").read_bytes()


def _without_post(page: str, post_id: int) -> str:
    """The page as t.me/s serves it after the channel deleted ``post_id``: that message's block is gone."""
    blocks = re.split(r'(?=<div class="tgme_widget_message_wrap)', page)
    kept = [b for b in blocks if f'data-post="severny_vestnik/{post_id}"' not in b]
    assert len(kept) == len(blocks) - 1
    return "".join(kept)


def _serve(server: FixtureServer, page_1: str) -> str:
    server.add("/s/severny_vestnik", body=page_1.encode("utf-8"), content_type="text/html; charset=utf-8")
    server.add("/s/severny_vestnik?before=106", body=PAGE_2, content_type="text/html; charset=utf-8")
    return server.url("/s/")


def test_a_post_missing_from_a_re_read_preview_page_gets_a_tombstone(
    http_server: FixtureServer, warehouse_path: str
) -> None:
    source = TelegramPreviewSource(
        name="sever-web", kind="telegram_preview", channel="severny_vestnik", base_url=_serve(http_server, PAGE_1)
    )
    clock = BASE_DATE + timedelta(days=1)
    with Resources(now=lambda: clock) as resources:
        assert ingest_source(source, Warehouse(warehouse_path), "run-1", None, resources).new == 6
        _serve(http_server, _without_post(PAGE_1, 107))
        again = ingest_source(source, Warehouse(warehouse_path), "run-2", None, resources)
    assert again.status == "ok", again.error_message
    deleted = Warehouse(warehouse_path).query("select external_id, via, deleted_at from telegram_deleted_posts")
    assert deleted.to_pylist() == [{"external_id": "severny_vestnik:107", "via": "preview", "deleted_at": clock}]
    count = Warehouse(warehouse_path).query("select count(*) from documents where source = 'sever-web'")
    assert count.column(0)[0].as_py() == 6  # never a delete
