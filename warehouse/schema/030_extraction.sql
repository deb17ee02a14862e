-- Extraction (issue 5): entity mentions, canonical entities, quotes, attributions, links, Telegram references.
-- Every per-document row carries document_id and extractor_version; `telefeed reextract` and the `extract`
-- flow replace a document's rows of every version in one transaction.

CREATE TABLE IF NOT EXISTS extracted_documents (
    document_id        VARCHAR NOT NULL,  -- key: one row per document (the version it was last extracted with)
    extractor_version  VARCHAR NOT NULL,
    text_hash          VARCHAR NOT NULL,  -- hash of the text extracted (a changed text is extracted again)
    language           VARCHAR,
    mentions           INTEGER NOT NULL,
    quotes             INTEGER NOT NULL,
    extracted_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS mentions (
    document_id        VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    mention_index      INTEGER NOT NULL,
    text               VARCHAR NOT NULL,  -- as written (inflected, any script)
    label              VARCHAR NOT NULL,  -- PER | ORG | LOC | MIL_UNIT
    start_char         INTEGER NOT NULL,  -- offsets into documents.text (Python characters)
    end_char           INTEGER NOT NULL,
    lemma              VARCHAR,           -- nominative form for Russian/Ukrainian
    language           VARCHAR,
    canonical_id       VARCHAR NOT NULL,  -- canonical_entities.canonical_id
    canonical_name     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS canonical_entities (
    canonical_id       VARCHAR NOT NULL,  -- key: <label>:<spelling key>, the same across scripts and batches
    name               VARCHAR NOT NULL,  -- display name (Latin script when one is known)
    label              VARCHAR NOT NULL,
    aliases            VARCHAR[] NOT NULL,  -- every surface form seen
    latitude           DOUBLE,            -- places known to the offline gazetteer
    longitude          DOUBLE,
    country_code       VARCHAR,
    extractor_version  VARCHAR NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS quotes (
    document_id           VARCHAR NOT NULL,
    extractor_version     VARCHAR NOT NULL,
    quote_index           INTEGER NOT NULL,
    text                  VARCHAR NOT NULL,  -- inside the quote marks
    kind                  VARCHAR NOT NULL,  -- statement | scare
    start_char            INTEGER NOT NULL,
    end_char              INTEGER NOT NULL,
    speaker               VARCHAR,           -- as written (a pronoun is replaced by the person it refers to)
    speaker_canonical_id  VARCHAR,
    speaker_canonical     VARCHAR,
    verb                  VARCHAR            -- lemma of the verb of attribution (say, add, заявить, according to)
);

CREATE TABLE IF NOT EXISTS attributions (
    document_id        VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    outlet             VARCHAR NOT NULL,  -- as written
    outlet_canonical   VARCHAR NOT NULL,
    cue                VARCHAR NOT NULL,  -- according to | reported | сообщает | ...
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS links (
    document_id        VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,  -- url | telegram | mention | hashtag
    value              VARCHAR NOT NULL,  -- as written
    target             VARCHAR NOT NULL,  -- normalised URL, channel[/post], username or tag (lower case)
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS telegram_refs (
    document_id          VARCHAR NOT NULL,
    extractor_version    VARCHAR NOT NULL,
    channel              VARCHAR NOT NULL,  -- lower-case username (or numeric id from t.me/c/ links)
    post_id              BIGINT,            -- from the link, when it names a post
    via                  VARCHAR NOT NULL,  -- link | mention | name
    value                VARCHAR NOT NULL,
    start_char           INTEGER NOT NULL,
    end_char             INTEGER NOT NULL,
    matched_document_id  VARCHAR,           -- the stored post it refers to, when one matched
    match_method         VARCHAR            -- link | quote | entities
);

CREATE OR REPLACE VIEW entities AS
SELECT m.document_id, m.canonical_id, any_value(m.canonical_name) AS name, any_value(m.label) AS label,
       count(*) AS mention_count, list(DISTINCT m.text ORDER BY m.text) AS surface_forms,
       any_value(m.extractor_version) AS extractor_version
FROM mentions m
GROUP BY m.document_id, m.canonical_id;
