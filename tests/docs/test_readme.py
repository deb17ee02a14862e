"""The README's demo command works in a clean venv on a copy of the repository, and every other documented command
runs as written (the demo's install and the documented evaluations are slow: they start in the background at the
start of the session, see tests/support/background.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.quotes_eval import has_textacy
from tests.conftest import REPO_ROOT
from tests.support.background import StartedRun
from tests.support.doc_commands import EVALUATION_SCRIPTS, evaluation_commands
from tests.support.readme_demo import readme_command, readme_question
from tests.support.telegram_samples import FEATURES, sources_by_feature


def test_readme_states_both_commands_and_ci_runs_the_test_command() -> None:
    demo = readme_command("<!-- demo-command -->")
    tests = readme_command("<!-- test-command -->")
    assert "telefeed run" in demo
    assert "pytest" in tests
    assert tests in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _count(result: subprocess.CompletedProcess[str]) -> int:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_readme_demo_command_in_a_clean_venv(readme_demo: StartedRun) -> None:
    # Started in the background when the session began (tests/support/background.py); this waits for it.
    runs = readme_demo.wait(timeout=880)
    demo = runs["demo"]
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    first = _count(runs["count"])
    assert first >= 10
    assert readme_question() is not None, "README lost its example question"
    answer = runs["question"]
    assert answer.returncode == 0, answer.stderr[-3000:]
    rows = json.loads(answer.stdout)
    english = [r for r in rows if r["outlet"] == "frontline-daily"]
    assert {(r["speaker"], r["cited_post"]) for r in english} == {("Oleh Syniehubov", "https://t.me/sever_vesti/209")}
    assert len(english) == 2  # two quotes in the story, each with the Telegram post it cites
    # the Russian and Ukrainian sample outlets quote the same official about the same town (issue 26)
    assert {r["outlet"] for r in rows} == {"frontline-daily", "vesti-severa", "slobozhanski-visti"}
    rerun = runs["rerun"]
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _count(runs["count_again"]) == first
    samples = runs["samples"]  # after both runs, as a user who follows the README
    assert samples.returncode == 0, samples.stderr[-3000:]
    found = sources_by_feature(json.loads(samples.stdout))
    assert set(found) == set(FEATURES), set(FEATURES) - set(found)


# -- every documented shell command -----------------------------------------------------------------------------

# Documented commands no test can run here, each with the reason (and where it is covered). A command is matched by
# its first words; every other `telefeed` command of README.md and docs/*.md runs below, exactly as written.
NOT_RUN: dict[tuple[str, ...], str] = {
    ("python3", "-m", "venv"): "installs into a fresh venv: test_readme_demo_command_in_a_clean_venv",
    (".venv/bin/python", "-m", "pytest"): "runs the test suite itself",
    ("TELEFEED_KILL_SEED=123",): "runs the test suite itself",
    ("TELEFEED_HOME=$PWD", "prefect"): "needs a Prefect server, work pool or worker: tests/flows/test_deployments.py",
    ("pip",): "installs packages",
    ("export",): "sets the environment of the commands after it",
    ("python", "-c"): "stores a Prefect Secret block with real credentials",
    ("prefect",): "needs a Prefect server, work pool or worker: tests/flows/test_deployments.py",
    ("docker",): "needs Docker",
    ("dask",): "needs a Dask cluster",
    ("telefeed", "serve"): "runs until stopped: test_serve_without_a_prefect_api_starts_a_server_whose_scheduler_...",
    ("telefeed", "telegram-login"): "interactive login to a real Telegram account",
    ("telefeed", "run", "--dask"): "needs the scale extra and a Dask cluster: tests/flows/test_dask.py",
    ("telefeed", "lake-maintain"): "needs a DuckLake: tests/warehouse/test_ducklake.py",
    ("telefeed", "extract-text", "https://example.org/news/123"): "reads the internet",
    ("telefeed", "backfill", "--source", "sever-vesti-api"): "needs Telegram credentials (source commented out)",
}
POST_TEXT = 'Kyiv mayor Vitali Klitschko said: "Power is back in every district of Kyiv."\n'


def _words(argv: tuple[str, ...]) -> tuple[str, ...]:
    first = "telefeed" if argv[0].endswith("/telefeed") else argv[0]
    return (first, *argv[1:])


def _not_run_reason(argv: tuple[str, ...]) -> str | None:
    words = _words(argv)
    return next((why for prefix, why in NOT_RUN.items() if words[: len(prefix)] == prefix), None)


def test_every_documented_command_is_run_or_has_a_reason() -> None:
    from tests.support.doc_commands import all_commands

    commands = all_commands()
    assert len(commands) > 40
    unknown = [
        c.text
        for c in commands
        if _words(c.argv)[0] != "telefeed" and _not_run_reason(c.argv) is None and c not in evaluation_commands()
    ]
    assert not unknown, f"documented commands that no test runs: {unknown}"
    used = {prefix for prefix in NOT_RUN if any(_words(c.argv)[: len(prefix)] == prefix for c in commands)}
    assert used == set(NOT_RUN), f"reasons for commands the docs no longer show: {set(NOT_RUN) - used}"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_documented_evaluation_runs_as_written(documented_evaluations: StartedRun) -> None:
    """Each evaluation command of docs/*.md, from the repository root, exactly as written: it must print the
    figures the docs quote (telefeed's and its peer's). The commands run in the background from the start of the
    session (tests/support/background.py); this waits for them."""
    commands = evaluation_commands()
    assert {c.argv[2] for c in commands} == set(EVALUATION_SCRIPTS)
    if not (REPO_ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv in the repository root")
    finished = documented_evaluations.wait(timeout=880)
    assert set(finished) == {c.text for c in commands}
    for command in commands:
        done = finished[command.text]
        assert done.returncode == 0, (command.text, done.stderr[-2000:])
        printed = json.dumps(json.loads(done.stdout)) if "--json" in command.argv else done.stdout
        assert "telefeed" in printed, command.text
        peer = "natasha" if command.argv[2] == "bench.extraction_eval" else "textacy"
        if peer == "natasha" or has_textacy():  # textacy is in the bench extra only
            assert peer in printed, command.text


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.xdist_group("landed-samples")  # the session's landed samples: one pytest-xdist worker lands them
def test_every_documented_telefeed_command_runs_as_written_on_the_samples(
    samples_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder where `telefeed run` landed the sample sources (tests/docs/conftest.py), then every documented
    `telefeed` command in document order, in that folder, as a user types it after the quick start."""
    from typer.testing import CliRunner

    from telefeed.cli import app
    from tests.support.doc_commands import all_commands

    (samples_folder / "post.txt").write_text(POST_TEXT, encoding="utf-8")  # the user's own file in docs/extraction.md
    monkeypatch.chdir(samples_folder)
    for name in ("TELEFEED_WAREHOUSE", "TELEFEED_SOURCES"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    failures = []
    ran = 0
    for command in all_commands():
        words = _words(command.argv)
        if words[0] != "telefeed" or _not_run_reason(command.argv) is not None:
            continue
        result = runner.invoke(app, list(words[1:]))
        ran += 1
        if result.exit_code != 0:
            failures.append(f"{command.document}: {command.text}\n  exit {result.exit_code}: {result.output[-600:]}")
        elif words[1] == "backfill" and " fetched=0 " in result.output:
            failures.append(f"{command.document}: {command.text}\n  the window holds no sample item")
    assert not failures, "\n".join(failures)
    assert ran >= 30
    assert (samples_folder / "docs.parquet").exists() and (samples_folder / "exports" / "documents.parquet").exists()
