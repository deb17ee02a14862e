-- How each post's counters grew between its first and its last snapshot (telegram_counter_snapshots).
CREATE OR REPLACE VIEW post_counter_growth AS
SELECT
    document_id,
    any_value(source) AS source,
    any_value(channel_username) AS channel_username,
    any_value(message_id) AS message_id,
    count(*) AS snapshots,
    min(observed_at) AS first_observed_at,
    max(observed_at) AS last_observed_at,
    arg_min(views, observed_at) AS first_views,
    arg_max(views, observed_at) AS last_views,
    arg_max(views, observed_at) - arg_min(views, observed_at) AS views_growth,
    arg_max(forwards, observed_at) - arg_min(forwards, observed_at) AS forwards_growth,
    arg_max(reactions_total, observed_at) - arg_min(reactions_total, observed_at) AS reactions_growth,
    CASE WHEN max(observed_at) > min(observed_at)
         THEN (arg_max(views, observed_at) - arg_min(views, observed_at)) * 3600.0
              / (epoch(max(observed_at)) - epoch(min(observed_at)))
    END AS views_per_hour
FROM telegram_counter_snapshots
GROUP BY document_id;
