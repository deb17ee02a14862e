"""The README's demo command works in a clean venv on a copy of the repository (slow: installs packages)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(marker: str) -> str:
    """The first shell command in the fenced block that follows ``marker`` in the README."""
    match = re.search(re.escape(marker) + r".*?```(?:bash|sh)?\n(.+?)\n```", README, re.S)
    assert match, f"README has no command block after {marker!r}"
    return match.group(1).strip()


def test_readme_states_both_commands_and_ci_runs_the_test_command() -> None:
    demo = readme_command("<!-- demo-command -->")
    tests = readme_command("<!-- test-command -->")
    assert "telefeed run" in demo
    assert "pytest" in tests
    assert tests in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _copy_checkout(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    for name in files:
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_readme_demo_command_in_a_clean_venv(tmp_path: Path) -> None:
    checkout = tmp_path / "telefeed"
    _copy_checkout(checkout)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEFEED_", "PREFECT_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    demo = subprocess.run(
        ["bash", "-c", readme_command("<!-- demo-command -->")],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    telefeed = str(checkout / ".venv" / "bin" / "telefeed")

    def count() -> int:
        out = subprocess.run(
            [telefeed, "sql", "select count(*) as n from documents", "--format", "csv"],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip().splitlines()[-1])

    first = count()
    assert first >= 10
    question_block = r"The question telefeed exists for.*?```bash\n\.venv/bin/telefeed sql \"(.+?)\"\n```"
    question = re.search(question_block, README, re.S)
    assert question, "README lost its example question"
    answer = subprocess.run(
        [telefeed, "sql", question.group(1), "--format", "json"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(answer.stdout)
    assert {(r["speaker"], r["outlet"], r["cited_post"]) for r in rows} == {
        ("Oleh Syniehubov", "frontline-daily", "https://t.me/sever_vesti/209")
    }
    assert len(rows) == 2  # two quotes in the story, each with the Telegram post it cites
    rerun = subprocess.run([telefeed, "run"], cwd=checkout, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert count() == first
