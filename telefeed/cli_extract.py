"""Extraction commands, the ``telefeed extract`` group: ``file`` (the default: ``telefeed extract FILE``), ``text``
(clean text of one page), ``rerun`` (recompute from stored documents) and ``cluster`` (story clustering). The old
names ``reextract``, ``extract-text`` and ``cluster`` stay as top-level aliases."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlparse

import typer
from rich.table import Table
from typer.core import TyperGroup

from telefeed.cli_common import SourcesOption, WarehouseOption, console, fail, open_store, parse_date, resolve_paths


class DefaultFileGroup(TyperGroup):
    """A group whose unknown first word is a file: ``telefeed extract FILE`` means ``telefeed extract file FILE``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Route ``extract FILE ...`` to the ``file`` command."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["file", *args]
        return super().resolve_command(ctx, args)


extract_app = typer.Typer(
    cls=DefaultFileGroup,
    help="Extraction: entities and quotes of a file, clean text of a page, re-extraction, story clustering.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``extract`` group to ``app``, and the old command names as hidden aliases."""
    extract_app.command("file")(extract_file)
    extract_app.command("text")(extract_text)
    extract_app.command("rerun")(reextract)
    extract_app.command("cluster")(cluster)
    app.add_typer(extract_app, name="extract")
    app.command("reextract", hidden=True)(reextract)
    app.command("extract-text", hidden=True)(extract_text)
    app.command("cluster", hidden=True)(cluster)


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


def looks_like_html(name: str, text: str, content_type: str | None = None) -> bool:
    """True for HTML: by the content type when one is given, else by the file suffix or a leading ``<``."""
    if content_type:
        return "html" in content_type.lower() or "xml" in content_type.lower()
    return Path(name).suffix.lower() in (".html", ".htm") or text.lstrip()[:1] == "<"


def read_text_file(path: Path) -> str:
    """The clean text of a plain-text or HTML file (whitespace normalised as stored documents are)."""
    from extraction.normalise import clean_whitespace, html_to_text

    raw = path.read_text(encoding="utf-8", errors="replace")
    return html_to_text(raw) if looks_like_html(path.name, raw) else clean_whitespace(raw)


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
    since_dt = parse_date(since, "--since") if since else None
    store = open_store(warehouse, lock_timeout_seconds=300)
    if source is not None:
        from warehouse.analyst import source_names

        known = source_names(store)
        if source not in known:
            raise fail(f"unknown source: {source}; known: {', '.join(known) or '(none landed yet)'}")
    from telefeed.pipeline.extract import run_extraction

    def progress(done: int, total: int) -> None:
        console.print(f"extracted {done}/{total} documents", highlight=False)

    counts = run_extraction(
        store, since=since_dt, source=source, all_documents=not pending_only, batch_size=batch_size, progress=progress
    )
    from extraction.pipeline import EXTRACTOR_VERSION

    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    console.print(f"reextract done (extractor {EXTRACTOR_VERSION}): {summary}", highlight=False)


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


def extract_text(
    target: Annotated[
        str,
        typer.Argument(help="An HTML or plain-text file, a file:// URL or an http(s) URL.", metavar="FILE_OR_URL"),
    ],
    url: Annotated[str | None, typer.Option("--url", help="The page's address (for a saved file).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 20.0,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Body size cap.")] = 10_000_000,
) -> None:
    """Print the clean main text and metadata of one page as JSON (what the pipeline would store); a plain-text
    file (or a text/plain answer) is its own text."""
    from extraction.article import ExtractedArticle, ExtractionError, extract_article_bytes
    from extraction.language import detect_language
    from extraction.normalise import clean_whitespace

    body, headers, final_url, status = _read_page(target, timeout, max_bytes)
    page_url = url or final_url or (target if "://" in target else None)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    text = body.decode("utf-8", errors="replace")
    try:
        if looks_like_html(urlparse(target).path or target, text, content_type):
            article = extract_article_bytes(body, headers, page_url)
        else:
            article = ExtractedArticle(text=clean_whitespace(text), encoding="utf-8")
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


def cluster(
    warehouse: WarehouseOption = None,
    window_days: Annotated[
        int, typer.Option("--window-days", help="Match against clusters seen in the last N days.")
    ] = 30,
) -> None:
    """Cluster every document not yet in ``story_clusters`` (any source kind) into stories."""
    from telefeed.pipeline.stories import cluster_new_documents

    stats = cluster_new_documents(open_store(warehouse, lock_timeout_seconds=300), None, window_days)
    console.print(
        f"clustered {stats.documents} document(s): {stats.new_clusters} new cluster(s), {stats.joined} joined existing"
    )
