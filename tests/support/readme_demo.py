"""The README's demo command in a clean venv on a copy of the checkout, run in the background.

Most of the demo's minutes go to pip installing every dependency into a fresh venv, so it runs in the background
while the rest of the suite runs (tests/support/background.py); ``tests/docs/test_readme.py``'s demo test waits for
the outcome and checks it. The commands are the ones a user types, in the same order: the demo command, a count
of documents, the README's analysts' question, a second ``telefeed run``, the count again and what the Telegram
samples show (tests/support/telegram_samples.py); the run stops at the first command that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.background import BackgroundRun, StartedRun, Step, start_once
from tests.support.telegram_samples import FEATURES_SQL

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
COUNT_SQL = "select count(*) as n from documents"
QUESTION_BLOCK = r"The question telefeed exists for.*?```bash\n\.venv/bin/telefeed sql \"(.+?)\"\n```"


def readme_command(marker: str) -> str:
    """The first shell command in the fenced block that follows ``marker`` in the README."""
    match = re.search(re.escape(marker) + r".*?```(?:bash|sh)?\n(.+?)\n```", README, re.S)
    assert match, f"README has no command block after {marker!r}"
    return match.group(1).strip()


def readme_question() -> str | None:
    """The SQL of the README's analysts' question (None when the README lost it)."""
    found = re.search(QUESTION_BLOCK, README, re.S)
    return found.group(1) if found else None


def copy_checkout(target: Path) -> None:
    """Copy the files git tracks (and untracked, not ignored ones) of this checkout to ``target``."""
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


def _env() -> dict[str, str]:
    """A user's environment: no telefeed, Prefect or venv settings of this session, no .venv on the PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEFEED_", "PREFECT_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    return env


def readme_demo(record: Path | None = None) -> BackgroundRun:
    """The demo's commands (not started), on a copy of the checkout in a new temporary folder; their results by
    step: ``demo``, ``count``, ``question``, ``rerun``, ``count_again``, ``samples``, up to the first that failed
    (also written to ``record`` when given)."""
    folder = Path(tempfile.mkdtemp(prefix="telefeed-readme-"))
    checkout = folder / "telefeed"

    def plan() -> list[Step]:
        copy_checkout(checkout)
        telefeed = str(checkout / ".venv" / "bin" / "telefeed")
        steps = [
            Step("demo", ["bash", "-c", readme_command("<!-- demo-command -->")], 900),
            Step("count", [telefeed, "sql", COUNT_SQL, "--format", "csv"], 300),
        ]
        question = readme_question()
        if question is not None:
            steps.append(Step("question", [telefeed, "sql", question, "--format", "json"], 300))
        return [
            *steps,
            Step("rerun", [telefeed, "run"], 600),
            Step("count_again", [telefeed, "sql", COUNT_SQL, "--format", "csv"], 300),
            Step("samples", [telefeed, "sql", FEATURES_SQL, "--format", "json"], 300),
        ]

    return BackgroundRun(
        "readme-demo", plan, checkout, _env(), cleanup=lambda: shutil.rmtree(folder, ignore_errors=True), record=record
    )


def start_in_background() -> StartedRun:
    """Start the demo once per session; later calls return the same run."""
    return start_once("readme-demo", readme_demo)
