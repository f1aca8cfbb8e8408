-- What each caller's visits did on each report date: one row per date and caller, in order of
-- date and callerid (byte order).
--
-- A visit is one (callerid, contextid) within one report day, UTC: a visit that crosses
-- midnight is cut there, so a day's figures depend on that day's partition alone, and
-- re-reporting a day for its late clicks recomputes them. Its clicks are day_clicks
-- (day_clicks.sql: deduplicated by (callerid, requestid), the earliest copy kept, exactly as the
-- counts are), so a re-delivered click changes no visit. Clicks without a millisecond of the
-- day (ms IS NULL, see day_clicks.sql) are in no visit.
--
--   visits               the caller's visits
--   users                distinct users other than GUEST (and other than none)
--   clicks               the clicks in those visits
--   single_click_visits  visits of one click
--   median_clicks        the lower median of clicks per visit
--   median_visit_ms      the lower median of a visit's last click's time minus its first's
--
-- Medians are nearest-rank (percentile_disc): a value that occurred, the same on both engines.
WITH visit AS (
  SELECT
    report_date,
    callerid,
    contextid,
    count(*) AS clicks,
    max(ms) - min(ms) AS duration_ms
  FROM day_clicks
  WHERE ms IS NOT NULL
  GROUP BY report_date, callerid, contextid
),
caller_users AS (
  SELECT
    report_date,
    callerid,
    count(DISTINCT CASE WHEN user <> 'GUEST' AND user <> '' THEN user END) AS users
  FROM day_clicks
  WHERE ms IS NOT NULL
  GROUP BY report_date, callerid
)
SELECT
  v.report_date AS report_date,
  v.callerid AS callerid,
  count(*) AS visits,
  max(u.users) AS users,
  sum(v.clicks) AS clicks,
  sum(CASE WHEN v.clicks = 1 THEN 1 ELSE 0 END) AS single_click_visits,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY v.clicks) AS median_clicks,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY v.duration_ms) AS median_visit_ms
FROM visit v
JOIN caller_users u ON u.report_date = v.report_date AND u.callerid IS NOT DISTINCT FROM v.callerid
GROUP BY v.report_date, v.callerid
ORDER BY v.report_date, v.callerid NULLS FIRST
