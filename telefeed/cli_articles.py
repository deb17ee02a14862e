"""CLI commands for articles: ``telefeed extract-text`` (check one page by hand) and ``telefeed cluster``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlparse

import typer

from telefeed.cli import WarehouseOption, app, console, fail, resolve_paths


def _read_page(target: str, timeout: float, max_bytes: int) -> tuple[bytes, dict[str, str], str | None, int | None]:
    """Bytes, headers, final URL and status of a URL or a local file."""
    parsed = urlparse(target)
    if parsed.scheme in ("http", "https"):
        from connectors.http import HttpLimits
        from connectors.pages import HttpPageFetcher

        (fetch,) = HttpPageFetcher(HttpLimits(timeout_seconds=timeout, max_bytes=max_bytes)).fetch_many([target])
        if not fetch.ok:
            raise fail(f"{target}: {fetch.error}")
        return fetch.body, fetch.headers, fetch.final_url, fetch.status
    path = Path(unquote(parsed.path) if parsed.scheme == "file" else target)
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except OSError as exc:
        raise fail(f"{target}: {exc.strerror or exc}") from None
    if len(body) > max_bytes:
        raise fail(f"{target}: larger than {max_bytes} bytes (use --max-bytes)")
    return body, {}, None, None


@app.command("extract-text")
def extract_text(
    target: Annotated[
        str, typer.Argument(help="An HTML file, a file:// URL or an http(s) URL.", metavar="FILE_OR_URL")
    ],
    url: Annotated[str | None, typer.Option("--url", help="The page's address (for a saved file).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 20.0,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Body size cap.")] = 10_000_000,
) -> None:
    """Print the clean main text and metadata of one page as JSON (what the pipeline would store)."""
    from extraction.article import ExtractionError, extract_article_bytes
    from extraction.language import detect_language

    body, headers, final_url, status = _read_page(target, timeout, max_bytes)
    page_url = url or final_url or (target if "://" in target else None)
    try:
        article = extract_article_bytes(body, headers, page_url)
    except ExtractionError as exc:
        raise fail(f"{target}: {exc}", code=1) from None
    out: dict[str, Any] = {
        "url": page_url,
        "http_status": status,
        "title": article.title,
        "author": article.author,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": detect_language("\n".join(p for p in (article.title, article.text) if p)),
        "text": article.text,
        "removed_lines": article.removed_lines,
        "metadata": article.metadata(),
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


@app.command()
def cluster(
    warehouse: WarehouseOption = None,
    window_days: Annotated[
        int, typer.Option("--window-days", help="Match against clusters seen in the last N days.")
    ] = 30,
) -> None:
    """Cluster every document not yet in ``story_clusters`` (any source kind) into stories."""
    from telefeed.pipeline.stories import cluster_new_documents
    from warehouse.db import Warehouse

    warehouse_path, _ = resolve_paths(warehouse, None)
    if not Path(warehouse_path).exists():
        raise fail(f"no warehouse at {warehouse_path}; run `telefeed run` first")
    stats = cluster_new_documents(Warehouse(warehouse_path), None, window_days)
    console.print(
        f"clustered {stats.documents} document(s): {stats.new_clusters} new cluster(s), {stats.joined} joined existing"
    )
