"""CLI commands for extraction: ``telefeed extract FILE`` (check by hand) and ``telefeed reextract``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from telefeed.cli import SourcesOption, WarehouseOption, app, console, fail, resolve_paths


def _channels_from_sources(sources_path: str) -> dict[str, list[str]]:
    """Telegram channels named in the sources file (for references by name); empty when it cannot be read."""
    from telefeed.config import ConfigError, load_sources

    try:
        sources = load_sources(sources_path)
    except (ConfigError, OSError):
        return {}
    channels: dict[str, list[str]] = {}
    for source in sources:
        channel = getattr(source, "channel", None)
        if source.kind.startswith("telegram") and channel:
            channels.setdefault(str(channel).lstrip("@").lower(), []).append(source.name)
    return channels


def read_text_file(path: Path) -> str:
    """The clean text of a plain-text or HTML file (whitespace normalised as stored documents are)."""
    from extraction.normalise import clean_whitespace, html_to_text

    raw = path.read_text(encoding="utf-8", errors="replace")
    looks_html = path.suffix.lower() in (".html", ".htm") or raw.lstrip()[:1] == "<"
    return html_to_text(raw) if looks_html else clean_whitespace(raw)


@app.command("extract")
def extract_file(
    file: Annotated[Path, typer.Argument(help="A text (or HTML) file.", metavar="FILE")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON of what would land.")] = False,
    language: Annotated[
        str | None, typer.Option("--language", help="ISO code (en, ru, uk); detected when omitted.")
    ] = None,
    sources: SourcesOption = None,
) -> None:
    """Run extraction on one text file and print entities, quotes, attributions, links and Telegram refs.

    JSON keys (stable, see docs/extraction.md): extractor_version, language, text, entities (text, label,
    canonical, canonical_id, start, end), quotes (text, kind, speaker, speaker_canonical, verb, start, end,
    speaker_start, speaker_end, attribution), attributions, links, telegram_refs.
    """
    try:
        text = read_text_file(file)
    except OSError as exc:
        raise fail(f"{file}: {exc.strerror or exc}") from None
    _, sources_path = resolve_paths(None, sources)
    from extraction.pipeline import ExtractInput, extract_batch

    batch = extract_batch([ExtractInput(f"file:{file.name}", text, language)], _channels_from_sources(sources_path))
    result = batch.documents[0].as_json()
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    _print_result(result)


def _print_result(result: dict[str, Any]) -> None:
    console.print(f"language: {result['language']}  extractor: {result['extractor_version']}")
    sections = {
        "entities": ("text", "label", "canonical", "start", "end"),
        "quotes": ("text", "kind", "speaker", "speaker_canonical", "verb", "attribution"),
        "attributions": ("outlet", "outlet_canonical", "cue"),
        "links": ("kind", "value", "target"),
        "telegram_refs": ("channel", "post_id", "via", "value"),
    }
    for key, columns in sections.items():
        view = Table(title=f"{key} ({len(result[key])})")
        for column in columns:
            view.add_column(column, overflow="fold")
        for row in result[key]:
            view.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
        console.print(view)


@app.command()
def reextract(
    since: Annotated[
        str | None, typer.Option("--since", help="Only documents published on or after this date (YYYY-MM-DD).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    pending_only: Annotated[
        bool, typer.Option("--pending-only", help="Only documents lacking the current extractor version.")
    ] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per model batch.")] = 200,
    warehouse: WarehouseOption = None,
) -> None:
    """Recompute extraction from stored documents (no network), replacing older rows atomically per batch."""
    warehouse_path, _ = resolve_paths(warehouse, None)
    since_dt = None
    if since:
        try:
            since_dt = datetime.fromisoformat(since)
        except ValueError:
            raise fail(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
        if since_dt.tzinfo is None:
            from datetime import UTC

            since_dt = since_dt.replace(tzinfo=UTC)
    from warehouse.backends import open_warehouse, warehouse_exists

    if not warehouse_exists(warehouse_path):
        raise fail(f"no warehouse at {warehouse_path}")
    from flows.extract import run_extraction

    def progress(done: int, total: int) -> None:
        console.print(f"extracted {done}/{total} documents", highlight=False)

    counts = run_extraction(
        open_warehouse(warehouse_path),
        since=since_dt,
        source=source,
        all_documents=not pending_only,
        batch_size=batch_size,
        progress=progress,
    )
    from extraction.pipeline import EXTRACTOR_VERSION

    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    console.print(f"reextract done (extractor {EXTRACTOR_VERSION}): {summary}", highlight=False)
