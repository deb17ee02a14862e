-- Core tables: sources, raw layer, documents, cursors, runs, quarantine.
CREATE TABLE IF NOT EXISTS sources (
    name        VARCHAR NOT NULL,   -- key
    kind        VARCHAR NOT NULL,
    config      JSON,               -- validated settings, never credentials
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_items (
    source        VARCHAR NOT NULL,
    external_id   VARCHAR NOT NULL,
    item_kind     VARCHAR NOT NULL,  -- rss_entry, article_page, telegram_message, ...
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_hash  VARCHAR NOT NULL,  -- idempotency key with (source, external_id)
    payload       JSON NOT NULL,
    run_id        VARCHAR
);

CREATE TABLE IF NOT EXISTS documents (
    id             VARCHAR NOT NULL,  -- key: hash of (source, external_id)
    source         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,  -- article | post
    external_id    VARCHAR NOT NULL,
    url            VARCHAR,
    title          VARCHAR,
    author         VARCHAR,
    published_at   TIMESTAMPTZ,
    language       VARCHAR,
    text           VARCHAR NOT NULL,
    summary        VARCHAR,
    removed_lines  VARCHAR[],
    content_hash   VARCHAR NOT NULL,  -- hash of normalised text (exact duplicates)
    version_hash   VARCHAR NOT NULL,  -- changes when the source edits the item
    metadata       JSON,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    revision       INTEGER NOT NULL   -- 1 on first landing, +1 per edit seen
);

CREATE TABLE IF NOT EXISTS cursors (
    source         VARCHAR NOT NULL,  -- key
    etag           VARCHAR,
    last_modified  VARCHAR,
    last_id        BIGINT,
    last_date      TIMESTAMPTZ,
    state          JSON,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,  -- forward | backfill
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    status         VARCHAR NOT NULL,  -- ok | not_modified | partial | failed
    fetched        INTEGER NOT NULL,
    new            INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    skipped        INTEGER NOT NULL,
    quarantined    INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    seconds        DOUBLE NOT NULL,
    error_message  VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    source          VARCHAR NOT NULL,
    external_id     VARCHAR,
    stage           VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    payload         VARCHAR NOT NULL,
    payload_hash    VARCHAR NOT NULL,
    run_id          VARCHAR,
    quarantined_at  TIMESTAMPTZ NOT NULL
);
