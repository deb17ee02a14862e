"""Sources file (TOML, validated with pydantic) and process settings (environment)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.http import HttpLimits

DEFAULT_SOURCES = "sources.toml"
DEFAULT_WAREHOUSE = "data/telefeed.duckdb"


class ConfigError(ValueError):
    """A sources file or setting is invalid; the message is one line meant for the user."""


class Settings(BaseSettings):
    """Process-wide settings from the environment (``TELEFEED_*``)."""

    model_config = SettingsConfigDict(env_prefix="TELEFEED_", extra="ignore")

    warehouse: str = DEFAULT_WAREHOUSE
    sources: str = DEFAULT_SOURCES
    # Sources ingested at once by one run (threads; each mostly waits on the network, landings take turns) and at
    # most this many per host, so that a run over thousands of feeds stays polite and within memory on 2 cores.
    max_sources_in_flight: int = Field(default=8, ge=1)
    max_sources_per_host: int = Field(default=2, ge=1)
    # Sources one task takes one after another (a run over many sources makes a few tasks per slot above, not one
    # per source): the fetched ones land together, in one open warehouse file.
    max_sources_per_task: int = Field(default=25, ge=1)


class _SourceBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    enabled: bool = True


class RssSource(_SourceBase):
    """An RSS/Atom feed: an http(s) URL, a file:// URL or a local path (relative to the sources file)."""

    kind: Literal["rss"]
    url: str
    fetch_pages: bool = True
    page_archive: str | None = None  # folder with index.json mapping URL -> saved page (offline samples)
    max_pages_per_run: int = Field(default=200, ge=0)
    # Runs that try an entry's page: one that timed out, lost its connection or answered 429/5xx, or was left
    # for later by max_pages_per_run, is fetched again by the next runs until this many attempts.
    page_attempts: int = Field(default=3, ge=1)
    http: HttpLimits = HttpLimits()


class TelegramSource(_SourceBase):
    """A channel read through the Telegram API (Telethon)."""

    kind: Literal["telegram"]
    channel: str
    lookback_days: int | None = Field(default=7, ge=0)
    lookback_messages: int | None = Field(default=None, ge=1)
    max_flood_wait_seconds: int = Field(default=300, ge=0)
    download_media: bool = False
    media_dir: str | None = None
    refresh_messages: int = Field(default=20, ge=0)  # re-read the newest N landed posts: edits and counters
    # Re-read by id (100 per API call) the posts younger than this many days whose counters were last seen over
    # resample_interval_minutes ago, at most resample_max_posts per run: counters, edits and deletions. 0: off.
    resample_days: float = Field(default=7, ge=0)
    resample_interval_minutes: int = Field(default=60, ge=0)
    resample_max_posts: int = Field(default=1000, ge=0)
    comments: bool = False  # also land the new comments of each post read (its discussion group's thread)
    batch_size: int = Field(default=200, ge=1, le=1000)
    # Prefect Secret block holding {"api_id", "api_hash", "session"}; sources with the same block (or none: the
    # environment's credentials) are one account and share one client per run.
    secret_block: str | None = None
    # A recorded channel (connectors/telegram_snapshot.py) replayed offline instead of the live API: no credentials.
    snapshot: str | None = None


class TelegramPreviewSource(_SourceBase):
    """A public channel read through its web preview ``https://t.me/s/<channel>`` (no credentials)."""

    kind: Literal["telegram_preview"]
    channel: str
    base_url: str = "https://t.me/s/"
    page_archive: str | None = None  # folder with index.json mapping page URL -> saved page (offline)
    max_pages: int = Field(default=20, ge=1)
    http: HttpLimits = HttpLimits()


class TelegramExportSource(_SourceBase):
    """A Telegram Desktop export folder (``result.json``)."""

    kind: Literal["telegram_export"]
    path: str
    channel: str | None = None
    chat: str | None = None  # full-account export: the chat to read, by name or numeric id


Source = Annotated[
    RssSource | TelegramSource | TelegramPreviewSource | TelegramExportSource, Field(discriminator="kind")
]


SOURCE_ADAPTER: TypeAdapter[Source] = TypeAdapter(Source)


class SourcesFile(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(default_factory=list)


def _format_validation_error(path: Path, raw: dict[str, object], error: ValidationError) -> str:
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        sources = raw.get("sources")
        name = None
        if isinstance(sources, list) and loc[1] < len(sources) and isinstance(sources[loc[1]], dict):
            name = sources[loc[1]].get("name")
        where = f"source #{loc[1] + 1}" + (f" ({name!r})" if name else "")
        # drop the discriminator tag pydantic inserts (e.g. 'rss') from the field path
        rest = [str(p) for p in loc[2:] if p not in ("rss", "telegram", "telegram_preview", "telegram_export")]
        field_path = ".".join(rest) or "kind"
    else:
        field_path = ".".join(str(p) for p in loc) or "(file)"
    prefix = f"{path}: " + (f"{where}: " if where else "")
    return f"{prefix}field '{field_path}': {first['msg']}"


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; resolve relative paths against the file's folder.

    Raises:
        ConfigError: with a one-line message naming the file and the offending field.
    """
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: sources file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    try:
        parsed = SourcesFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(file, raw, exc)) from exc
    names = [s.name for s in parsed.sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{file}: duplicate source name(s): {', '.join(duplicates)}")
    base = file.resolve().parent
    for source in parsed.sources:
        _resolve_paths(source, base)
    return list(parsed.sources)


def _resolve_local(value: str, base: Path) -> str:
    if "://" in value:
        return value
    candidate = Path(value).expanduser()
    return str(candidate if candidate.is_absolute() else (base / candidate).resolve())


def _resolve_paths(source: Source, base: Path) -> None:
    if isinstance(source, RssSource):
        source.url = _resolve_local(source.url, base)
        if source.page_archive:
            source.page_archive = _resolve_local(source.page_archive, base)
    elif isinstance(source, TelegramExportSource):
        source.path = _resolve_local(source.path, base)
    elif isinstance(source, TelegramSource):
        if source.media_dir:
            source.media_dir = _resolve_local(source.media_dir, base)
        if source.snapshot:
            source.snapshot = _resolve_local(source.snapshot, base)
    elif isinstance(source, TelegramPreviewSource) and source.page_archive:
        source.page_archive = _resolve_local(source.page_archive, base)


def source_from_config(config: dict[str, object]) -> Source:
    """A source from its ``model_dump(mode="json")`` (paths already resolved): how a task receives its source.

    Raises:
        ValidationError: ``config`` is not a valid source.
    """
    return SOURCE_ADAPTER.validate_python(config)


def select_sources(sources: list[Source], names: list[str] | None) -> list[Source]:
    """Pick the named sources (all enabled ones when ``names`` is empty)."""
    if not names:
        return [s for s in sources if s.enabled]
    known = {s.name: s for s in sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"unknown source(s): {', '.join(missing)}; known: {', '.join(sorted(known))}")
    return [known[n] for n in names]
