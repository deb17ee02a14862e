-- Which run first landed each document (issue 7). The run digest (flows/artifacts.py) lists the entities and
-- quotes of "the run's documents" by querying this table with the run id, instead of carrying every new
-- document id of the run through the flow (about 80 MB of strings at 1M messages). Written by the landing
-- (warehouse.db.land_in_transaction) for every document a run adds, on every landing path; landings without
-- a run id (tests, library use) add no row. Documents landed before this migration have no row.
CREATE TABLE IF NOT EXISTS run_documents (
    run_id       VARCHAR NOT NULL,  -- runs.run_id (one flow run: every source of an ingest, every backfill chunk)
    document_id  VARCHAR NOT NULL   -- a document that was new in that run; key: document_id
);
