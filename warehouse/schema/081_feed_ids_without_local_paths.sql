-- Feed entry ids as the feed writes them (issue 28): telefeed used to resolve a relative guid (`<guid>post-1</guid>`,
-- a permalink by RSS's default) against the URL the feed was read from, so a local feed's ids held the file's
-- absolute path ('/home/me/feeds/post-1', or 'file://home/me/feeds/post-1' for a file: URL). Those are rewritten to
-- the id as written ('post-1'), with the document id (left(sha256(source || chr(31) || external_id), 24), as
-- telefeed.models.document_id) in every table that holds it. Ids of feeds read over HTTP are left alone: there the
-- resolved form cannot be told from an absolute guid, and the RSS pipeline keeps a stored resolved id instead
-- (telefeed.pipeline.rss.keep_legacy_ids). An id whose rewritten form is already stored stays as it is.
CREATE TEMP TABLE _feed_bases AS
SELECT DISTINCT source, external_id, json_extract_string(payload, '$.feed.url') AS feed_url
FROM raw_items
WHERE item_kind = 'rss_entry';

CREATE TEMP TABLE _local_prefixes AS
SELECT DISTINCT source, external_id, prefix
FROM (
    SELECT source, external_id, regexp_replace(feed_url, '[^/]*$', '') AS prefix FROM _feed_bases
    WHERE feed_url IS NOT NULL AND feed_url NOT LIKE '%://%'
    UNION ALL
    SELECT source, external_id, 'file://' || ltrim(regexp_replace(substr(feed_url, 8), '[^/]*$', ''), '/')
    FROM _feed_bases WHERE feed_url LIKE 'file://%'
)
WHERE prefix <> '' AND starts_with(external_id, prefix) AND length(external_id) > length(prefix);

CREATE TEMP TABLE _id_moves AS
SELECT DISTINCT ON (p.source, p.external_id)
    p.source,
    p.external_id AS old_external_id,
    substr(p.external_id, length(p.prefix) + 1) AS new_external_id,
    left(sha256(p.source || chr(31) || p.external_id), 24) AS old_id,
    left(sha256(p.source || chr(31) || substr(p.external_id, length(p.prefix) + 1)), 24) AS new_id
FROM _local_prefixes p
ORDER BY p.source, p.external_id, length(p.prefix) DESC;

DELETE FROM _id_moves m
WHERE EXISTS (SELECT 1 FROM documents d WHERE d.id = m.new_id)
    OR EXISTS (SELECT 1 FROM raw_items r WHERE r.source = m.source AND r.external_id = m.new_external_id);

UPDATE documents SET id = m.new_id, external_id = m.new_external_id FROM _id_moves m WHERE documents.id = m.old_id;
UPDATE raw_items SET external_id = m.new_external_id FROM _id_moves m
WHERE raw_items.source = m.source AND raw_items.external_id = m.old_external_id;
UPDATE quarantine SET external_id = m.new_external_id FROM _id_moves m
WHERE quarantine.source = m.source AND quarantine.external_id = m.old_external_id;
UPDATE page_fetches SET document_id = m.new_id, external_id = m.new_external_id FROM _id_moves m
WHERE page_fetches.document_id = m.old_id;
UPDATE minhash_signatures SET document_id = m.new_id FROM _id_moves m WHERE minhash_signatures.document_id = m.old_id;
UPDATE minhash_bands SET document_id = m.new_id FROM _id_moves m WHERE minhash_bands.document_id = m.old_id;
UPDATE story_clusters SET document_id = m.new_id FROM _id_moves m WHERE story_clusters.document_id = m.old_id;
UPDATE story_clusters SET cluster_id = m.new_id FROM _id_moves m WHERE story_clusters.cluster_id = m.old_id;
UPDATE story_clusters SET matched_document_id = m.new_id FROM _id_moves m
WHERE story_clusters.matched_document_id = m.old_id;
UPDATE run_documents SET document_id = m.new_id FROM _id_moves m WHERE run_documents.document_id = m.old_id;
UPDATE extracted_documents SET document_id = m.new_id FROM _id_moves m WHERE extracted_documents.document_id = m.old_id;
UPDATE mentions SET document_id = m.new_id FROM _id_moves m WHERE mentions.document_id = m.old_id;
UPDATE quotes SET document_id = m.new_id FROM _id_moves m WHERE quotes.document_id = m.old_id;
UPDATE attributions SET document_id = m.new_id FROM _id_moves m WHERE attributions.document_id = m.old_id;
UPDATE links SET document_id = m.new_id FROM _id_moves m WHERE links.document_id = m.old_id;
UPDATE telegram_refs SET document_id = m.new_id FROM _id_moves m WHERE telegram_refs.document_id = m.old_id;
UPDATE telegram_refs SET matched_document_id = m.new_id FROM _id_moves m WHERE telegram_refs.matched_document_id = m.old_id;

DROP TABLE _id_moves;
DROP TABLE _local_prefixes;
DROP TABLE _feed_bases;
