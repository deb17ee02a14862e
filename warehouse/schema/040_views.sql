-- Analyst views over the core, Telegram and article tables (issue 6). Documented in docs/schema.md.
-- Days are UTC calendar days. A document's time is its published_at, else when it was first landed.

-- Health of every source: last success, last error, errors, quarantine counts, cursor state, documents.
CREATE OR REPLACE VIEW source_health AS
WITH names AS (
    SELECT name AS source, kind, TRY_CAST(json_extract_string(config, '$.enabled') AS BOOLEAN) AS enabled
    FROM sources
    UNION ALL
    SELECT DISTINCT source, CAST(NULL AS VARCHAR), CAST(NULL AS BOOLEAN)
    FROM runs WHERE source NOT IN (SELECT name FROM sources)
),
r AS (
    SELECT
        source,
        count(*) AS runs,
        max(finished_at) AS last_run_at,
        arg_max(status, finished_at) AS last_status,
        max(finished_at) FILTER (WHERE status IN ('ok', 'not_modified')) AS last_success_at,
        max(finished_at) FILTER (WHERE status IN ('failed', 'partial')) AS last_error_at,
        arg_max(error_message, finished_at) FILTER (WHERE error_message IS NOT NULL) AS last_error_message,
        count(*) FILTER (WHERE status = 'failed') AS failed_runs,
        CAST(sum(errors) AS BIGINT) AS errors,
        CAST(coalesce(sum(errors) FILTER (WHERE finished_at >= now() - INTERVAL 1 DAY), 0) AS BIGINT) AS errors_24h
    FROM runs
    GROUP BY source
),
q AS (
    SELECT
        source,
        count(*) AS quarantined,
        count(*) FILTER (WHERE quarantined_at >= now() - INTERVAL 1 DAY) AS quarantined_24h,
        max(quarantined_at) AS last_quarantined_at
    FROM quarantine
    GROUP BY source
),
d AS (
    SELECT source, count(*) AS documents, max(published_at) AS last_published_at
    FROM documents
    GROUP BY source
)
SELECT
    n.source,
    n.kind,
    n.enabled,
    r.last_success_at,
    r.last_run_at,
    r.last_status,
    r.last_error_at,
    r.last_error_message,
    coalesce(r.runs, 0) AS runs,
    coalesce(r.failed_runs, 0) AS failed_runs,
    coalesce(r.errors, 0) AS errors,
    coalesce(r.errors_24h, 0) AS errors_24h,
    coalesce(q.quarantined, 0) AS quarantined,
    coalesce(q.quarantined_24h, 0) AS quarantined_24h,
    q.last_quarantined_at,
    coalesce(d.documents, 0) AS documents,
    d.last_published_at,
    c.updated_at AS cursor_updated_at,
    c.last_id AS cursor_last_id
FROM names n
LEFT JOIN r ON r.source = n.source
LEFT JOIN q ON q.source = n.source
LEFT JOIN d ON d.source = n.source
LEFT JOIN cursors c ON c.source = n.source;

-- Documents per source, kind and day (the report's "documents per source per day").
CREATE OR REPLACE VIEW daily_documents AS
SELECT
    CAST(coalesce(published_at, first_seen_at) AT TIME ZONE 'UTC' AS DATE) AS day,
    source,
    kind,
    count(*) AS documents,
    count(*) FILTER (WHERE revision > 1) AS edited,
    list(DISTINCT language ORDER BY language) FILTER (WHERE language IS NOT NULL) AS languages
FROM documents
GROUP BY ALL;

-- Story clusters day by day: where a story was first seen and how it spread (documents and sources so far).
CREATE OR REPLACE VIEW story_spread AS
WITH members AS (
    SELECT
        c.cluster_id,
        c.source,
        c.first_source,
        c.first_seen_at,
        coalesce(d.published_at, c.document_seen_at) AS doc_time
    FROM story_clusters c
    LEFT JOIN documents d ON d.id = c.document_id
),
source_first AS (
    SELECT cluster_id, source, CAST(min(doc_time) AT TIME ZONE 'UTC' AS DATE) AS first_day
    FROM members
    GROUP BY ALL
),
days AS (
    SELECT
        cluster_id,
        CAST(doc_time AT TIME ZONE 'UTC' AS DATE) AS day,
        any_value(first_source) AS first_source,
        min(first_seen_at) AS first_seen_at,
        count(*) AS documents,
        list(DISTINCT source ORDER BY source) AS sources_that_day
    FROM members
    GROUP BY ALL
)
SELECT
    d.cluster_id,
    coalesce(s.first_title, left(fd.text, 100)) AS first_title,
    d.first_source,
    d.first_seen_at,
    d.day,
    d.documents,
    d.sources_that_day,
    CAST(sum(d.documents) OVER (PARTITION BY d.cluster_id ORDER BY d.day) AS BIGINT) AS cumulative_documents,
    (SELECT count(*) FROM source_first f WHERE f.cluster_id = d.cluster_id AND f.first_day <= d.day)
        AS cumulative_sources,
    s.documents AS total_documents,
    s.sources AS total_sources
FROM days d
JOIN story_cluster_summary s ON s.cluster_id = d.cluster_id
LEFT JOIN documents fd ON fd.id = d.cluster_id;
