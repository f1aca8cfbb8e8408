"""The daily click report, as a PySpark job for EMR Serverless.

Arguments (from the report state machine): ``[dates, raw bucket, output bucket]``, where ``dates`` is
one report date or several, comma-separated (``2023-02-07,2023-02-08``): one job run reports
every date that needs it.

For each date it reads the Parquet that Firehose wrote to ``s3://<raw>/clicklog/data=<date>/``,
runs day_clicks.sql (shipped with ``--files``, its date bound) over a view named ``clicks`` of
them, keeps the day's clicks as the view ``day_clicks``, runs report.sql and the visit queries
(report_visits.py) over it, and writes ``s3://<output>/<YYYY>/<MM>/<DD>/response.md``,
``report.json`` and ``report.html``, overwriting them, so a rerun is idempotent. report.json also
says what the job read (files, rows, the newest file's time and a digest of the file names),
which is how a later run knows whether late clicks have arrived since.

Off EMR, the Spark setting ``spark.clicklogger.storageRoot`` (an absolute local folder) maps
``s3://<bucket>`` to ``<storageRoot>/<bucket>``, the layout of ``clicklogger local``. On EMR it
is unset: same arguments, same validation, same ``s3://`` roots.

``erase ...`` runs the erase mode instead (report_erase.py, from the erase state machine).

Spark is a thin adapter here: everything that can be is a pure function, tested without
pyspark (spark/tests). The renderers are report_render.py, shipped with ``--py-files``; the
TypeScript engine (report/markdown.ts, report/html.ts) renders the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date as Date
from datetime import datetime, timezone

from report_render import DEFAULT_ROWS_PER_CALLER, ROWS_PER_CALLER_SETTING, render_json, render_markdown
from report_render import DUPLICATES as DUPLICATES
from report_render import REPORT_COLUMNS as REPORT_COLUMNS
from report_render import escape_cell as escape_cell
from report_render import summary_line as summary_line

# Columns of the Glue table, in order: core/click-schema.ts is their source,
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
# core/contracts.ts is the source of these names; the contract test holds them to it.
RAW_PREFIX = "clicklog"
PARTITION_KEY = "data"
REPORT_MARKDOWN = "response.md"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
SQL_FILE = "report.sql"
# The report's SQL, shipped with --files: core/contracts.ts (REPORT_SQL_FILES) is their source.
DAY_CLICKS_SQL = "day_clicks.sql"
SQL_FILES: tuple[str, ...] = (DAY_CLICKS_SQL, SQL_FILE, "visits.sql", "visit_paths.sql", "funnels.sql")
STORAGE_ROOT_SETTING = "spark.clicklogger.storageRoot"

# Digits and dashes only: no Hadoop glob character (* ? [ ] { } \) can reach a path.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# S3 bucket naming rules (lower case, digits, dots, dashes).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
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


def input_digest(names: Iterable[str]) -> str:
    """The digest of a partition's data file names: equal digests, same files read."""
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def iso_millis(epoch_ms: int | None) -> str | None:
    """``2023-02-08T10:00:00.000Z`` for a time in epoch milliseconds."""
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _read_sql(name: str, script_dir: str | None) -> str:
    candidates = [name]
    try:
        from pyspark import SparkFiles  # type: ignore[import-not-found]

        candidates.insert(0, SparkFiles.get(name))
    except Exception:  # no SparkContext (the tests) or no pyspark
        pass
    candidates.append(os.path.join(script_dir or os.path.dirname(os.path.abspath(__file__)), name))
    for path in candidates:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    raise FileNotFoundError(f"{name} not found in {candidates}")


# Spark's 64-bit hash, for day_clicks.sql's placeholder click_key_hash(...) ({} is its arguments).
SPARK_CLICK_KEY_HASH = "xxhash64({})"
_CLICK_KEY_HASH = re.compile(r"click_key_hash\(([^()]*)\)")


def load_sql(script_dir: str | None = None, click_key_hash: str = SPARK_CLICK_KEY_HASH) -> dict[str, str]:
    """The report's SQL files by name, as shipped with ``--files`` (the working directory), else
    beside this script, with click_key_hash(...) bound to ``click_key_hash``: a test passes a
    hash of a few values to force collisions, which must change no result."""
    return {
        name: _CLICK_KEY_HASH.sub(lambda call: click_key_hash.format(call.group(1)), _read_sql(name, script_dir))
        for name in SQL_FILES
    }


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


def _page(days: list[dict]) -> str:
    # Shipped for the report, not for the erase mode, which draws no page.
    from report_page import render_html

    return render_html(days)


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


def read_clicks(spark, raw_root: str, dates: Sequence[str]):
    """Every date's partition as one DataFrame, the click columns and ``report_date``, the date
    of the partition each row was read from (None when no date has a file); and each date's files
    as listed.

    The listed files exactly, so the digest names what was read: a file that lands after the
    listing is left to the next run. One scan, not a union of a scan per date: day_clicks.sql
    reads the view three times, and such a union made a plan that exhausted the driver's heap at
    a few hundred dates."""
    from pyspark.sql.functions import input_file_name, regexp_extract  # type: ignore[import-not-found]

    listed = {date: _data_files(spark, partition_uri(raw_root, date)) for date in dates}
    uris = [partition_uri(raw_root, date) + name for date, files in listed.items() for name, _ in files]
    if not uris:
        return None, listed
    partition_date = rf"/{PARTITION_KEY}=(\d{{4}}-\d{{2}}-\d{{2}})/[^/]*$"
    clicks = spark.read.schema(_schema()).parquet(*uris)
    return clicks.withColumn("report_date", regexp_extract(input_file_name(), partition_date, 1)), listed


def run(
    spark,
    dates: Sequence[str],
    raw_root: str,
    output_root: str,
    sql: Mapping[str, str],
    funnels: Sequence[Mapping] = (),
    rows_per_caller: int = DEFAULT_ROWS_PER_CALLER,
) -> dict[str, list[dict]]:
    """Writes the report of each of ``dates``, all from one pass of the queries over every date's
    partition; the roots are ``s3://<bucket>`` on EMR (any Hadoop URI works). Returns each date's
    rows."""
    # Only the report mode needs it: the erase mode ships without it.
    import report_visits

    # The persisted day_clicks may then be coalesced like any shuffle (adaptive execution);
    # otherwise every query over it runs spark.sql.shuffle.partitions tasks however small the day.
    spark.conf.set("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true")
    report_visits.bind_funnels(spark, funnels)
    clicks, listed = read_clicks(spark, raw_root, dates)
    counts: dict[str, list[dict]] = {date: [] for date in dates}
    visits: dict[str, dict] = {}
    stored: dict[str, int] = {}
    if clicks is not None:
        clicks.createOrReplaceTempView("clicks")
        # The rows each date's files hold (a date's misfiled neighbours too).
        stored = {row["report_date"]: row["count"] for row in clicks.groupBy("report_date").count().collect()}
        # Every date's clicks, each once: every query below reads them, so they are computed once.
        day = spark.sql(sql[DAY_CLICKS_SQL]).persist()
        day.createOrReplaceTempView("day_clicks")
        # A partition at a time: a day of millions of distinct components never meets the
        # driver's spark.driver.maxResultSize, as one collect() of them all would.
        for row in spark.sql(sql[SQL_FILE]).toLocalIterator():
            counts[row["createdTime"]].append(row.asDict())
        visits = report_visits.query(spark, funnels, sql.__getitem__, [r for rows in counts.values() for r in rows])
        day.unpersist()
    by_date: dict[str, list[dict]] = {}
    for date, files in listed.items():
        read = {
            "files": len(files),
            "rows": stored.get(date, 0),
            "newest": iso_millis(max((mtime for _, mtime in files), default=None)),
            "digest": input_digest(name for name, _ in files),
        }
        rows, day_visits = counts[date], visits.get(date, report_visits.NO_VISITS)
        prefix = output_prefix(output_root, date)
        _write_text(spark, prefix + REPORT_MARKDOWN, render_markdown(date, rows, day_visits, rows_per_caller))
        _write_text(spark, prefix + REPORT_HTML, _page([{"date": date, "rows": rows, **day_visits}]))
        # Last: report.json is the day's proof of completion (PlanDates skips a day whose digest
        # matches), so a job that dies before it leaves the day to be reported again.
        _write_text(spark, prefix + REPORT_JSON, render_json(date, rows, read, day_visits))
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


def parse_rows_per_caller(value: str | None) -> int:
    """The rows a caller gets in response.md's table (the stack's reportRowsPerCaller)."""
    if value is None:
        return DEFAULT_ROWS_PER_CALLER
    if not value.isdigit() or int(value) < 1:
        raise ReportInputError(f"{ROWS_PER_CALLER_SETTING} must be a whole number from 1, got {value!r}")
    return int(value)


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] == "erase":
        # The erase mode (report_erase.py, shipped with --py-files beside the renderers).
        import report_erase

        return report_erase.main(argv)
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
        import report_visits

        funnels = report_visits.parse_funnels(spark.conf.get(report_visits.FUNNELS_SETTING, None))
        rows_per_caller = parse_rows_per_caller(spark.conf.get(ROWS_PER_CALLER_SETTING, None))
        raw_root = bucket_root(raw_bucket, storage_root)
        by_date = run(spark, dates, raw_root, output_root, load_sql(), funnels, rows_per_caller)
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
