-- Version hashes are computed by DuckDB from the row's columns (warehouse.db.VERSION_HASH_SQL) instead of in
-- Python: recompute the stored ones with that expression, so unchanged documents seen again stay unchanged.
UPDATE documents SET version_hash = md5(concat(strlen(content_hash), ':', content_hash,
    ';', strlen(title), ':', title,
    ';', strlen(author), ':', author,
    ';', strlen(url), ':', url,
    ';', strlen(CAST(epoch_us(published_at) AS VARCHAR)), ':', CAST(epoch_us(published_at) AS VARCHAR),
    ';', strlen(language), ':', language,
    ';', strlen(CAST(metadata AS VARCHAR)), ':', CAST(metadata AS VARCHAR)));
