"""The fixture article pages (tests/fixtures/pages) and what each one expects (its expected.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
"""Per page: ``title``, ``main`` (the article's own paragraphs, in order) and ``removed`` (the planted lines)."""
