-- Analyst views over the extraction tables of 030_extraction.sql (issue 6). Documented in docs/schema.md.
-- Days are UTC calendar days; a document's time is its published_at, else when it was first landed.
-- An entity's display name comes from canonical_entities (Latin script once one is known).

-- Mentions per UTC day, source and canonical entity (the report's "mentions over time").
CREATE OR REPLACE VIEW daily_entity_mentions AS
SELECT
    CAST(coalesce(d.published_at, d.first_seen_at) AT TIME ZONE 'UTC' AS DATE) AS day,
    d.source,
    m.canonical_id AS entity_id,
    coalesce(any_value(c.name), any_value(m.canonical_name)) AS entity,
    any_value(m.label) AS entity_type,
    count(*) AS mentions,
    count(DISTINCT m.document_id) AS documents
FROM mentions m
JOIN documents d ON d.id = m.document_id
LEFT JOIN canonical_entities c ON c.canonical_id = m.canonical_id
GROUP BY 1, 2, 3;

-- Pairs of canonical entities named in the same document, per UTC day (entity_a_id < entity_b_id).
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH per_document AS (
    SELECT DISTINCT document_id, canonical_id FROM mentions
),
named AS (
    SELECT p.document_id, p.canonical_id, coalesce(c.name, m.canonical_name) AS name, m.label
    FROM per_document p
    JOIN (SELECT canonical_id, any_value(canonical_name) AS canonical_name, any_value(label) AS label
          FROM mentions GROUP BY canonical_id) m ON m.canonical_id = p.canonical_id
    LEFT JOIN canonical_entities c ON c.canonical_id = p.canonical_id
)
SELECT
    CAST(coalesce(d.published_at, d.first_seen_at) AT TIME ZONE 'UTC' AS DATE) AS day,
    a.canonical_id AS entity_a_id,
    any_value(a.name) AS entity_a,
    any_value(a.label) AS entity_a_type,
    b.canonical_id AS entity_b_id,
    any_value(b.name) AS entity_b,
    any_value(b.label) AS entity_b_type,
    count(*) AS documents,
    list(DISTINCT d.source ORDER BY d.source) AS sources
FROM named a
JOIN named b ON b.document_id = a.document_id AND a.canonical_id < b.canonical_id
JOIN documents d ON d.id = a.document_id
GROUP BY 1, 2, 5;

-- One row per attributed quote (kind 'statement'): who said it, where (the outlet or channel) and when.
CREATE OR REPLACE VIEW quotes_by_speaker AS
WITH credited AS (
    SELECT document_id, list(DISTINCT outlet_canonical ORDER BY outlet_canonical) AS outlets
    FROM attributions
    GROUP BY document_id
)
SELECT
    CAST(coalesce(d.published_at, d.first_seen_at) AT TIME ZONE 'UTC' AS DATE) AS day,
    coalesce(d.published_at, d.first_seen_at) AS published_at,
    coalesce(c.name, q.speaker_canonical, q.speaker) AS speaker,
    q.speaker_canonical_id AS speaker_id,
    q.speaker AS speaker_as_written,
    q.text AS quote,
    q.verb,
    d.source,
    d.kind AS document_kind,
    d.title,
    d.url,
    cr.outlets AS credited_outlets,
    q.document_id,
    q.quote_index
FROM quotes q
JOIN documents d ON d.id = q.document_id
LEFT JOIN canonical_entities c ON c.canonical_id = q.speaker_canonical_id
LEFT JOIN credited cr ON cr.document_id = q.document_id
WHERE q.kind = 'statement';

-- Stories (articles and posts) with the Telegram channels and posts they cite, and the stored post when matched.
CREATE OR REPLACE VIEW story_telegram_citations AS
SELECT
    CAST(coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'UTC' AS DATE) AS day,
    coalesce(a.published_at, a.first_seen_at) AS published_at,
    r.document_id,
    a.source,
    a.kind AS document_kind,
    a.title,
    a.url,
    sc.cluster_id,
    r.channel,
    r.post_id,
    r.via,
    r.value AS cited_as,
    r.start_char,
    r.matched_document_id AS post_document_id,
    r.match_method,
    p.source AS post_source,
    coalesce(
        p.url,
        CASE
            WHEN r.post_id IS NULL THEN NULL
            WHEN regexp_matches(r.channel, '^[0-9]+$') THEN 'https://t.me/c/' || r.channel || '/' || r.post_id
            ELSE 'https://t.me/' || r.channel || '/' || r.post_id
        END
    ) AS post_url,
    p.published_at AS post_published_at,
    p.text AS post_text
FROM telegram_refs r
JOIN documents a ON a.id = r.document_id
LEFT JOIN documents p ON p.id = r.matched_document_id
LEFT JOIN story_clusters sc ON sc.document_id = r.document_id;
