-- Articles, language and near-duplicates (issue 4).
-- Fetched article pages live in raw_items (item_kind 'article_page', payload holds gzip+base64 HTML, final URL,
-- status and headers, or the reason the fetch failed), next to the feed entry with the same external_id.

CREATE TABLE IF NOT EXISTS minhash_signatures (
    document_id    VARCHAR NOT NULL,  -- key
    content_hash   VARCHAR NOT NULL,  -- the document's content hash when the signature was made
    num_perm       INTEGER NOT NULL,
    shingle_words  INTEGER NOT NULL,
    token_count    INTEGER NOT NULL,
    signature      BLOB,              -- num_perm little-endian uint64 hash values; NULL for very short texts
    dedup_version  VARCHAR NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS story_clusters (
    cluster_id           VARCHAR NOT NULL,  -- id of the cluster's first document
    document_id          VARCHAR NOT NULL,  -- key: one cluster per document
    source               VARCHAR NOT NULL,
    first_source         VARCHAR NOT NULL,  -- source of the cluster's first document
    first_seen_at        TIMESTAMPTZ NOT NULL,  -- when the cluster's first document landed
    document_seen_at     TIMESTAMPTZ NOT NULL,  -- when this document landed
    similarity           DOUBLE NOT NULL,   -- estimated Jaccard similarity to matched_document_id (1 for founders)
    matched_document_id  VARCHAR,           -- the member it matched; NULL when it founded the cluster
    method               VARCHAR NOT NULL,  -- new | exact | minhash
    dedup_version        VARCHAR NOT NULL,
    clustered_at         TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE VIEW story_cluster_summary AS
SELECT
    c.cluster_id,
    count(*) AS documents,
    count(DISTINCT c.source) AS sources,
    list(DISTINCT c.source ORDER BY c.source) AS source_names,
    any_value(c.first_source) AS first_source,
    min(c.first_seen_at) AS first_seen_at,
    max(c.document_seen_at) AS last_seen_at,
    min(c.similarity) AS min_similarity,
    any_value(d.title) FILTER (WHERE d.id = c.cluster_id) AS first_title
FROM story_clusters c
LEFT JOIN documents d ON d.id = c.document_id
GROUP BY c.cluster_id;
