"""A small warehouse for the analyst views, report and export tests, built through the real landing API.

Expect (all times UTC, November 2026):
- sources: wire (rss), frontline (rss), channel (telegram); runs: wire ok twice, frontline failed once
  (2 errors) then partial (1 error), channel ok; quarantine: 2 rows for frontline, 0 elsewhere;
  cursor: channel last_id 42.
- documents: wire 20th, 21st, 22nd; frontline 21st (same text as wire's 20th: one story, two sources),
  22nd; channel posts 20th, 22nd (the 22nd edited once, revision 2).
- Bakhmut documents, dated relative to now (``RECENT``), in their own sources (dispatch and ledger: rss;
  front_channel: telegram channel ``bakhmut_front``): posts 7 (3 days ago, Ukrainian) and 8 (2 days ago);
  dispatch quotes Oleksandr Syrskyi 2 days ago citing t.me/bakhmut_front/7 by link; ledger quotes Serhiy
  Cherevatyi 1 day ago citing @bakhmut_front (matched to post 8 by the shared quote); dispatch quotes
  Volodymyr Zelensky on Bakhmut 10 days ago; ledger quotes Oleh Kiper on Odesa 1 day ago.
- extraction: the real extractor (telefeed/pipeline/extract.run_extraction) over every document.

The warehouse is built once per process and copied for each caller.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telefeed.models import Cursor, Document, LandBatch, Quarantined, RawItem, utc_now
from telefeed.pipeline.stories import cluster_new_documents
from warehouse.db import RunRecord, Warehouse

GRID_TEXT = (
    "Russian missiles struck the power grid around Kyiv overnight, Ukrenergo said, leaving thousands without "
    "electricity as repair crews worked through the morning to restore supply to hospitals and water stations."
)


@dataclass(frozen=True, slots=True)
class Doc:
    """One fixture document."""

    source: str
    kind: str
    external_id: str
    day: int
    title: str
    text: str
    url: str | None = None
    language: str = "en"


DOCS = [
    Doc("wire", "article", "w1", 20, "Grid struck near Kyiv", GRID_TEXT, "https://wire.example/1"),
    Doc(
        "wire",
        "article",
        "w2",
        21,
        "Zelensky meets Scholz",
        "Volodymyr Zelensky met Olaf Scholz in Berlin to discuss air defence.",
        "https://wire.example/2",
    ),
    Doc(
        "wire",
        "article",
        "w3",
        22,
        "Grain corridor talks",
        "Officials in Odesa said grain shipments continue despite attacks on the port.",
        "https://wire.example/3",
    ),
    Doc("frontline", "article", "f1", 21, "Kyiv grid hit", GRID_TEXT, "https://frontline.example/1"),
    Doc(
        "frontline",
        "article",
        "f2",
        22,
        "Avdiivka fighting",
        "Fighting continued around Avdiivka, the general staff said in its morning report.",
        "https://frontline.example/2",
    ),
    Doc("channel", "post", "kyiv_pulse:41", 20, "", "Air raid alert in Kyiv. Stay in shelters.", None, "uk"),
    Doc("channel", "post", "kyiv_pulse:42", 22, "", "Power restored in most districts of Kyiv.", None, "uk"),
]

SOURCES = [("wire", "rss", {"enabled": True}), ("frontline", "rss", {"enabled": True}), ("channel", "telegram", {})]


@dataclass(frozen=True, slots=True)
class RecentDoc:
    """A fixture document published ``days_ago`` days before the fixture was built."""

    source: str
    kind: str
    external_id: str
    days_ago: int
    title: str | None
    text: str
    url: str
    language: str = "en"


RECENT = [
    RecentDoc(
        "front_channel",
        "post",
        "bakhmut_front:7",
        3,
        None,
        "Бахмут: ворог штурмує місто з трьох напрямків. Наші підрозділи тримають оборону.",
        "https://t.me/bakhmut_front/7",
        "uk",
    ),
    RecentDoc(
        "front_channel",
        "post",
        "bakhmut_front:8",
        2,
        None,
        "The enemy lost two battalions near Bakhmut overnight, the brigade reported.",
        "https://t.me/bakhmut_front/8",
    ),
    RecentDoc(
        "dispatch",
        "article",
        "d1",
        2,
        "Holding the line in Bakhmut",
        '"We are holding the line in Bakhmut," Oleksandr Syrskyi said on Tuesday, pointing to a video the brigade '
        "posted at https://t.me/bakhmut_front/7.",
        "https://dispatch.example/bakhmut-line",
    ),
    RecentDoc(
        "ledger",
        "article",
        "l1",
        1,
        "Two battalions lost near Bakhmut",
        'Serhiy Cherevatyi said: "The enemy lost two battalions near Bakhmut overnight." The claim first appeared '
        "on the @bakhmut_front channel.",
        "https://ledger.example/battalions",
    ),
    RecentDoc(
        "dispatch",
        "article",
        "d0",
        10,
        "Zelensky on Bakhmut",
        '"Bakhmut will hold," Volodymyr Zelensky said in his evening address.',
        "https://dispatch.example/zelensky",
    ),
    RecentDoc(
        "ledger",
        "article",
        "l2",
        1,
        "Odesa port",
        '"The port of Odesa is working normally," Oleh Kiper said on Monday, according to Reuters.',
        "https://ledger.example/odesa",
    ),
]

RECENT_SOURCES: list[tuple[str, str, dict[str, Any]]] = [
    ("dispatch", "rss", {"enabled": True}),
    ("ledger", "rss", {"enabled": True}),
    ("front_channel", "telegram", {"channel": "bakhmut_front"}),
]


FIXED_DAYS_END = datetime(2026, 11, 23, tzinfo=UTC)  # the fixed (dated) documents are all before this


def at(day: int, hour: int = 12) -> datetime:
    """A fixture time: ``day`` November 2026 at ``hour``:00 UTC."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def document(doc: Doc, text: str | None = None) -> Document:
    """The :class:`Document` for a fixture row."""
    return Document(
        source=doc.source,
        kind=doc.kind,
        external_id=doc.external_id,
        text=text or doc.text,
        url=doc.url,
        title=doc.title or None,
        published_at=at(doc.day),
        language=doc.language,
    )


_TEMPLATE: dict[str, Path] = {}


def build_fixture_warehouse(path: str) -> Warehouse:
    """The fixture warehouse at ``path`` (a copy of one built once per process). Returns the warehouse."""
    if "path" not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="telefeed-analyst-")) / "fixture.duckdb"
        _build(str(template))
        _TEMPLATE["path"] = template
    template = _TEMPLATE["path"]
    for sibling in template.parent.glob(template.name + "*"):
        shutil.copyfile(sibling, Path(path).parent / (Path(path).name + sibling.name[len(template.name) :]))
    return Warehouse(path)


def _build(path: str) -> Warehouse:
    """Land the fixture documents, runs, quarantine rows and cursor; cluster stories; extract."""
    from telefeed.pipeline.extract import run_extraction

    wh = Warehouse(path)
    wh.register_sources(SOURCES)
    for source in ("wire", "frontline", "channel"):
        docs = [document(d) for d in DOCS if d.source == source]
        raw = [RawItem(source, d.external_id, "fixture", {"text": d.text}) for d in docs]
        quarantine = []
        if source == "frontline":
            quarantine = [
                Quarantined(source, "f-bad-1", "parse", "missing title and link", "<item/>"),
                Quarantined(source, "f-bad-2", "normalise", "empty text", "<item><title/></item>"),
            ]
        cursor = Cursor(source, last_id=42) if source == "channel" else None
        wh.land(LandBatch(source, raw, docs, quarantine, cursor), run_id=f"run-{source}")
    edited = next(d for d in DOCS if d.external_id == "kyiv_pulse:42")
    wh.land(LandBatch("channel", documents=[document(edited, edited.text + " (edited)")]), run_id="run-edit")
    now = utc_now()
    runs = [
        ("wire", "ok", 0, now - timedelta(days=3)),
        ("wire", "ok", 0, now - timedelta(hours=1)),
        ("frontline", "failed", 2, now - timedelta(days=3)),
        ("frontline", "partial", 1, now - timedelta(hours=2)),
        ("channel", "ok", 0, now - timedelta(minutes=5)),
    ]
    for i, (source, status, errors, finished) in enumerate(runs):
        wh.record_run(
            RunRecord(
                run_id=f"r{i}",
                source=source,
                mode="forward",
                started_at=finished - timedelta(seconds=3),
                finished_at=finished,
                status=status,
                errors=errors,
                error_message=f"{source} broke" if errors else None,
            )
        )
    wh.register_sources(RECENT_SOURCES)
    built_at = utc_now()
    for source, _, _ in RECENT_SOURCES:
        recent = [
            Document(
                source=d.source,
                kind=d.kind,
                external_id=d.external_id,
                text=d.text,
                url=d.url,
                title=d.title,
                # Never inside the fixed documents' days (20-22 November 2026), whatever day the tests run.
                published_at=max(built_at - timedelta(days=d.days_ago), FIXED_DAYS_END),
                language=d.language,
            )
            for d in RECENT
            if d.source == source
        ]
        raw = [RawItem(source, d.external_id, "fixture", {"text": d.text}) for d in recent]
        wh.land(LandBatch(source, raw, recent), run_id=f"run-{source}")
    cluster_new_documents(wh, None)
    run_extraction(wh)
    return wh
