-- How far each caller's visits went through each configured funnel, on each report date.
--
-- A funnel is a named, ordered list of 2 to 10 distinct components (config `funnels`). The
-- engine binds them as a table, never as SQL text:
--   funnel_steps(funnel INT, step INT, component STRING): funnel 1, 2, ... in config order,
--   step 1 to the funnel's length.
-- A visit (visits.sql) reaches step 1 with its earliest click on step 1's component, and step k
-- with its earliest click on step k's component at or after the click that reached step k-1
-- (the same millisecond counts). Each step is a stage below, up to 10, the most a funnel has:
-- reach<k> holds every visit that reached step 1, with t1 ... t<k>: the millisecond of the click
-- that reached each step, NULL from the first step it did not reach. Each stage reads the one
-- before it once (Spark inlines a CTE wherever it is read), and a stage past a funnel's last
-- step joins no clicks.
--
-- One row per date, funnel, caller and step reached by at least one visit, in order of date,
-- funnel, callerid (byte order) and step: the visits that reached it, and the lower median and the p90
-- (nearest-rank, percentile_disc) of the milliseconds from the visit's step-1 click to it.
WITH step_clicks AS (
  SELECT c.report_date, s.funnel, s.step, c.callerid, c.contextid, c.ms
  FROM day_clicks c
  JOIN funnel_steps s ON s.component = c.component
  WHERE c.ms IS NOT NULL
),
reach1 AS (
  SELECT report_date, funnel, callerid, contextid, min(ms) AS t1
  FROM step_clicks
  WHERE step = 1
  GROUP BY report_date, funnel, callerid, contextid
),
reach2 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, min(c.ms) AS t2
  FROM reach1 p
  LEFT JOIN step_clicks c ON c.step = 2 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t1
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1
),
reach3 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, min(c.ms) AS t3
  FROM reach2 p
  LEFT JOIN step_clicks c ON c.step = 3 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t2
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2
),
reach4 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, min(c.ms) AS t4
  FROM reach3 p
  LEFT JOIN step_clicks c ON c.step = 4 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t3
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3
),
reach5 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, min(c.ms) AS t5
  FROM reach4 p
  LEFT JOIN step_clicks c ON c.step = 5 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t4
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4
),
reach6 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, min(c.ms) AS t6
  FROM reach5 p
  LEFT JOIN step_clicks c ON c.step = 6 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t5
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5
),
reach7 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, min(c.ms) AS t7
  FROM reach6 p
  LEFT JOIN step_clicks c ON c.step = 7 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t6
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6
),
reach8 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7, min(c.ms) AS t8
  FROM reach7 p
  LEFT JOIN step_clicks c ON c.step = 8 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t7
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7
),
reach9 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7, p.t8, min(c.ms) AS t9
  FROM reach8 p
  LEFT JOIN step_clicks c ON c.step = 9 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t8
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7, p.t8
),
reach10 AS (
  SELECT p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7, p.t8, p.t9, min(c.ms) AS t10
  FROM reach9 p
  LEFT JOIN step_clicks c ON c.step = 10 AND c.report_date = p.report_date AND c.funnel = p.funnel
    AND c.callerid = p.callerid AND c.contextid = p.contextid AND c.ms >= p.t9
  GROUP BY p.report_date, p.funnel, p.callerid, p.contextid, p.t1, p.t2, p.t3, p.t4, p.t5, p.t6, p.t7, p.t8, p.t9
),
reached AS (
  SELECT
    r.report_date,
    r.funnel,
    r.callerid,
    s.step,
    CASE s.step
      WHEN 1 THEN t1
      WHEN 2 THEN t2
      WHEN 3 THEN t3
      WHEN 4 THEN t4
      WHEN 5 THEN t5
      WHEN 6 THEN t6
      WHEN 7 THEN t7
      WHEN 8 THEN t8
      WHEN 9 THEN t9
      WHEN 10 THEN t10
    END - t1 AS from_start
  FROM reach10 r
  JOIN funnel_steps s ON s.funnel = r.funnel
)
SELECT
  report_date,
  funnel,
  callerid,
  step,
  count(*) AS visits,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY from_start) AS median_ms,
  percentile_disc(0.9) WITHIN GROUP (ORDER BY from_start) AS p90_ms
FROM reached
WHERE from_start IS NOT NULL
GROUP BY report_date, funnel, callerid, step
ORDER BY report_date, funnel, callerid NULLS FIRST, step
