-- The daily click report: clicks whose createdtime falls on the report date, counted per
-- event date, caller and component. The only place this aggregation is written.
--
-- It runs unchanged on Spark SQL (EMR Serverless) and DuckDB (the local engine), so it keeps
-- to what both agree on. Both engines provide two views:
--   clicks(requestid, contextid, callerid, component, action, type, user, clientip, createdtime)
--   report_params(report_date)   -- one row: the report date, YYYY-MM-DD
-- createdtime is UTC ISO-8601 (normalized at ingestion), so its first ten characters are the
-- event date. Strings sort in byte order in both engines.
SELECT
  substr(c.createdtime, 1, 10) AS createdTime,
  c.callerid AS callerid,
  c.component AS component,
  count(*) AS count
FROM clicks c
CROSS JOIN report_params p
WHERE substr(c.createdtime, 1, 10) = p.report_date
GROUP BY substr(c.createdtime, 1, 10), c.callerid, c.component
ORDER BY createdTime, callerid, component
