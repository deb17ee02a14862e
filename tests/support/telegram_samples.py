"""What the bundled Telegram samples must show after the README's demo (``telefeed run`` twice), as SQL.

``FEATURES_SQL`` gives one ``(feature, source)`` row per sample source that shows the feature; it runs on a
warehouse in-process (tests/connectors/test_telegram_snapshot.py) and through ``telefeed sql`` after the README demo
(tests/support/readme_demo.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# feature -> SQL giving the source of each document (or tombstone) that shows it
FEATURES = {
    "album": "select source from documents where kind = 'post' and json_array_length(metadata->'message_ids') > 1",
    "forward from a channel": "select source from documents "
    "where kind = 'post' and coalesce(json_extract_string(metadata, '$.fwd_from.channel_id'), "
    "json_extract_string(metadata, '$.fwd_from.username')) is not null",
    "hidden link": "select source from documents, unnest(cast(metadata->'entities' as json[])) as e(entity) "
    "where kind = 'post' and json_extract_string(entity, '$.type') = 'text_link'",
    "edited post": "select source from documents "
    "where kind = 'post' and cast(json_extract_string(metadata, '$.edited') as boolean)",
    "deleted post": "select source from telegram_deleted_posts",
    "poll": "select source from documents where kind = 'post' and json_extract(metadata, '$.poll') is not null",
    "comment thread": "select c.source from documents c join documents p "
    "on p.source = c.source and p.external_id = json_extract_string(c.metadata, '$.post_external_id') "
    "where c.kind = 'comment'",
}

FEATURES_SQL = " union ".join(
    f"select distinct '{name}' as feature, source from ({sql})" for name, sql in FEATURES.items()
)


def sources_by_feature(rows: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """``FEATURES_SQL`` rows as feature -> the sample sources showing it."""
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(str(row["feature"]), set()).add(str(row["source"]))
    return found
