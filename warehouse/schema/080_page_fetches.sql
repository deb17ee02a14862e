-- Page-fetch state of article documents in its own table (issue 24). It lived in documents.metadata
-- (page_status, page_error, page_http_status, page_retry, page_attempts), which is part of the version hash, so
-- a page retry that failed again made a new revision of unchanged text. Moves the stored state here, removes it
-- from the documents' metadata and recomputes their version hash (the expression warehouse.db lands with).
CREATE TABLE IF NOT EXISTS page_fetches (
    document_id    VARCHAR NOT NULL,  -- key: the document whose page this is
    source         VARCHAR NOT NULL,
    external_id    VARCHAR NOT NULL,
    url            VARCHAR,           -- the page's URL as the feed gave it
    attempts       INTEGER NOT NULL,  -- fetches tried so far (0: not tried yet, e.g. over max_pages_per_run)
    last_status    VARCHAR NOT NULL,  -- ok | failed | no_text | skipped
    http_status    INTEGER,           -- of the last fetch, when there was an HTTP answer
    last_error     VARCHAR,           -- why the last fetch did not give an article (NULL when it did)
    next_retry_at  TIMESTAMPTZ,       -- a later run than this time fetches the page again; NULL: never again
    updated_at     TIMESTAMPTZ NOT NULL
);

INSERT INTO page_fetches
SELECT
    id,
    source,
    external_id,
    url,
    coalesce(
        TRY_CAST(json_extract_string(metadata, '$.page_attempts') AS INTEGER),
        CASE WHEN json_extract_string(metadata, '$.page_status') = 'skipped' THEN 0 ELSE 1 END
    ),
    json_extract_string(metadata, '$.page_status'),
    TRY_CAST(json_extract_string(metadata, '$.page_http_status') AS INTEGER),
    json_extract_string(metadata, '$.page_error'),
    CASE WHEN json_extract_string(metadata, '$.page_retry') = 'true' THEN updated_at END,
    updated_at
FROM documents
WHERE json_extract_string(metadata, '$.page_status') IS NOT NULL
    AND id NOT IN (SELECT document_id FROM page_fetches);

UPDATE documents SET metadata = json_merge_patch(
    metadata,
    '{"page_status": null, "page_error": null, "page_http_status": null, "page_retry": null, "page_attempts": null}'
)
WHERE json_extract_string(metadata, '$.page_status') IS NOT NULL;

UPDATE documents SET version_hash = {version_hash}
WHERE id IN (SELECT document_id FROM page_fetches);
