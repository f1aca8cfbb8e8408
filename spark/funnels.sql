-- How far each caller's visits went through each configured funnel, on one report date.
--
-- A funnel is a named, ordered list of 2 to 10 distinct components (config `funnels`). The
-- engine binds them as a table, never as SQL text:
--   funnel_steps(funnel INT, step INT, component STRING): funnel 1, 2, ... in config order,
--   step 1 to the funnel's length.
-- A visit (visits.sql) reaches step 1 with its earliest click on step 1's component, and step k
-- with its earliest click on step k's component at or after the click that reached step k-1
-- (the same millisecond counts). Each step is a stage below, up to 10, the most a funnel has:
-- t<k> is the millisecond that reached step k (NULL if none), a window over the visit's clicks
-- on the funnel's steps, so each stage reads the one before it once, on both engines.
--
-- One row per funnel, caller and step reached by at least one visit, in order of funnel,
-- callerid (byte order) and step: the visits that reached it, and the lower median and the p90
-- (nearest-rank, percentile_disc) of the milliseconds from the visit's step-1 click to it.
WITH step_clicks AS (
  SELECT s.funnel, s.step, c.callerid, c.contextid, c.ms
  FROM day_clicks c
  JOIN funnel_steps s ON s.component = c.component
  WHERE c.ms IS NOT NULL
),
stage1 AS (
  SELECT *, min(CASE WHEN step = 1 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t1
  FROM step_clicks
),
stage2 AS (
  SELECT *, min(CASE WHEN step = 2 AND ms >= t1 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t2
  FROM stage1
),
stage3 AS (
  SELECT *, min(CASE WHEN step = 3 AND ms >= t2 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t3
  FROM stage2
),
stage4 AS (
  SELECT *, min(CASE WHEN step = 4 AND ms >= t3 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t4
  FROM stage3
),
stage5 AS (
  SELECT *, min(CASE WHEN step = 5 AND ms >= t4 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t5
  FROM stage4
),
stage6 AS (
  SELECT *, min(CASE WHEN step = 6 AND ms >= t5 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t6
  FROM stage5
),
stage7 AS (
  SELECT *, min(CASE WHEN step = 7 AND ms >= t6 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t7
  FROM stage6
),
stage8 AS (
  SELECT *, min(CASE WHEN step = 8 AND ms >= t7 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t8
  FROM stage7
),
stage9 AS (
  SELECT *, min(CASE WHEN step = 9 AND ms >= t8 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t9
  FROM stage8
),
stage10 AS (
  SELECT *, min(CASE WHEN step = 10 AND ms >= t9 THEN ms END) OVER (PARTITION BY funnel, callerid, contextid) AS t10
  FROM stage9
),
each_visit AS (
  SELECT funnel, callerid, contextid, max(t1) AS t1, max(t2) AS t2, max(t3) AS t3, max(t4) AS t4, max(t5) AS t5, max(t6) AS t6, max(t7) AS t7, max(t8) AS t8, max(t9) AS t9, max(t10) AS t10
  FROM stage10
  GROUP BY funnel, callerid, contextid
),
reached AS (
  SELECT
    v.funnel,
    v.callerid,
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
  FROM each_visit v
  JOIN funnel_steps s ON s.funnel = v.funnel
)
SELECT
  funnel,
  callerid,
  step,
  count(*) AS visits,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY from_start) AS median_ms,
  percentile_disc(0.9) WITHIN GROUP (ORDER BY from_start) AS p90_ms
FROM reached
WHERE from_start IS NOT NULL
GROUP BY funnel, callerid, step
ORDER BY funnel, callerid NULLS FIRST, step
