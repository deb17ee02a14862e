-- Counters over time (telegram_counter_snapshots: a row whenever a read saw them change) and deleted posts.

-- Every observation of a post's counters, in order, with the change since the previous one.
CREATE OR REPLACE VIEW telegram_counter_history AS
SELECT
    s.document_id,
    s.source,
    s.channel_id,
    s.channel_username,
    s.message_id,
    s.observed_at,
    s.views,
    s.forwards,
    s.replies,
    s.reactions,
    s.reactions_total,
    s.via,
    s.views - lag(s.views) OVER w AS views_delta,
    epoch(s.observed_at) - epoch(d.published_at) AS age_seconds
FROM telegram_counter_snapshots s
LEFT JOIN documents d ON d.id = s.document_id
WINDOW w AS (PARTITION BY s.document_id ORDER BY s.observed_at);

-- The latest counters of each post (documents.metadata keeps the counters of the post's first sight).
CREATE OR REPLACE VIEW telegram_post_counters AS
SELECT
    document_id,
    any_value(source) AS source,
    any_value(channel_id) AS channel_id,
    any_value(channel_username) AS channel_username,
    any_value(message_id) AS message_id,
    max(observed_at) AS observed_at,
    arg_max(views, observed_at) AS views,
    arg_max(forwards, observed_at) AS forwards,
    arg_max(replies, observed_at) AS replies,
    arg_max(reactions, observed_at) AS reactions,
    arg_max(reactions_total, observed_at) AS reactions_total,
    count(*) AS snapshots
FROM telegram_counter_snapshots
GROUP BY document_id;

-- Posts the channel deleted, with what was kept of them.
CREATE OR REPLACE VIEW telegram_deleted_posts AS
SELECT
    t.document_id,
    t.source,
    t.external_id,
    t.channel_id,
    t.message_id,
    t.deleted_at,
    t.via,
    d.published_at,
    d.url,
    d.text
FROM (
    SELECT * FROM telegram_tombstones
    QUALIFY row_number() OVER (PARTITION BY source, external_id ORDER BY deleted_at) = 1
) t
LEFT JOIN documents d ON d.id = t.document_id;
