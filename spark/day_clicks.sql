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
-- Most keys are delivered once, and such a click is its own earliest copy: it needs no min_by,
-- whose sort keys make the aggregation several times a bare count. So the keys are split on a
-- hash first: a click whose key's hash occurs once in its day is taken as it is, and only the
-- clicks of a hash that occurs more than once go through the earliest-copy aggregation. A
-- collision sends two keys that differ down the exact path: it costs time, never a count.
-- click_key_hash(...) is a placeholder that each engine's loader replaces with its own 64-bit
-- hash (DuckDB's hash, Spark's xxhash64).
--
-- `ms` is the click's millisecond of its UTC day, NULL for a createdtime not in that one form
-- (only a file written outside ingestion can hold one): such a click is counted, in no visit.
WITH repeated_key AS (
  SELECT report_date, click_key_hash(callerid, requestid) AS key_hash
  FROM clicks
  WHERE substr(createdtime, 1, 10) = report_date
  GROUP BY report_date, click_key_hash(callerid, requestid)
  HAVING count(*) > 1
),
each_click AS (
  SELECT
    c.report_date,
    c.callerid,
    c.requestid,
    c.createdtime,
    coalesce(c.component, '') AS component,
    coalesce(c.contextid, '') AS contextid,
    coalesce(c.user, '') AS user,
    1 AS deliveries
  FROM clicks c
  ANTI JOIN repeated_key r ON r.report_date = c.report_date AND r.key_hash = click_key_hash(c.callerid, c.requestid)
  WHERE substr(c.createdtime, 1, 10) = c.report_date
  UNION ALL
  SELECT
    c.report_date,
    c.callerid,
    c.requestid,
    min(c.createdtime) AS createdtime,
    min_by(coalesce(c.component, ''), c.createdtime || coalesce(c.component, '')) AS component,
    min_by(
      coalesce(c.contextid, ''),
      c.createdtime || coalesce(c.component, '') || chr(1) || coalesce(c.contextid, '')
    ) AS contextid,
    min_by(
      coalesce(c.user, ''),
      c.createdtime || coalesce(c.component, '') || chr(1) || coalesce(c.contextid, '') || chr(1) || coalesce(c.user, '')
    ) AS user,
    count(*) AS deliveries
  FROM clicks c
  SEMI JOIN repeated_key r ON r.report_date = c.report_date AND r.key_hash = click_key_hash(c.callerid, c.requestid)
  WHERE substr(c.createdtime, 1, 10) = c.report_date
  GROUP BY c.report_date, c.callerid, c.requestid
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
