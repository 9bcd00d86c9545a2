SELECT * FROM <TABLE> WHERE A = 1

WITH combined_events AS (SELECT * FROM <TABLE> WHERE B = 1 AND NOT COALESCE(LOWER(user) = 'admin', FALSE)), event_counts AS (SELECT *, COUNT(*) OVER (PARTITION BY user ORDER BY time RANGE BETWEEN INTERVAL '300' SECOND PRECEDING AND CURRENT ROW) as correlation_event_count FROM combined_events) SELECT * FROM event_counts WHERE correlation_event_count >= 3
