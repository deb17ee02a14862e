"""The README's analysts' question on the bundled sample sources: who was quoted about Kupiansk, in English,
Russian and Ukrainian outlets alike (the place resolves to one canonical entity across scripts and cases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from telefeed.cli import app
from tests.docs.conftest import SAMPLE_WAREHOUSE
from tests.support.readme_demo import readme_question

# The session's landed samples (tests/docs/conftest.py): one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("landed-samples")

runner = CliRunner()


def test_readme_question_returns_kupiansk_quotes_in_three_languages(landed_samples: Path) -> None:
    """On the bundled RSS samples (English, Russian, Ukrainian) and the Telegram preview they cite, landed by
    `telefeed run` (tests/docs/conftest.py)."""
    question = readme_question()
    assert question is not None
    warehouse = str(landed_samples / SAMPLE_WAREHOUSE)
    result = runner.invoke(app, ["sql", question, "--warehouse", warehouse, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    outlets = {row["outlet"] for row in rows}
    assert outlets == {"frontline-daily", "vesti-severa", "slobozhanski-visti"}, rows
    by_outlet = {row["outlet"]: row["quote"] for row in rows}
    assert by_outlet["vesti-severa"].startswith("Мы просим всех")
    assert by_outlet["slobozhanski-visti"].startswith("Просимо всіх")
    assert all(row["speaker"] for row in rows)
