-- Version hashes are computed by DuckDB from the row's columns (warehouse.db.VERSION_HASH_SQL) instead of in
-- Python: recompute the stored ones with that expression, so unchanged documents seen again stay unchanged.
-- (The placeholder below is that expression over the documents' columns: Warehouse.migration_files fills it in.)
UPDATE documents SET version_hash = {version_hash};
