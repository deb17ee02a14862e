"""The README's analysts' question on the bundled sample sources: who was quoted about Kupiansk, in English,
Russian and Ukrainian outlets alike (the place resolves to one canonical entity across scripts and cases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from tests.conftest import REPO_ROOT, write_sources
from tests.support.readme_demo import readme_question

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> str:
    """The bundled RSS samples (English, Russian, Ukrainian) and the Telegram preview they cite, landed by
    `telefeed run`."""
    tmp_path = tmp_path_factory.mktemp("readme-question")
    text = (REPO_ROOT / "sources.toml").read_text(encoding="utf-8")
    sources = write_sources(tmp_path, text.replace('"samples/', f'"{REPO_ROOT / "samples"}/'))
    warehouse = str(Path(tmp_path) / "w.duckdb")
    result = runner.invoke(app, ["run", "--sources", sources, "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
    return warehouse


def test_readme_question_returns_kupiansk_quotes_in_three_languages(sample_warehouse: str) -> None:
    question = readme_question()
    assert question is not None
    result = runner.invoke(app, ["sql", question, "--warehouse", sample_warehouse, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    outlets = {row["outlet"] for row in rows}
    assert outlets == {"frontline-daily", "vesti-severa", "slobozhanski-visti"}, rows
    by_outlet = {row["outlet"]: row["quote"] for row in rows}
    assert by_outlet["vesti-severa"].startswith("Мы просим всех")
    assert by_outlet["slobozhanski-visti"].startswith("Просимо всіх")
    assert all(row["speaker"] for row in rows)
