"""The shell commands shown in README.md and docs/*.md, as a test runs them.

Fenced blocks marked ``bash``, ``sh``, ``shell`` or ``console`` hold commands: ``$ `` prompts are dropped (lines of a
console block without one are output), comments are dropped, and a command whose quotes span lines (a multi-line
SQL string) is one command.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from tests.support.background import BackgroundRun, StartedRun, Step, start_once

REPO_ROOT = Path(__file__).resolve().parents[2]
SHELL_BLOCK = re.compile(r"^```(bash|sh|shell|console)[^\n]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True, slots=True)
class DocCommand:
    """One documented command: where it is shown and its words (as the shell would split them)."""

    document: str
    text: str
    argv: tuple[str, ...]


def documents() -> list[Path]:
    """README.md and every docs/*.md."""
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def _lines(kind: str, body: str) -> list[str]:
    if kind != "console":
        return body.splitlines()
    return [line[2:] for line in body.splitlines() if line.startswith("$ ")]


def commands_in(path: Path) -> list[DocCommand]:
    """Every command of the shell blocks of ``path``, in order."""
    found = []
    name = str(path.relative_to(REPO_ROOT))
    for match in SHELL_BLOCK.finditer(path.read_text(encoding="utf-8")):
        pending = ""
        for line in _lines(match.group(1), match.group(2)):
            pending = f"{pending}\n{line}" if pending else line
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # an open quote: the command goes on on the next line
                continue
            if words:
                text = pending.strip() if "\n" in pending else pending.split(" #")[0].strip()
                found.append(DocCommand(name, text, tuple(words)))
            pending = ""
        assert not pending, f"{name}: unterminated command {pending!r}"
    return found


def all_commands() -> list[DocCommand]:
    """The commands of README.md and docs/*.md."""
    return [command for path in documents() for command in commands_in(path)]


EVALUATION_SCRIPTS = ("bench.extraction_eval", "bench.quotes_eval")


def evaluation_commands() -> list[DocCommand]:
    """The documented runs of the quality evaluations (`.venv/bin/python -m bench.<script> ...`)."""
    return [c for c in all_commands() if c.argv[:2] == (".venv/bin/python", "-m") and c.argv[2] in EVALUATION_SCRIPTS]


def documented_evaluations(record: Path | None = None) -> BackgroundRun:
    """The documented evaluation commands (not started), from the repository root exactly as written, two at a
    time (each is one single-threaded process); each command's result under its text (also written to ``record``
    when given). None run without a .venv in the repository root."""

    def plan() -> list[Step]:
        if not (REPO_ROOT / ".venv" / "bin" / "python").exists():
            return []
        return [Step(c.text, list(c.argv), 600) for c in evaluation_commands()]

    return BackgroundRun("documented-evaluations", plan, REPO_ROOT, parallel=2, record=record)


def start_evaluations_in_background() -> StartedRun:
    """Start the documented evaluations once per session; later calls return the same run."""
    return start_once("documented-evaluations", documented_evaluations)
