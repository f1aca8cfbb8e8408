-- Where each caller's visits came in, went out, and moved, on each report date (visits.sql
-- defines a visit): the top 5 entries (a visit's first click's component), the top 5 exits (its
-- last click's), and the top 10 transitions (the components of two consecutive clicks of a
-- visit). Order within a visit is (createdtime, requestid).
--
-- One row per place in a list: kind ('entry', 'exit' or 'transition'), its place (1 first), the
-- component (for a transition, the one it left), next_component (for a transition, the one it
-- went to; '' otherwise) and n (visits, or transitions). Ranked by n, the largest first, then by
-- component and next_component in byte order; rows in order of date, callerid, kind and place.
WITH ordered AS (
  SELECT
    report_date,
    callerid,
    component,
    row_number() OVER visit_order AS seq,
    lag(component) OVER visit_order AS previous,
    lead(requestid) OVER visit_order IS NULL AS is_last
  FROM day_clicks
  WHERE ms IS NOT NULL
  WINDOW visit_order AS (PARTITION BY report_date, callerid, contextid ORDER BY createdtime, requestid)
),
counted AS (
  SELECT report_date, callerid, 'entry' AS kind, component, '' AS next_component, count(*) AS n
  FROM ordered WHERE seq = 1 GROUP BY report_date, callerid, component
  UNION ALL
  SELECT report_date, callerid, 'exit' AS kind, component, '' AS next_component, count(*) AS n
  FROM ordered WHERE is_last GROUP BY report_date, callerid, component
  UNION ALL
  SELECT report_date, callerid, 'transition' AS kind, previous AS component, component AS next_component, count(*) AS n
  FROM ordered WHERE seq > 1 GROUP BY report_date, callerid, previous, component
),
ranked AS (
  SELECT
    report_date,
    callerid,
    kind,
    row_number() OVER (PARTITION BY report_date, callerid, kind ORDER BY n DESC, component, next_component) AS place,
    component,
    next_component,
    n
  FROM counted
)
SELECT report_date, callerid, kind, place, component, next_component, n
FROM ranked
WHERE place <= CASE WHEN kind = 'transition' THEN 10 ELSE 5 END
ORDER BY report_date, callerid NULLS FIRST, kind, place
