-- parcours: no-transaction
-- parcours: rollup metrics.returns_1d index (property_id, bucket)
--
-- metrics.returns_15m by UTC day of the arrival and of the previous view: the returns between
-- whole days inside long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    date_bin(INTERVAL '1 day', previous, '2000-01-03') AS previous,
    sum(returns)::bigint AS returns
FROM metrics.returns_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, date_bin(INTERVAL '1 day', previous, '2000-01-03')
