-- Version hashes are computed by DuckDB from the row's columns (warehouse.db.VERSION_HASH_SQL) instead of in
-- Python: recompute the stored ones with that expression, so unchanged documents seen again stay unchanged.
UPDATE documents SET version_hash = sha256(to_json([text, title, author, url, CAST(epoch_us(published_at) AS VARCHAR),
    language, CAST(metadata AS VARCHAR)]));
