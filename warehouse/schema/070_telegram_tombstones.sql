-- Telegram posts the channel deleted: one tombstone row per post, never a delete of its documents or raw items.
-- Written when a by-id read (API re-sampling) returns none of the post's messages, or when a t.me/s page range
-- that was read again no longer shows the post.
CREATE TABLE IF NOT EXISTS telegram_tombstones (
    source        VARCHAR NOT NULL,
    external_id   VARCHAR NOT NULL,   -- key (with source): <username or channel id>:<message id>
    document_id   VARCHAR NOT NULL,
    channel_id    BIGINT,
    message_id    BIGINT NOT NULL,
    deleted_at    TIMESTAMPTZ NOT NULL,   -- when the deletion was noticed (the post was there at its last read)
    via           VARCHAR NOT NULL,       -- api | preview
    run_id        VARCHAR
);
