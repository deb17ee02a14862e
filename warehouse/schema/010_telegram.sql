-- Telegram: resolved channels (so usernames are resolved once) and counter snapshots (growth over time).
CREATE TABLE IF NOT EXISTS telegram_channels (
    channel_key   VARCHAR NOT NULL,   -- key: the channel as configured, normalised (lowercased username or id)
    channel_id    BIGINT NOT NULL,
    access_hash   BIGINT,             -- per-account handle that lets the API address the channel without resolving
    username      VARCHAR,
    title         VARCHAR,
    resolved_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS telegram_counter_snapshots (
    source            VARCHAR NOT NULL,
    external_id       VARCHAR NOT NULL,   -- <username or channel id>:<message id>
    document_id       VARCHAR NOT NULL,
    channel_id        BIGINT,
    channel_username  VARCHAR,
    message_id        BIGINT NOT NULL,
    observed_at       TIMESTAMPTZ NOT NULL,
    views             BIGINT,
    forwards          BIGINT,
    replies           BIGINT,
    reactions         JSON,               -- {"emoji": count}
    reactions_total   BIGINT,
    via               VARCHAR,            -- api | preview | export
    run_id            VARCHAR
);
