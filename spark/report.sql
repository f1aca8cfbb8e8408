-- The daily click report: the clicks of each report date, each counted once, per caller and
-- component. The only place this aggregation is written.
--
-- It reads day_clicks (day_clicks.sql: each date's clicks, each once, with how many copies of it
-- were delivered) and runs unchanged on Spark SQL and DuckDB. Each row counts a group's clicks,
-- and the duplicates of them that were dropped.
SELECT
  report_date AS createdTime,
  callerid,
  component,
  count(*) AS count,
  sum(deliveries) - count(*) AS duplicates
FROM day_clicks
GROUP BY report_date, callerid, component
ORDER BY report_date, callerid NULLS FIRST, component
