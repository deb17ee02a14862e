"""``telefeed report``: one self-contained HTML page with plotly charts and tables, viewable offline.

The plotly.js bundle is inlined once; every chart's data sits in the page as JSON. The data comes from the
read-only helpers in :mod:`warehouse.analyst` (the views of ``warehouse/schema/040_views.sql`` and later).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from telefeed.models import utc_now
from warehouse import analyst
from warehouse.db import Warehouse


@dataclass(slots=True)
class Section:
    """One block of the page: a heading, an optional chart and/or table, or a note when there is no data."""

    title: str
    chart_html: str = ""
    table_html: str = ""
    note: str = ""


def _figure_html(figure: Any, div_id: str) -> str:
    return str(
        figure.to_html(
            full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False, "responsive": True}
        )
    )


def _layout(figure: Any, y_title: str) -> None:
    figure.update_layout(
        template="plotly_white",
        height=420,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=y_title,
    )


def documents_chart(table: pa.Table) -> str:
    """Stacked bars: documents per source per day."""
    import plotly.graph_objects as go

    figure = go.Figure()
    rows = table.to_pylist()
    for source in sorted({r["source"] for r in rows}):
        mine = [r for r in rows if r["source"] == source]
        figure.add_bar(name=source, x=[r["day"].isoformat() for r in mine], y=[int(r["documents"]) for r in mine])
    figure.update_layout(barmode="stack")
    _layout(figure, "documents")
    return _figure_html(figure, "chart-documents-per-source")


def mentions_chart(table: pa.Table) -> str:
    """Lines: mentions per day of the top entities."""
    import plotly.graph_objects as go

    figure = go.Figure()
    rows = table.to_pylist()
    order: dict[str, int] = {}
    for r in rows:
        order[r["entity"]] = order.get(r["entity"], 0) + int(r["mentions"])
    for entity in sorted(order, key=lambda e: (-order[e], e)):
        mine = [r for r in rows if r["entity"] == entity]
        figure.add_scatter(
            name=entity,
            mode="lines+markers",
            x=[r["day"].isoformat() for r in mine],
            y=[int(r["mentions"]) for r in mine],
        )
    _layout(figure, "mentions")
    return _figure_html(figure, "chart-entity-mentions")


def speakers_chart(table: pa.Table) -> str:
    """Horizontal bars: quotes per speaker."""
    import plotly.graph_objects as go

    rows = list(reversed(table.to_pylist()))  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(orientation="h", x=[int(r["quotes"]) for r in rows], y=[str(r["speaker"]) for r in rows], name="quotes")
    )
    _layout(figure, "")
    figure.update_layout(xaxis_title="quotes", height=max(300, 40 * len(rows) + 100))
    return _figure_html(figure, "chart-top-speakers")


def table_html(table: pa.Table, max_rows: int = 50) -> str:
    """An HTML table of the first ``max_rows`` rows (values escaped; lists joined; times to the minute)."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in table.column_names)
    body = []
    for row in table.slice(0, max_rows).to_pylist():
        cells = []
        for value in row.values():
            if value is None:
                text = ""
            elif isinstance(value, datetime):
                text = value.strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, list):
                text = ", ".join(str(v) for v in value)
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_MISSING = "No extraction tables in this warehouse yet: run extraction to see {what}."


def _section(
    title: str,
    rows: pa.Table | None,
    empty: str,
    *,
    missing: str = "",
    chart: Callable[[pa.Table], str] | None = None,
    table: Callable[[pa.Table], pa.Table | None] | None = None,
) -> Section:
    """A section over ``rows``: a note when they are None (no extraction tables: ``missing`` names what) or
    empty, otherwise the ``chart`` and the ``table`` drawn from them."""
    section = Section(title)
    if rows is None:
        section.note = _MISSING.format(what=missing)
    elif rows.num_rows == 0:
        section.note = empty
    else:
        if chart is not None:
            section.chart_html = chart(rows)
        shown = table(rows) if table is not None else None
        if shown is not None:
            section.table_html = table_html(shown)
    return section


def _same(rows: pa.Table) -> pa.Table:
    return rows


def collect_sections(warehouse: Warehouse, since: datetime, until: datetime | None, top: int) -> list[Section]:
    """Query the warehouse and build every section of the report."""
    sections = [
        _section(
            f"Mentions over time: top {top} entities",
            analyst.ENTITY_MENTIONS_OVER_TIME.read(warehouse, since, until, top),
            "No entity mentions in this window.",
            missing="entity mentions",
            chart=mentions_chart,
            table=lambda _: analyst.TOP_ENTITIES.read(warehouse, since, until),
        ),
        _section(
            "Documents per source per day",
            analyst.DOCUMENTS_PER_DAY.read(warehouse, since, until),
            "No documents in this window.",
            chart=documents_chart,
        ),
        _section(
            "Top speakers",
            analyst.TOP_SPEAKERS.read(warehouse, since, until, top),
            "No attributed quotes in this window.",
            missing="quotes and speakers",
            chart=speakers_chart,
            table=_same,
        ),
    ]

    quotes = analyst.RECENT_QUOTES.read(warehouse, since, until)
    if quotes is not None and quotes.num_rows:
        sections.append(Section("Latest quotes", table_html=table_html(quotes)))

    cited = analyst.CITED_POSTS.read(warehouse, since, until)
    if cited is not None and cited.num_rows:
        sections.append(
            Section("Telegram posts cited by the news", table_html=table_html(cited.drop(["published_at"])))
        )

    sections.append(
        _section(
            "Stories carried by the most sources",
            analyst.TOP_STORIES.read(warehouse, since, until),
            "No story clusters in this window.",
            table=_same,
        )
    )
    sections.append(Section("Source health", table_html=table_html(analyst.source_health(warehouse))))
    return sections


_CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1f2328; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
.meta { color: #59636e; } .note { color: #59636e; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin-top: .6rem; }
th, td { border-bottom: 1px solid #d1d9e0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
"""


def render_html(sections: list[Section], since: datetime, until: datetime | None, generated_at: datetime) -> str:
    """The whole page: inlined plotly.js, then each section."""
    from plotly.offline import get_plotlyjs

    window = f"{since.isoformat()} to {until.isoformat() if until else 'now'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>telefeed report {html.escape(since.date().isoformat())}</title>",
        f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        "<h1>telefeed report</h1>",
        f'<p class="meta">Window: {html.escape(window)} (UTC). Generated {generated_at:%Y-%m-%d %H:%M} UTC.</p>',
    ]
    for section in sections:
        slug = "".join(c if c.isalnum() else "-" for c in section.title.lower()).strip("-")
        parts.append(f'<section id="{slug}"><h2>{html.escape(section.title)}</h2>')
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        parts += [section.chart_html, section.table_html, "</section>"]
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def build_report(warehouse: Warehouse, since: datetime, until: datetime | None = None, top: int = 8) -> str:
    """The report for ``[since, until)`` as one self-contained HTML string."""
    return render_html(collect_sections(warehouse, since, until, top), since, until, utc_now())
