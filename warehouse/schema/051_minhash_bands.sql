-- Story clustering at scale (issue 7): the LSH band keys of every stored MinHash signature, so that clustering
-- looks up the candidates of a few new documents in the warehouse instead of loading every signature of the
-- window into memory.
--
-- A signature is 128 little-endian uint64 values (1024 bytes). Band b (0..24) is values 5b..5b+4, i.e. bytes
-- 40b+1..40b+40; its key is the lower 64 bits of the MD5 of those bytes (MD5, not hash(): stable across DuckDB
-- versions). 25 bands x 5 rows is datasketch's choice for threshold 0.5 and 128 permutations
-- (extraction/dedup.py LSH_BANDS, LSH_ROWS). The macro is the only implementation of the band keys: the
-- backfill below and warehouse/stories.py (new signatures, candidate lookup) both call it.
CREATE OR REPLACE MACRO minhash_band_keys(signature) AS
    list_transform(
        range(25),
        lambda band: {'band': band::INTEGER, 'band_key': md5_number_lower(signature[band * 40 + 1 : (band + 1) * 40])}
    );

CREATE TABLE IF NOT EXISTS minhash_bands (
    document_id  VARCHAR NOT NULL,  -- key with band; a minhash_signatures row with a signature
    band         INTEGER NOT NULL,  -- 0..24
    band_key     UBIGINT NOT NULL   -- equal keys: the two signatures agree on the band's 5 values (or collide)
);

INSERT INTO minhash_bands
SELECT document_id, unnest(minhash_band_keys(signature), recursive := true)
FROM minhash_signatures
WHERE signature IS NOT NULL;
