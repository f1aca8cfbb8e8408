-- The clicks of each report date, each once: the one place that decides which copy of a click
-- the report counts, and what its visits and funnels see (report.sql, visits.sql,
-- visit_paths.sql and funnels.sql all read this, as a table named day_clicks).
--
-- It runs unchanged on Spark SQL (EMR Serverless) and DuckDB (the local engine), so it keeps to
-- what both agree on. Each engine runs it once per job run, over a view of the partitions of
-- every date it reports, each row with the date of the partition it was read from:
--   clicks(requestid, contextid, callerid, component, action, type, user, clientip, createdtime,
--          report_date)
-- so one pass reports every date, and nothing but data enters the text. createdtime is UTC
-- ISO-8601 (normalized at ingestion), and a partition's clicks are those whose createdtime
-- starts with its date: a click misfiled in a neighbour's partition is in no report.
-- Strings sort in byte order in both engines.
--
-- A click is (callerid, requestid): delivery is at least once, and a client that retries sends
-- a click again, stamped later. Within its day a click is its earliest copy; every other copy is
-- a duplicate, and `deliveries` counts them all. Copies stamped the same millisecond are told
-- apart by component, then contextid, then user, the smallest first, so that both engines pick
-- the same one: createdtime has one width (YYYY-MM-DDTHH:MM:SS.sssZ), so ordering by
-- createdtime || component is ordering by createdtime, then component, and chr(1), which no
-- accepted value holds, ends each further field.
--
-- `ms` is the click's millisecond of its UTC day, NULL for a createdtime not in that one form
-- (only a file written outside ingestion can hold one): such a click is counted, in no visit.
WITH each_click AS (
  SELECT
    report_date,
    callerid,
    requestid,
    min(createdtime) AS createdtime,
    min_by(coalesce(component, ''), createdtime || coalesce(component, '')) AS component,
    min_by(
      coalesce(contextid, ''),
      createdtime || coalesce(component, '') || chr(1) || coalesce(contextid, '')
    ) AS contextid,
    min_by(
      coalesce(user, ''),
      createdtime || coalesce(component, '') || chr(1) || coalesce(contextid, '') || chr(1) || coalesce(user, '')
    ) AS user,
    count(*) AS deliveries
  FROM clicks
  WHERE substr(createdtime, 1, 10) = report_date
  GROUP BY report_date, callerid, requestid
)
SELECT
  report_date,
  callerid,
  requestid,
  component,
  contextid,
  user,
  createdtime,
  deliveries,
  try_cast(substr(createdtime, 12, 2) AS INT) * 3600000
    + try_cast(substr(createdtime, 15, 2) AS INT) * 60000
    + try_cast(substr(createdtime, 18, 2) AS INT) * 1000
    + try_cast(substr(createdtime, 21, 3) AS INT) AS ms
FROM each_click
