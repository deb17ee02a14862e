"""Sources file validation: clear one-line errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from telefeed.config import ConfigError, RssSource, load_sources, select_sources
from tests.conftest import REPO_ROOT, write_sources


def test_bundled_sources_file_is_valid_and_points_at_existing_samples() -> None:
    sources = load_sources(REPO_ROOT / "sources.toml")
    rss = [s for s in sources if isinstance(s, RssSource)]
    assert len(rss) >= 3
    for source in rss:
        assert Path(source.url).is_file(), source.url


def test_relative_paths_resolve_against_the_sources_file(tmp_path: Path) -> None:
    path = write_sources(tmp_path, '[[sources]]\nname = "a"\nkind = "rss"\nurl = "feeds/a.xml"\n')
    (source,) = load_sources(path)
    assert isinstance(source, RssSource)
    assert source.url == str(tmp_path / "feeds" / "a.xml")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[[sources]]\nname = "a"\nkind = "rss"\n', "source #1 ('a'): field 'url': Field required"),
        ('[[sources]]\nname = "a"\nkind = "carrier-pigeon"\nurl = "x"\n', "source #1 ('a'): field 'kind'"),
        ('[[sources]]\nname = "a"\nkind = "rss"\nurl = "x"\nhttp = { timeout_seconds = -1 }\n', "http.timeout_seconds"),
        ('[[sources]]\nname = "a b"\nkind = "rss"\nurl = "x"\n', "field 'name'"),
        ('[[sources]]\nname = "a"\nkind = "rss"\nurl = "x"\nfetch_pagez = true\n', "field 'fetch_pagez'"),
        (
            '[[sources]]\nname = "a"\nkind = "rss"\nurl = "x"\n[[sources]]\nname = "a"\nkind = "rss"\nurl = "y"\n',
            "duplicate source name(s): a",
        ),
        ("[[sources]\nname=", "not valid TOML"),
    ],
)
def test_bad_sources_file_gives_one_line_error_naming_the_field(tmp_path: Path, body: str, expected: str) -> None:
    path = write_sources(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert message.startswith(path)


def test_missing_file_and_unknown_source_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "nope.toml")
    sources = load_sources(write_sources(tmp_path, '[[sources]]\nname = "a"\nkind = "rss"\nurl = "x"\n'))
    with pytest.raises(ConfigError, match="unknown source"):
        select_sources(sources, ["b"])
    assert [s.name for s in select_sources(sources, None)] == ["a"]
