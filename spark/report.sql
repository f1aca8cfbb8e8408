-- The daily click report: for each report date, the clicks whose createdtime falls on it, each
-- click counted once, per caller and component. The only place this aggregation is written.
--
-- It runs unchanged on Spark SQL (EMR Serverless) and DuckDB (the local engine), so it keeps
-- to what both agree on. Both engines provide two views:
--   clicks(requestid, contextid, callerid, component, action, type, user, clientip, createdtime)
--   report_params(report_date, next_date)   -- one row per report date, YYYY-MM-DD, and the day after
-- createdtime is UTC ISO-8601 (normalized at ingestion), so a day's clicks are those with
-- report_date <= createdtime < next_date, compared as strings: no function runs on each row.
-- Strings sort in byte order in both engines.
--
-- A click is (callerid, requestid): delivery is at least once, and a client that retries sends
-- a click again, stamped later. Within a day, its first copy (the earliest; then by component,
-- so that both engines keep the same one) is the click, and every other copy is a duplicate.
-- Each row counts a group's clicks, and the duplicates of them that were dropped.
WITH copies AS (
  SELECT
    p.report_date,
    c.callerid,
    c.component,
    count(*) OVER (PARTITION BY p.report_date, c.callerid, c.requestid) AS deliveries,
    row_number() OVER (
      PARTITION BY p.report_date, c.callerid, c.requestid
      ORDER BY c.createdtime, c.component NULLS FIRST
    ) AS nth
  FROM clicks c
  JOIN report_params p ON c.createdtime >= p.report_date AND c.createdtime < p.next_date
)
SELECT
  report_date AS createdTime,
  callerid,
  component,
  count(*) AS count,
  sum(deliveries) - count(*) AS duplicates
FROM copies
WHERE nth = 1
GROUP BY report_date, callerid, component
ORDER BY createdTime, callerid NULLS FIRST, component NULLS FIRST
