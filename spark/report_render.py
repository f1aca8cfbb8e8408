"""The renderers of the daily report: response.md and report.json from the rows that report.sql
returns (report_page.py draws report.html). Shipped beside the job (``--py-files`` on EMR
Serverless, the same on local Spark); report/markdown.ts renders the same bytes, and the parity
tests hold them to it."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

REPORT_COLUMNS: tuple[str, ...] = ("createdTime", "callerid", "component", "count")
# What report.sql returns for each group besides its columns.
DUPLICATES = "duplicates"


def escape_cell(value: object) -> str:
    """``\\`` → ``\\\\``, ``|`` → ``\\|``, each line break (CRLF, CR or LF) → one space."""
    text = "" if value is None else str(value)
    return _LINE_BREAK.sub(" ", text.replace("\\", "\\\\").replace("|", "\\|"))


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def summary_line(date: str, rows: Sequence[Mapping[str, object]]) -> str:
    if not rows:
        return f"No clicks on {date}."
    total = sum(int(row["count"]) for row in rows)
    duplicates = sum(int(row[DUPLICATES]) for row in rows)
    dropped = f"; {_plural(duplicates, 'duplicate delivery')} not counted" if duplicates else ""
    return f"{_plural(total, 'click')} in {_plural(len(rows), 'group')}{dropped}."


# Rows of response.md's table a caller gets at most, unless the job is told otherwise
# (core/report-listing.ts: DEFAULT_ROWS_PER_CALLER and the Spark setting that carries it).
DEFAULT_ROWS_PER_CALLER = 100
ROWS_PER_CALLER_SETTING = "spark.clicklogger.rowsPerCaller"


def listed_rows(rows: Sequence[Mapping[str, object]], rows_per_caller: int) -> tuple[list, list]:
    """Each caller's rows, at most ``rows_per_caller``, those with the most clicks (ties: the
    earlier in the report's order), still in that order; and (callerid, rows, clicks) beyond them
    for each caller that has more. As report/markdown.ts's listedRows: counts and places only."""
    listed: list = []
    unlisted: list = []
    for caller, grouped in itertools.groupby(rows, key=lambda row: row["callerid"]):
        group = list(grouped)
        kept = set(sorted(range(len(group)), key=lambda i: (-int(group[i]["count"]), i))[:rows_per_caller])
        listed.extend(row for i, row in enumerate(group) if i in kept)
        if len(group) > rows_per_caller:
            left = [int(row["count"]) for i, row in enumerate(group) if i not in kept]
            unlisted.append((caller, len(left), sum(left)))
    return listed, unlisted


def _unlisted_lines(unlisted: list, rows_per_caller: int) -> list[str]:
    if not unlisted:
        return []
    each = "; ".join(
        f"{escape_cell(caller)}, {_plural(n, 'row')} ({_plural(clicks, 'click')})" for caller, n, clicks in unlisted
    )
    return [
        f"Listed: at most {_plural(rows_per_caller, 'row')} a caller, those with the most clicks; "
        f"report.json has every row. Not listed: {each}.",
        "",
    ]


def render_markdown(
    date: str,
    rows: Sequence[Mapping[str, object]],
    visits: Mapping | None = None,
    rows_per_caller: int = DEFAULT_ROWS_PER_CALLER,
) -> str:
    def line(cells: Iterable[object]) -> str:
        return "| " + " | ".join(str(c) for c in cells) + " |"

    listed, unlisted = listed_rows(rows, rows_per_caller)
    body = [
        line(
            [
                escape_cell(row["createdTime"]),
                escape_cell(row["callerid"]),
                escape_cell(row["component"]),
                int(row["count"]),
            ]
        )
        for row in listed
    ]
    return "\n".join(
        [
            f"# Click report for {date}",
            "",
            summary_line(date, rows),
            "",
            line(REPORT_COLUMNS),
            line(["---"] * 4),
            *body,
            "",
            *_unlisted_lines(unlisted, rows_per_caller),
            *_visits_markdown(visits),
        ]
    )


def _visits_markdown(visits: Mapping | None) -> list[str]:
    if not visits:
        return []
    # Shipped beside this module for the report, not for the erase mode, which renders no report.
    from report_visits import visits_markdown

    return visits_markdown(visits, escape_cell)


def render_json(
    date: str, rows: Sequence[Mapping[str, object]], read: Mapping[str, object], visits: Mapping | None = None
) -> str:
    clean = [
        {
            "createdTime": str(row["createdTime"]),
            "callerid": "" if row["callerid"] is None else str(row["callerid"]),
            "component": "" if row["component"] is None else str(row["component"]),
            "count": int(row["count"]),
            "duplicates": int(row[DUPLICATES]),
        }
        for row in rows
    ]
    document = {
        "date": date,
        "total": sum(r["count"] for r in clean),
        "duplicates": sum(r["duplicates"] for r in clean),
        "rows": clean,
        "funnels": (visits or {}).get("funnels", []),
        "visits": (visits or {}).get("visits", []),
        "read": {
            "files": int(read["files"]),
            "rows": int(read["rows"]),
            "newest": read["newest"],
            "digest": read["digest"],
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
