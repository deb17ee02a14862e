"""The bundled samples landed once per session, as the quick start leaves them, for the tests of the documents."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# The warehouse `telefeed run` writes in a folder holding sources.toml when nothing says otherwise.
SAMPLE_WAREHOUSE = Path("data") / "telefeed.duckdb"


@pytest.fixture(scope="session")
def landed_samples(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A folder holding the bundled sources.toml and samples, where `telefeed run` (no options, no TELEFEED_*
    settings) has landed them, as a user's folder after the quick start. Read it only; copy it to change it
    (:func:`samples_folder`)."""
    from typer.testing import CliRunner

    from telefeed.cli import app

    folder = tmp_path_factory.mktemp("landed-samples")
    shutil.copy(REPO_ROOT / "sources.toml", folder / "sources.toml")
    (folder / "samples").symlink_to(REPO_ROOT / "samples")
    with pytest.MonkeyPatch.context() as env, contextlib.chdir(folder):
        for name in ("TELEFEED_WAREHOUSE", "TELEFEED_SOURCES"):
            env.delenv(name, raising=False)
        first = CliRunner().invoke(app, ["run"])
    assert first.exit_code == 0, first.output
    assert (folder / SAMPLE_WAREHOUSE).exists()
    return folder


@pytest.fixture
def samples_folder(landed_samples: Path, tmp_path: Path) -> Path:
    """This test's own copy of :func:`landed_samples` (the samples folder stays a link to the repository's)."""
    folder = tmp_path / "samples-run"
    shutil.copytree(landed_samples, folder, symlinks=True)
    return folder
