"""What visits did on a day: the funnels and visit figures of the daily report.

The report job (report_job.py) runs visits.sql, visit_paths.sql and funnels.sql over its
``day_clicks`` view and gives the rows to ``assemble``; report/visits.ts and
report/visits-markdown.ts do the same for the local engine, to the same bytes. Every list keeps
the order the SQL gives it: neither language sorts strings itself.

The funnels come from the Spark setting ``spark.clicklogger.funnels`` (base64url JSON, written by
the stack from config ``funnels``); they reach the SQL as the rows of a view, never as its text.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence

FUNNELS_SETTING = "spark.clicklogger.funnels"
# What a cell shows for no figure: an en dash.
NONE = "\u2013"
MIN_STEPS, MAX_STEPS, MAX_FUNNELS = 2, 10, 10
FUNNEL_COLUMNS = ("step", "visits", "% of step 1", "% of previous step", "median time from step 1")
VISIT_COLUMNS = (
    "callerid",
    "visits",
    "users",
    "clicks",
    "one-click visits",
    "median clicks",
    "median length",
    "top entry",
    "top exit",
)


class FunnelsError(ValueError):
    """A funnels setting the job cannot use."""


def parse_funnels(value: str | None) -> list[dict]:
    """The funnels a ``spark.clicklogger.funnels`` value carries; none when unset."""
    if not value:
        return []
    try:
        funnels = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise FunnelsError(f"{FUNNELS_SETTING} is not base64url JSON") from None
    if not isinstance(funnels, list) or len(funnels) > MAX_FUNNELS:
        raise FunnelsError(f"{FUNNELS_SETTING}: a list of at most {MAX_FUNNELS} funnels")
    for funnel in funnels:
        steps = funnel.get("steps") if isinstance(funnel, dict) else None
        if (
            set(funnel or {}) != {"name", "steps"}
            or not isinstance(funnel["name"], str)
            or not isinstance(steps, list)
            or not MIN_STEPS <= len(steps) <= MAX_STEPS
            or not all(isinstance(s, str) and s.strip() for s in steps)
            or len(set(steps)) != len(steps)
        ):
            raise FunnelsError(
                f"{FUNNELS_SETTING}: each funnel is a name and {MIN_STEPS} to {MAX_STEPS} distinct steps"
            )
    return funnels


def funnel_step_rows(funnels: Sequence[Mapping]) -> list[tuple[int, int, str]]:
    """funnels.sql's funnel_steps: (funnel, step, component), both numbered from 1."""
    return [(f + 1, s + 1, c) for f, funnel in enumerate(funnels) for s, c in enumerate(funnel["steps"])]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def assemble(funnels: Sequence[Mapping], visit_rows, path_rows, funnel_rows) -> dict:
    """report.json's ``funnels`` and ``visits`` from the three queries' rows (as dicts)."""
    paths: dict[tuple[str, str], list] = {}
    for p in path_rows:
        paths.setdefault((p["kind"], _text(p["callerid"])), []).append(p)
    visits = []
    for row in visit_rows:
        callerid = _text(row["callerid"])

        def places(kind: str, callerid: str = callerid) -> list[dict]:
            listed = paths.get((kind, callerid), [])
            return [{"component": _text(p["component"]), "visits": int(p["n"])} for p in listed]

        visits.append(
            {
                "callerid": callerid,
                "visits": int(row["visits"]),
                "users": int(row["users"]),
                "clicks": int(row["clicks"]),
                "singleClickVisits": int(row["single_click_visits"]),
                "medianClicksPerVisit": int(row["median_clicks"]),
                "medianVisitMs": int(row["median_visit_ms"]),
                "entries": places("entry"),
                "exits": places("exit"),
                "transitions": [
                    {"from": _text(p["component"]), "to": _text(p["next_component"]), "count": int(p["n"])}
                    for p in paths.get(("transition", callerid), [])
                ],
            }
        )
    reached: dict[tuple[int, str], list] = {}
    for r in funnel_rows:
        reached.setdefault((int(r["funnel"]), _text(r["callerid"])), []).append(r)
    figures = []
    for (number, callerid), steps in reached.items():
        funnel = funnels[number - 1]
        figures.append(
            {
                "name": funnel["name"],
                "callerid": callerid,
                # The SQL gives the steps reached, from step 1 on; the rest were reached by no visit.
                "steps": [
                    {
                        "component": component,
                        "visits": int(steps[s]["visits"]) if s < len(steps) else 0,
                        "medianMsFromStart": int(steps[s]["median_ms"]) if s < len(steps) else None,
                        "p90MsFromStart": int(steps[s]["p90_ms"]) if s < len(steps) else None,
                    }
                    for s, component in enumerate(funnel["steps"])
                ],
            }
        )
    return {"funnels": figures, "visits": visits}


NO_VISITS: dict = {"funnels": [], "visits": []}


def bind_funnels(spark, funnels: Sequence[Mapping]) -> None:
    """The view funnel_steps: the funnels' steps as rows (funnels.sql joins it)."""
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType  # type: ignore[import-not-found]

    schema = StructType(
        [
            StructField("funnel", IntegerType()),
            StructField("step", IntegerType()),
            StructField("component", StringType()),
        ]
    )
    spark.createDataFrame(funnel_step_rows(funnels), schema).createOrReplaceTempView("funnel_steps")


def any_funnel_starts(funnels: Sequence[Mapping], counts: Sequence[Mapping]) -> bool:
    """Whether a funnel's first step was clicked at all (the day's counts say): without one, no
    visit entered a funnel, and the funnel query is not run."""
    clicked = {row["component"] for row in counts}
    return any(funnel["steps"][0] in clicked for funnel in funnels)


def query(spark, funnels: Sequence[Mapping], load_sql, counts: Sequence[Mapping]) -> dict[str, dict]:
    """Each date's figures on Spark, over the views ``day_clicks`` and ``funnel_steps``;
    ``load_sql(name)`` gives a query, ``counts`` are the dates' count rows."""

    def rows(name: str) -> dict[str, list[dict]]:
        by_date: dict[str, list[dict]] = {}
        for row in spark.sql(load_sql(name)).collect():
            by_date.setdefault(row["report_date"], []).append(row.asDict())
        return by_date

    visits, paths = rows("visits.sql"), rows("visit_paths.sql")
    reached = rows("funnels.sql") if any_funnel_starts(funnels, counts) else {}
    return {
        date: assemble(funnels, visit_rows, paths.get(date, []), reached.get(date, []))
        for date, visit_rows in visits.items()
    }


# --- response.md ------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage to one decimal, half up; NONE without a whole."""
    if whole <= 0:
        return NONE
    tenths = (part * 2000 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def duration(ms: int | None) -> str:
    """A time in milliseconds, truncated: "4.2 s", "3 min 7 s", "2 h 5 min"; NONE for none."""
    if ms is None:
        return NONE
    if ms < 60_000:
        return f"{ms // 1000}.{ms % 1000 // 100} s"
    if ms < 3_600_000:
        return f"{ms // 60_000} min {ms % 60_000 // 1000} s"
    return f"{ms // 3_600_000} h {ms % 3_600_000 // 60_000} min"


def visits_markdown(visits: Mapping, escape_cell) -> list[str]:
    """response.md's sections after the counts table: a funnel table per funnel and caller, then
    the visits table."""

    def line(cells) -> str:
        return "| " + " | ".join(str(c) for c in cells) + " |"

    def top(places: list) -> str:
        return NONE if not places else f"{escape_cell(places[0]['component'])} ({places[0]['visits']})"

    lines: list[str] = []
    for funnel in visits["funnels"]:
        steps = funnel["steps"]
        lines += [f"## Funnel {funnel['name']}: {escape_cell(funnel['callerid'])}", "", line(FUNNEL_COLUMNS)]
        lines.append(line(["---"] * len(FUNNEL_COLUMNS)))
        for i, step in enumerate(steps):
            previous = NONE if i == 0 else percent(step["visits"], steps[i - 1]["visits"])
            lines.append(
                line(
                    [
                        f"{i + 1}. {escape_cell(step['component'])}",
                        step["visits"],
                        percent(step["visits"], steps[0]["visits"]),
                        previous,
                        duration(step["medianMsFromStart"]),
                    ]
                )
            )
        lines.append("")
    if visits["visits"]:
        lines += ["## Visits", "", line(VISIT_COLUMNS), line(["---"] * len(VISIT_COLUMNS))]
        for v in visits["visits"]:
            lines.append(
                line(
                    [
                        escape_cell(v["callerid"]),
                        v["visits"],
                        v["users"],
                        v["clicks"],
                        v["singleClickVisits"],
                        v["medianClicksPerVisit"],
                        duration(v["medianVisitMs"]),
                        top(v["entries"]),
                        top(v["exits"]),
                    ]
                )
            )
        lines.append("")
    return lines


# --- report.html: report/funnel-html.ts draws the same bytes --------------------------------

_ROW, _BAR_LEFT, _BAR_TOP, _BAR_HEIGHT, _BAR_WIDTH, _LABEL_GAP = 40, 8, 8, 18, 600, 16
_COLOUR = "#0072b2"


def funnel_charts(funnels: Sequence[Mapping], escape_html, group_digits) -> list[str]:
    """For a one-day page: one bar chart per funnel and caller, a bar per step as long as its
    visits against step 1's."""
    if not funnels:
        return []
    lines = ["<h2>Funnels</h2>"]
    for f, funnel in enumerate(funnels):
        steps = funnel["steps"]
        first = steps[0]["visits"]
        height = _BAR_TOP + len(steps) * _ROW + _BAR_TOP
        width = _BAR_LEFT + _BAR_WIDTH + _BAR_LEFT
        title = f"Funnel {escape_html(funnel['name'])}: {escape_html(funnel['callerid'])}"
        lines += [
            f'<svg class="chart funnel" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="funnel-{f}-title" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="funnel-{f}-title">{title}</title>',
        ]
        for i, step in enumerate(steps):
            y = _BAR_TOP + i * _ROW
            length = 0 if first == 0 else step["visits"] * _BAR_WIDTH // first
            label = (
                f"{i + 1}. {escape_html(step['component'])}: {group_digits(step['visits'])} "
                f"{'visit' if step['visits'] == 1 else 'visits'} ({percent(step['visits'], first)}), "
                f"median {duration(step['medianMsFromStart'])}"
            )
            lines.append(f'<text class="tick" x="{_BAR_LEFT}" y="{y + 11}">{label}</text>')
            lines.append(
                f'<rect class="mark" x="{_BAR_LEFT}" y="{y + _LABEL_GAP}" width="{length}" height="{_BAR_HEIGHT}" '
                f'fill="{_COLOUR}"><title>{escape_html(step["component"])}: '
                f"{group_digits(step['visits'])}</title></rect>"
            )
        lines.append("</svg>")
    return lines
