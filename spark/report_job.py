"""The daily click report, as a PySpark job for EMR Serverless.

Arguments (from the state machine): ``[dates, raw bucket, output bucket]``, where ``dates`` is
one report date or several, comma-separated (``2023-02-07,2023-02-08``): one job run reports
every date that needs it.

For each date it reads the Parquet that Firehose wrote to ``s3://<raw>/clicklog/data=<date>/``,
runs report.sql (shipped with ``--files``, its date bound) over a view named ``clicks`` of
them, and writes ``s3://<output>/<YYYY>/<MM>/<DD>/response.md``, ``report.json`` and ``report.html``,
overwriting them, so a rerun is idempotent. report.json also says what the job read (files, rows, the
newest file's time and a digest of the file names), which is how a later run knows whether
late clicks have arrived since.

Off EMR, the Spark setting ``spark.clicklogger.storageRoot`` (an absolute local folder) maps
``s3://<bucket>`` to ``<storageRoot>/<bucket>``, the layout of ``clicklogger local``. On EMR it
is unset: same arguments, same validation, same ``s3://`` roots.

Spark is a thin adapter here: everything that can be is a pure function, tested without
pyspark (spark/tests). The TypeScript engine (report/markdown.ts, report/html.ts) renders the
same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date as Date
from datetime import datetime, timedelta, timezone

# Columns of the Glue table, in order: functions/shared/click-schema.ts is their source,
# and a contract test holds this copy to it.
CLICK_COLUMNS: tuple[str, ...] = (
    "requestid",
    "contextid",
    "callerid",
    "component",
    "action",
    "type",
    "user",
    "clientip",
    "createdtime",
)
REPORT_COLUMNS: tuple[str, ...] = ("createdTime", "callerid", "component", "count")
# What report.sql returns for each group besides its columns.
DUPLICATES = "duplicates"
# functions/shared/contracts.ts is the source of these names; the contract test holds them to it.
RAW_PREFIX = "clicklog"
PARTITION_KEY = "data"
REPORT_MARKDOWN = "response.md"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
SQL_FILE = "report.sql"
STORAGE_ROOT_SETTING = "spark.clicklogger.storageRoot"

# Digits and dashes only: no Hadoop glob character (* ? [ ] { } \) can reach a path.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# S3 bucket naming rules (lower case, digits, dots, dashes).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Hadoop treats these as glob characters in a path.
_GLOB = re.compile(r"[*?\[\]{}\\]")


class ReportInputError(ValueError):
    """A job argument that must not reach an S3 path."""


def validate_date(value: str) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ReportInputError(f"invalid report date {value!r}: use YYYY-MM-DD")
    try:
        Date.fromisoformat(value)
    except ValueError:
        raise ReportInputError(f"invalid report date {value!r}: no such day") from None
    return value


def validate_bucket(value: str) -> str:
    if not isinstance(value, str) or not _BUCKET.match(value) or ".." in value:
        raise ReportInputError(f"invalid bucket name {value!r}")
    return value


def parse_dates(value: str) -> list[str]:
    """``2023-02-07,2023-02-08`` → the dates, each validated, in order, without repeats."""
    if not isinstance(value, str) or value == "":
        raise ReportInputError(f"invalid report date {value!r}: use YYYY-MM-DD")
    dates: list[str] = []
    for part in value.split(","):
        date = validate_date(part)
        if date not in dates:
            dates.append(date)
    return sorted(dates)


def parse_args(argv: Sequence[str]) -> tuple[list[str], str, str]:
    if len(argv) != 3:
        raise ReportInputError("usage: report_job.py <YYYY-MM-DD[,YYYY-MM-DD...]> <raw bucket> <output bucket>")
    return parse_dates(argv[0]), validate_bucket(argv[1]), validate_bucket(argv[2])


LAST_DATE = "9999-12-31"


def next_date(date: str) -> str:
    """The day after ``date``: the end (excluded) of its createdtime range in report.sql. The last
    date, 9999-12-31, has none in four digits: its bound is ``9999-12-32``, a string after every
    instant of that day (as report/sql.ts binds it)."""
    if date == LAST_DATE:
        return "9999-12-32"
    return (Date.fromisoformat(date) + timedelta(days=1)).isoformat()


def bind_report_sql(sql: str, date: str) -> str:
    """report.sql for one date: ``:report_date`` and ``:next_date`` as string literals, as the
    TypeScript engine binds them (report/sql.ts). Only a validated date is bound."""
    date = validate_date(date)
    return sql.replace(":report_date", f"'{date}'").replace(":next_date", f"'{next_date(date)}'")


def validate_storage_root(value: str) -> str:
    """An absolute local folder (``/path`` or ``file:///path``) as a ``file://`` URI."""
    path = value[len("file://") :] if value.startswith("file://") else value
    if not path.startswith("/") or _GLOB.search(path) or "/../" in f"{path}/" or path.rstrip("/") == "":
        raise ReportInputError(
            f"invalid {STORAGE_ROOT_SETTING} {value!r}: use an absolute folder without glob characters or '..'"
        )
    return "file://" + path.rstrip("/")


def bucket_root(bucket: str, storage_root: str | None = None) -> str:
    """``s3://<bucket>``, or ``<storage root>/<bucket>`` when the job runs on local storage."""
    return f"s3://{bucket}" if storage_root is None else f"{validate_storage_root(storage_root)}/{bucket}"


def partition_uri(raw_root: str, date: str) -> str:
    """``<raw root>/clicklog/data=<date>/``: Firehose's event-date partition."""
    return f"{raw_root}/{RAW_PREFIX}/{PARTITION_KEY}={date}/"


def output_prefix(output_root: str, date: str) -> str:
    """``<output root>/YYYY/MM/DD/``"""
    return f"{output_root}/{date.replace('-', '/')}/"


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


def render_markdown(date: str, rows: Sequence[Mapping[str, object]]) -> str:
    def line(cells: Iterable[object]) -> str:
        return "| " + " | ".join(str(c) for c in cells) + " |"

    body = [
        line(
            [
                escape_cell(row["createdTime"]),
                escape_cell(row["callerid"]),
                escape_cell(row["component"]),
                int(row["count"]),
            ]
        )
        for row in rows
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
        ]
    )


def input_digest(names: Iterable[str]) -> str:
    """The digest of a partition's data file names: equal digests, same files read."""
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def iso_millis(epoch_ms: int | None) -> str | None:
    """``2023-02-08T10:00:00.000Z`` for a time in epoch milliseconds."""
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render_json(date: str, rows: Sequence[Mapping[str, object]], read: Mapping[str, object]) -> str:
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
        "read": {
            "files": int(read["files"]),
            "rows": int(read["rows"]),
            "newest": read["newest"],
            "digest": read["digest"],
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- HTML page: report/html.ts renders the same bytes (integers only, no string collation) ---

_PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d1f")
_OTHER_COLOUR = "#999999"
_NO_COMPONENT = "(no component)"
_OTHER = "all other components"
_LEFT, _TOP, _PLOT_HEIGHT, _RIGHT, _BOTTOM, _MAX_WIDTH, _LABEL_WIDTH = 72, 16, 240, 16, 56, 640, 44
_MAX_TICKS = 5
_STYLE = "\n".join(
    [
        ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;'
        "color:#1b1b1b;background:#fff}",
        "body{margin:0 auto;padding:1rem;max-width:60rem}",
        "h1{font-size:1.4rem;margin:0 0 .25rem}",
        ".summary{margin:0 0 1rem;color:#444}",
        ".chart{display:block;width:100%;height:auto;max-height:24rem}",
        ".chart .grid{stroke:#e3e3e3}.chart .axis{stroke:#1b1b1b}",
        ".chart .tick{font-size:11px;fill:#444}.chart .axis-title{font-size:12px;fill:#1b1b1b}",
        ".chart .missing rect{fill:none;stroke:#b00020;stroke-dasharray:4 3}",
        ".legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0 1rem}",
        ".legend li{display:flex;align-items:center;gap:.35rem;max-width:100%;min-width:0}",
        ".swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px}",
        # Client strings: one line clipped to a width, and accents stacked past the line box hidden.
        "bdi{unicode-bidi:isolate;display:inline-block;max-width:min(16rem,80vw);overflow:hidden;"
        "text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}",
        ".table-wrap{overflow-x:auto}",
        "table{border-collapse:collapse;font-variant-numeric:tabular-nums}",
        "caption{text-align:left;font-weight:600;margin-bottom:.25rem}",
        "th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}",
        "th[scope=row]{text-align:left}",
        "tr.missing td{text-align:left;color:#b00020}",
        "tfoot th,tfoot td{font-weight:600;border-top:2px solid #1b1b1b}",
        "@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem .35rem}}",
        "@media print{body{max-width:none;padding:0}.chart{max-height:none;break-inside:avoid}"
        ".table-wrap{overflow:visible}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
    ]
)


def escape_html(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def group_digits(n: int) -> str:
    return f"{n:,}"


def _clicks(n: int) -> str:
    return f"{group_digits(n)} {'click' if n == 1 else 'clicks'}"


def _nice_step(value: int) -> int:
    power = 1
    while True:
        for m in (1, 2, 5):
            if m * power >= value:
                return m * power
        power *= 10


def _series(components: list[str]) -> list[dict]:
    named = components if len(components) <= len(_PALETTE) + 1 else components[: len(_PALETTE)]
    series = [
        {
            "label": _NO_COMPONENT if c == "" else c,
            "colour": _PALETTE[i] if i < len(_PALETTE) else _OTHER_COLOUR,
            "members": [c],
            "plain": c == "",
        }
        for i, c in enumerate(named)
    ]
    if len(named) < len(components):
        series.append({"label": _OTHER, "colour": _OTHER_COLOUR, "members": components[len(_PALETTE) :], "plain": True})
    return series


def _series_label(s: Mapping) -> str:
    return f"<i>{escape_html(s['label'])}</i>" if s["plain"] else f"<bdi>{escape_html(s['label'])}</bdi>"


def _chart(days: Sequence[Mapping], series: list[dict], counts: list[list[int]]) -> list[str]:
    n = len(days)
    slot = max(4, min(80, _MAX_WIDTH // n))
    bar = slot - max(1, slot // 4)
    width = _LEFT + n * slot + _RIGHT
    height = _TOP + _PLOT_HEIGHT + _BOTTOM
    baseline = _TOP + _PLOT_HEIGHT
    busiest = max([0, *(sum(c) for c in counts)])
    step = _nice_step(max(1, -(-busiest // _MAX_TICKS)))
    ticks = max(1, -(-busiest // step))
    y_max = step * ticks

    def y(clicks: int) -> int:
        return baseline - clicks * _PLOT_HEIGHT // y_max

    label_every = max(1, -(-_LABEL_WIDTH // slot))
    lines = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Clicks per day by component</title>',
        f'<desc id="chart-desc">Stacked bars, one a day from {days[0]["date"]} to {days[-1]["date"]}; '
        f"the busiest day has {_clicks(busiest)}.</desc>",
    ]
    for tick in range(ticks + 1):
        ty = y(tick * step)
        lines.append(f'<line class="grid" x1="{_LEFT}" y1="{ty}" x2="{width - _RIGHT}" y2="{ty}"/>')
        lines.append(
            f'<text class="tick" x="{_LEFT - 6}" y="{ty + 4}" text-anchor="end">{group_digits(tick * step)}</text>'
        )
    for i, day in enumerate(days):
        date = day["date"]
        x = _LEFT + i * slot + (slot - bar) // 2
        if day["rows"] is None:
            problem = escape_html(day.get("problem") or "missing")
            lines.append(f'<g class="day missing" data-date="{date}"><title>{date}: no report ({problem})</title>')
            lines.append(f'<rect x="{x}" y="{_TOP}" width="{bar}" height="{_PLOT_HEIGHT}"/></g>')
        else:
            total = sum(counts[i])
            lines.append(
                f'<g class="day" data-date="{date}" data-total="{total}"><title>{date}: {_clicks(total)}</title>'
            )
            below = 0
            for s, count in enumerate(counts[i]):
                if count == 0:
                    continue
                top = y(below + count)
                lines.append(
                    f'<rect class="mark" x="{x}" y="{top}" width="{bar}" height="{y(below) - top}" '
                    f'fill="{series[s]["colour"]}" data-series="{s}"><title>{date} · '
                    f"{escape_html(series[s]['label'])}: {group_digits(count)}</title></rect>"
                )
                below += count
            lines.append("</g>")
        if i % label_every == 0:
            lines.append(
                f'<text class="tick" x="{x + bar // 2}" y="{baseline + 16}" text-anchor="middle">{date[5:]}</text>'
            )
    middle = _TOP + _PLOT_HEIGHT // 2
    lines += [
        f'<line class="axis" x1="{_LEFT}" y1="{baseline}" x2="{width - _RIGHT}" y2="{baseline}"/>',
        f'<text class="axis-title" x="{_LEFT + n * slot // 2}" y="{height - 12}" text-anchor="middle">'
        "Day (UTC, MM-DD)</text>",
        f'<text class="axis-title" x="16" y="{middle}" text-anchor="middle" transform="rotate(-90 16 {middle})">'
        "Clicks</text>",
        "</svg>",
    ]
    return lines


def _table(days: Sequence[Mapping], series: list[dict], counts: list[list[int]]) -> list[str]:
    head = "".join(f'<th scope="col">{_series_label(s)}</th>' for s in series)
    lines = [
        '<div class="table-wrap">',
        "<table>",
        "<caption>Clicks per day and component</caption>",
        f'<thead><tr><th scope="col">Day</th>{head}<th scope="col">Total</th></tr></thead>',
        "<tbody>",
    ]
    for i, day in enumerate(days):
        if day["rows"] is None:
            problem = escape_html(day.get("problem") or "missing")
            lines.append(
                f'<tr class="missing"><th scope="row">{day["date"]}</th>'
                f'<td colspan="{len(series) + 1}">no report: {problem}</td></tr>'
            )
        else:
            cells = "".join(f"<td>{group_digits(c)}</td>" for c in counts[i])
            lines.append(f'<tr><th scope="row">{day["date"]}</th>{cells}<td>{group_digits(sum(counts[i]))}</td></tr>')
    totals = [sum(row[s] for row in counts) for s in range(len(series))]
    foot = "".join(f"<td>{group_digits(t)}</td>" for t in totals)
    lines += [
        "</tbody>",
        f'<tfoot><tr><th scope="row">Total</th>{foot}<td>{group_digits(sum(totals))}</td></tr></tfoot>',
        "</table>",
        "</div>",
    ]
    return lines


def render_html(days: Sequence[Mapping]) -> str:
    """The page for ``days`` (``{"date", "rows" or None, "problem"?}``, in date order)."""
    if not days:
        raise ValueError("render_html needs at least one day")
    totals: dict[str, int] = {}
    for day in days:
        for row in day["rows"] or []:
            component = "" if row["component"] is None else str(row["component"])
            totals[component] = totals.get(component, 0) + int(row["count"])
    order = {c: i for i, c in enumerate(totals)}
    series = _series(sorted(totals, key=lambda c: (-totals[c], order[c])))
    counts = []
    for day in days:
        by_component: dict[str, int] = {}
        for row in day["rows"] or []:
            component = "" if row["component"] is None else str(row["component"])
            by_component[component] = by_component.get(component, 0) + int(row["count"])
        counts.append([sum(by_component.get(m, 0) for m in s["members"]) for s in series])
    first, last = days[0]["date"], days[-1]["date"]
    title = f"Clicks on {first}" if first == last else f"Clicks from {first} to {last}"
    reported = sum(1 for day in days if day["rows"] is not None)
    missing = len(days) - reported
    total = sum(sum(c) for c in counts)
    summary = f"{_clicks(total)} on {reported} reported {'day' if reported == 1 else 'days'}" + (
        f"; {missing} {'day has' if missing == 1 else 'days have'} no report." if missing else "."
    )
    legend = [
        f'<li><span class="swatch" style="background:{s["colour"]}"></span>{_series_label(s)}</li>' for s in series
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>clicklogger: {title}</title>",
            f"<style>\n{_STYLE}\n</style>",
            "</head>",
            "<body>",
            f"<h1>{title}</h1>",
            f'<p class="summary">{summary}</p>',
            *_chart(days, series, counts),
            '<ul class="legend" aria-label="Components">',
            *legend,
            "</ul>",
            *_table(days, series, counts),
            "</body>",
            "</html>",
            "",
        ]
    )


def load_sql(script_dir: str | None = None) -> str:
    """report.sql as shipped with ``--files`` (the working directory), else beside this script."""
    candidates = [SQL_FILE]
    try:
        from pyspark import SparkFiles  # type: ignore[import-not-found]

        candidates.insert(0, SparkFiles.get(SQL_FILE))
    except Exception:  # no SparkContext (the tests) or no pyspark
        pass
    candidates.append(os.path.join(script_dir or os.path.dirname(os.path.abspath(__file__)), SQL_FILE))
    for path in candidates:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    raise FileNotFoundError(f"{SQL_FILE} not found in {candidates}")


# --- Spark adapter -------------------------------------------------------------------------


def _hadoop_fs(spark, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def _data_files(spark, uri: str) -> list[tuple[str, int]]:
    """The data files of a partition, as (name, modification time in ms); as in Hadoop, names
    starting with ``_`` or ``.`` are not data."""
    fs, path = _hadoop_fs(spark, uri)
    if not fs.exists(path):
        return []
    return sorted(
        (status.getPath().getName(), int(status.getModificationTime()))
        for status in fs.listStatus(path)
        if status.isFile() and not status.getPath().getName().startswith(("_", "."))
    )


def _write_text(spark, uri: str, text: str) -> None:
    """Overwrites one object through the Hadoop FileSystem API: no extra Python packages on EMR."""
    fs, path = _hadoop_fs(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def _schema():
    from pyspark.sql.types import StringType, StructField, StructType  # type: ignore[import-not-found]

    return StructType([StructField(name, StringType(), True) for name in CLICK_COLUMNS])


def read_partition(spark, raw_root: str, date: str):
    """The date's partition as a DataFrame with the click columns, and its files as listed.

    The listed files exactly, so the digest names what was read: a file that lands after the
    listing is left to the next run. A day without files is an empty frame (an empty report)."""
    schema = _schema()
    uri = partition_uri(raw_root, date)
    files = _data_files(spark, uri)
    if not files:
        return spark.createDataFrame([], schema), files
    return spark.read.schema(schema).parquet(*[uri + name for name, _ in files]), files


def run(spark, dates: Sequence[str], raw_root: str, output_root: str, sql: str) -> dict[str, list[dict]]:
    """Writes the report of each of ``dates`` (one query a date); the roots are
    ``s3://<bucket>`` on EMR (any Hadoop URI works). Returns each date's rows."""
    by_date: dict[str, list[dict]] = {}
    for date in dates:
        frame, files = read_partition(spark, raw_root, date)
        frame.createOrReplaceTempView("clicks")
        read = {
            "files": len(files),
            "rows": frame.count() if files else 0,
            "newest": iso_millis(max((mtime for _, mtime in files), default=None)),
            "digest": input_digest(name for name, _ in files),
        }
        rows = [row.asDict() for row in spark.sql(bind_report_sql(sql, date)).collect()]
        prefix = output_prefix(output_root, date)
        _write_text(spark, prefix + REPORT_MARKDOWN, render_markdown(date, rows))
        _write_text(spark, prefix + REPORT_HTML, render_html([{"date": date, "rows": rows}]))
        # Last: report.json is the day's proof of completion (PlanDates skips a day whose digest
        # matches), so a job that dies before it leaves the day to be reported again.
        _write_text(spark, prefix + REPORT_JSON, render_json(date, rows, read))
        by_date[date] = rows
    return by_date


def error_summary(error: BaseException) -> str:
    """One line naming the problem: for a JVM error, its root cause rather than the stack trace."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        while java.getCause() is not None:
            java = java.getCause()
        text = java.toString()
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split("\n", 1)[0].split())


def main(argv: Sequence[str]) -> int:
    try:
        dates, raw_bucket, output_bucket = parse_args(argv)
    except ReportInputError as error:
        print(f"report_job: error: {error}", file=sys.stderr)
        return 2
    from pyspark.sql import SparkSession  # type: ignore[import-not-found]

    spark = SparkSession.builder.appName(f"clicklogger-report-{dates[0]}-{len(dates)}d").getOrCreate()
    try:
        storage_root = spark.conf.get(STORAGE_ROOT_SETTING, None)
        output_root = bucket_root(output_bucket, storage_root)
        by_date = run(spark, dates, bucket_root(raw_bucket, storage_root), output_root, load_sql())
        for date, rows in by_date.items():
            print(f"report_job: {len(rows)} rows for {date} written to {output_prefix(output_root, date)}")
    except Exception as error:  # the job's one error line; the exit code fails the run
        print(f"report_job: error: {error_summary(error)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
