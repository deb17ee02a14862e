"""The README's demo command in a clean venv on a copy of the checkout, run in the background.

Most of the demo's minutes go to pip installing every dependency into a fresh venv. ``tests/conftest.py`` starts
the run as soon as collection shows that ``tests/docs/test_readme.py``'s demo test is selected, at the lowest CPU
priority (``nice -n 19``), so that it overlaps the rest of the suite instead of adding to it; the test waits for
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
import threading
from pathlib import Path

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


class ReadmeDemo:
    """The demo's commands, run one after the other in a background thread; :meth:`wait` gives their results."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="telefeed-readme-"))
        self.checkout = self.folder / "telefeed"
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}
        self.error: BaseException | None = None
        self._process: subprocess.Popen[str] | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run_all, name="readme-demo", daemon=True)

    def start(self) -> ReadmeDemo:
        self._thread.start()
        return self

    def wait(self, timeout: float) -> dict[str, subprocess.CompletedProcess[str]]:
        """Wait for the run to end; the results by step (``demo``, ``count``, ``question``, ``rerun``,
        ``count_again``, ``samples``), up to the first that failed."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the README demo did not finish within {timeout} s"
        if self.error is not None:
            raise self.error
        return self.results

    def stop(self) -> None:
        """Kill the running command, if any, and delete the folder."""
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
        self._thread.join(30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEFEED_", "PREFECT_", "VIRTUAL_ENV"))}
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
        return env

    def _run_all(self) -> None:
        try:
            copy_checkout(self.checkout)
            telefeed = str(self.checkout / ".venv" / "bin" / "telefeed")
            steps: list[tuple[str, list[str], float]] = [
                ("demo", ["bash", "-c", readme_command("<!-- demo-command -->")], 900),
                ("count", [telefeed, "sql", COUNT_SQL, "--format", "csv"], 300),
            ]
            question = readme_question()
            if question is not None:
                steps.append(("question", [telefeed, "sql", question, "--format", "json"], 300))
            steps += [
                ("rerun", [telefeed, "run"], 600),
                ("count_again", [telefeed, "sql", COUNT_SQL, "--format", "csv"], 300),
                ("samples", [telefeed, "sql", FEATURES_SQL, "--format", "json"], 300),
            ]
            env = self._env()
            for name, args, timeout in steps:
                result = self._run(["nice", "-n", "19", *args], env, timeout)
                if result is None:
                    return
                self.results[name] = result
                if result.returncode != 0:
                    return
        except BaseException as exc:  # surfaced by wait()
            self.error = exc

    def _run(self, args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str] | None:
        with self._lock:
            if self._stopped:
                return None
            self._process = subprocess.Popen(
                args, cwd=self.checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        try:
            stdout, stderr = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            stdout, stderr = self._process.communicate()
            raise
        return subprocess.CompletedProcess(args, self._process.returncode, stdout, stderr)


_started: ReadmeDemo | None = None


def start_in_background() -> ReadmeDemo:
    """Start the demo once per session; later calls return the same run."""
    global _started
    if _started is None:
        _started = ReadmeDemo().start()
    return _started


def stop_background() -> None:
    """Stop the session's demo run (if one was started) and delete its folder."""
    global _started
    if _started is not None:
        _started.stop()
        _started = None
