-- The daily click report: the clicks of one report date, each counted once, per caller and
-- component. The only place this aggregation is written.
--
-- It runs unchanged on Spark SQL (EMR Serverless) and DuckDB (the local engine), so it keeps to
-- what both agree on. Each engine runs it once per report date, over a view of that date's
-- partition:
--   clicks(requestid, contextid, callerid, component, action, type, user, clientip, createdtime)
-- and binds :report_date and :next_date to the date and the day after, as string literals
-- ('2023-02-08'; after 9999-12-31, the last date, '9999-12-32'). Only validated YYYY-MM-DD
-- dates are bound, so nothing else can enter the text.
-- createdtime is UTC ISO-8601 (normalized at ingestion), so the day's clicks are those with
-- :report_date <= createdtime < :next_date, compared as strings against constants, which both
-- engines push down to the Parquet reader; no function runs on every row to find the date.
-- Strings sort in byte order in both engines.
--
-- A click is (callerid, requestid): delivery is at least once, and a client that retries sends
-- a click again, stamped later. Within the day, a click counts once, in the group of its
-- earliest copy; every other copy is a duplicate. Each row counts a group's clicks, and the
-- duplicates of them that were dropped. Copies stamped the same millisecond are told apart by
-- component, the smallest first, so that both engines pick the same one: createdtime is
-- normalized to one width (YYYY-MM-DDTHH:MM:SS.sssZ), so ordering by createdtime || component
-- is ordering by createdtime, then component.
WITH each_click AS (
  SELECT
    callerid,
    min_by(coalesce(component, ''), createdtime || coalesce(component, '')) AS component,
    count(*) AS deliveries
  FROM clicks
  WHERE createdtime >= :report_date AND createdtime < :next_date
  GROUP BY callerid, requestid
)
SELECT
  :report_date AS createdTime,
  callerid,
  component,
  count(*) AS count,
  sum(deliveries) - count(*) AS duplicates
FROM each_click
GROUP BY callerid, component
ORDER BY callerid NULLS FIRST, component
