-- day_clicks.sql as it was before the keys were split on a hash (every click through min_by):
-- kept for the benchmark only, which measures the split against it in the same run.
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
