"""Every documented view runs and returns the expected rows on the fixture warehouse (tests/support/analyst_fixture)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from warehouse.db import Warehouse

# The module's analyst warehouse: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("analyst-views")

# Sources of the fixed-date fixture documents (the Bakhmut ones are dated relative to now).
FIXED_SOURCES = ("wire", "frontline", "channel")


def rows(analyst_warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    return analyst_warehouse.read_only_query(sql).to_pylist()


def relations(analyst_warehouse: Warehouse) -> dict[str, str]:
    """Every table and view of the warehouse's main schema: name -> 'BASE TABLE' or 'VIEW'."""
    table = analyst_warehouse.read_only_query(
        "select table_name, table_type from information_schema.tables where table_schema = 'main'"
    )
    return dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


def documented_relations() -> set[str]:
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### `([a-z_0-9]+)`", text, flags=re.MULTILINE))


def test_every_table_and_view_is_documented_and_every_documented_one_exists(analyst_warehouse: Warehouse) -> None:
    known = set(relations(analyst_warehouse))
    documented = documented_relations()
    assert known - documented == set(), "undocumented tables/views"
    assert documented - known == set(), "documented but missing from the warehouse"


def test_every_documented_view_runs(analyst_warehouse: Warehouse) -> None:
    views = [name for name, kind in relations(analyst_warehouse).items() if kind == "VIEW"]
    assert {
        "source_health",
        "daily_documents",
        "story_spread",
        "daily_entity_mentions",
        "entity_cooccurrence",
        "quotes_by_speaker",
        "story_telegram_citations",
    } <= set(views)
    for view in views:
        analyst_warehouse.read_only_query(f'select * from "{view}" limit 5')


def test_source_health(analyst_warehouse: Warehouse) -> None:
    health = {r["source"]: r for r in rows(analyst_warehouse, "select * from source_health")}
    assert set(health) == {"wire", "frontline", "channel", "dispatch", "ledger", "front_channel"}
    wire, frontline, channel = health["wire"], health["frontline"], health["channel"]
    assert wire["kind"] == "rss" and wire["enabled"] is True
    assert wire["runs"] == 2 and wire["last_status"] == "ok" and wire["errors"] == 0
    assert wire["last_success_at"] == wire["last_run_at"] and wire["last_error_at"] is None
    assert frontline["last_success_at"] is None and frontline["last_status"] == "partial"
    assert frontline["failed_runs"] == 1 and frontline["errors"] == 3 and frontline["errors_24h"] == 1
    assert frontline["quarantined"] == 2 and frontline["quarantined_24h"] == 2
    assert frontline["last_error_message"] == "frontline broke"
    assert channel["cursor_last_id"] == 42 and channel["documents"] == 2
    assert wire["documents"] == 3 and wire["quarantined"] == 0 and wire["cursor_last_id"] is None


def _kyiv(day: date, source: str) -> dict[str, Any]:
    """A ``daily_entity_mentions`` row of one mention of Kyiv in one document."""
    return {"day": day, "source": source, "entity": "Kyiv", "entity_type": "LOC", "mentions": 1, "documents": 1}


def _grid(day: date, source: str, cumulative: int) -> dict[str, Any]:
    """A ``story_spread`` row of the grid story (first carried by the wire, then by frontline)."""
    return {
        "day": day,
        "first_source": "wire",
        "documents": 1,
        "sources_that_day": [source],
        "cumulative_documents": cumulative,
        "cumulative_sources": cumulative,
        "total_sources": 2,
    }


# A query of a view and the exact rows the fixture warehouse gives.
VIEW_ROWS = [
    pytest.param(
        "select day, source, documents, edited from daily_documents "
        f"where source in {FIXED_SOURCES} order by day, source",
        [
            {"day": date(2026, 11, 20), "source": "channel", "documents": 1, "edited": 0},
            {"day": date(2026, 11, 20), "source": "wire", "documents": 1, "edited": 0},
            {"day": date(2026, 11, 21), "source": "frontline", "documents": 1, "edited": 0},
            {"day": date(2026, 11, 21), "source": "wire", "documents": 1, "edited": 0},
            {"day": date(2026, 11, 22), "source": "channel", "documents": 1, "edited": 1},
            {"day": date(2026, 11, 22), "source": "frontline", "documents": 1, "edited": 0},
            {"day": date(2026, 11, 22), "source": "wire", "documents": 1, "edited": 0},
        ],
        id="daily_documents",
    ),
    pytest.param(
        "select day, first_source, documents, sources_that_day, cumulative_documents, cumulative_sources, "
        "total_sources from story_spread where first_title = 'Grid struck near Kyiv' order by day",
        [_grid(date(2026, 11, 20), "wire", 1), _grid(date(2026, 11, 21), "frontline", 2)],
        id="story_spread follows the grid story from wire to frontline",
    ),
    pytest.param(
        "select count(DISTINCT cluster_id) as n from story_spread "
        f"where total_documents = 1 and first_source in {FIXED_SOURCES}",
        [{"n": 5}],
        id="story_spread single-document stories",
    ),
    pytest.param(
        "select day, source, entity, entity_type, mentions, documents from daily_entity_mentions "
        f"where entity_id = 'LOC:kiv' and source in {FIXED_SOURCES} order by day, source",
        [
            _kyiv(date(2026, 11, 20), "channel"),
            _kyiv(date(2026, 11, 20), "wire"),
            _kyiv(date(2026, 11, 21), "frontline"),
            _kyiv(date(2026, 11, 22), "channel"),
        ],
        id="daily_entity_mentions per canonical entity and source",
    ),
    pytest.param(  # Бахмут (a Ukrainian post) and Bakhmut (English articles) are one entity, named in Latin script.
        "select source, sum(mentions) as n from daily_entity_mentions where entity = 'Bakhmut' group by source "
        "order by source",
        [{"source": "dispatch", "n": 2}, {"source": "front_channel", "n": 2}, {"source": "ledger", "n": 1}],
        id="daily_entity_mentions joins scripts",
    ),
    pytest.param(
        "select entity_a, entity_b, documents, sources from entity_cooccurrence "
        "where day = '2026-11-21' and 'wire' in sources order by entity_a, entity_b",
        [
            {"entity_a": "Berlin", "entity_b": "Olaf Scholz", "documents": 1, "sources": ["wire"]},
            {"entity_a": "Berlin", "entity_b": "Volodymyr Zelensky", "documents": 1, "sources": ["wire"]},
            {"entity_a": "Olaf Scholz", "entity_b": "Volodymyr Zelensky", "documents": 1, "sources": ["wire"]},
        ],
        id="entity_cooccurrence pairs entities of one document",
    ),
    pytest.param(
        "select entity_b, sum(documents) as n from entity_cooccurrence where entity_a = 'Bakhmut' "
        "group by entity_b order by entity_b",
        [
            {"entity_b": "Oleksandr Syrskyi", "n": 1},
            {"entity_b": "Serhiy Cherevatyi", "n": 1},
            {"entity_b": "Volodymyr Zelensky", "n": 1},
        ],
        id="entity_cooccurrence of one entity",
    ),
    pytest.param(
        "select count(*) as n from entity_cooccurrence where entity_a_id >= entity_b_id",
        [{"n": 0}],
        id="entity_cooccurrence lists each pair once",
    ),
]


@pytest.mark.parametrize(("sql", "expected"), VIEW_ROWS)
def test_view_gives_the_expected_rows(analyst_warehouse: Warehouse, sql: str, expected: list[dict[str, Any]]) -> None:
    assert rows(analyst_warehouse, sql) == expected


def test_every_example_query_in_the_schema_doc_runs(analyst_warehouse: Warehouse) -> None:
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    examples = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    assert len(examples) >= len(documented_relations()) - 1
    for sql in examples:
        for statement in sql.split(";"):
            body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
            if body:
                analyst_warehouse.read_only_query(body)


def test_quotes_by_speaker_with_outlet_and_date(analyst_warehouse: Warehouse) -> None:
    got = rows(
        analyst_warehouse,
        "select speaker, speaker_as_written, source, title, quote, credited_outlets, "
        "published_at >= now() - interval 7 day as last_week from quotes_by_speaker order by published_at, speaker",
    )
    assert [(r["speaker"], r["source"], r["title"]) for r in got] == [
        ("Volodymyr Zelensky", "dispatch", "Zelensky on Bakhmut"),
        ("Oleksandr Syrskyi", "dispatch", "Holding the line in Bakhmut"),
        ("Oleh Kiper", "ledger", "Odesa port"),
        ("Serhiy Cherevatyi", "ledger", "Two battalions lost near Bakhmut"),
    ]
    kiper = got[2]
    assert kiper["speaker_as_written"] == "Oleh Kiper" and kiper["credited_outlets"] == ["Reuters"]
    assert kiper["quote"].startswith("The port of Odesa is working normally")
    assert [r["last_week"] for r in got] == [False, True, True, True]


def test_story_telegram_citations_link_stories_to_the_posts_they_cite(analyst_warehouse: Warehouse) -> None:
    got = rows(
        analyst_warehouse,
        "select source, title, channel, post_id, via, match_method, post_source, post_url, post_text "
        "from story_telegram_citations order by published_at",
    )
    assert [{k: v for k, v in r.items() if k != "post_text"} for r in got] == [
        {
            "source": "dispatch",
            "title": "Holding the line in Bakhmut",
            "channel": "bakhmut_front",
            "post_id": 7,
            "via": "link",
            "match_method": "link",
            "post_source": "front_channel",
            "post_url": "https://t.me/bakhmut_front/7",
        },
        {
            "source": "ledger",
            "title": "Two battalions lost near Bakhmut",
            "channel": "bakhmut_front",
            "post_id": None,
            "via": "mention",
            "match_method": "quote",  # the post carries the quoted words
            "post_source": "front_channel",
            "post_url": "https://t.me/bakhmut_front/8",
        },
    ]
    assert got[0]["post_text"].startswith("Бахмут") and "two battalions" in got[1]["post_text"]


GOAL_HEADING = "### Who was quoted about Bakhmut last week"


def goal_query() -> str:
    """The SQL block under the goal-query heading of docs/schema.md, verbatim."""
    text = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    after = text[text.index(GOAL_HEADING) :]
    match = re.search(r"```sql\n(.*?)```", after, flags=re.DOTALL)
    assert match
    return match.group(1)


def test_who_was_quoted_about_bakhmut_last_week_and_which_post_each_story_cited(analyst_warehouse: Warehouse) -> None:
    answer = rows(analyst_warehouse, goal_query())
    assert [(r["speaker"], r["outlet"], r["title"], r["cited_post"]) for r in answer] == [
        ("Oleksandr Syrskyi", "dispatch", "Holding the line in Bakhmut", "https://t.me/bakhmut_front/7"),
        ("Serhiy Cherevatyi", "ledger", "Two battalions lost near Bakhmut", "https://t.me/bakhmut_front/8"),
    ]
    assert answer[0]["quote"].startswith("We are holding the line in Bakhmut")
    assert answer[0]["url"] == "https://dispatch.example/bakhmut-line"
    assert all(r["channel"] == "bakhmut_front" for r in answer)
    # Zelensky spoke about Bakhmut 10 days ago; Kiper was quoted yesterday, about Odesa: neither is in the answer.
