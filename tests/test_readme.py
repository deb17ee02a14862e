"""The README's demo command works in a clean venv on a copy of the repository (slow: installs packages; the
run starts in the background at the start of the session, see tests/support/readme_demo.py)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import REPO_ROOT
from tests.support.readme_demo import ReadmeDemo, readme_command, readme_question
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
def test_readme_demo_command_in_a_clean_venv(readme_demo: ReadmeDemo) -> None:
    # Started in the background when the session began (tests/support/readme_demo.py); this waits for it.
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
