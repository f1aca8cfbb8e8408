"""The daily click report, as a PySpark job for EMR Serverless.

Arguments (from the state machine, as in the seed): ``[date, raw bucket, output bucket]``.

It reads the Parquet that Firehose wrote to ``s3://<raw>/clicklog/data=<date>/``, runs
report.sql (shipped with ``--files``) over a view named ``clicks``, and writes
``s3://<output>/<YYYY>/<MM>/<DD>/response.md`` and ``report.json``, overwriting them, so a
rerun is idempotent.

Off EMR, the Spark setting ``spark.clicklogger.storageRoot`` (an absolute local folder) maps
``s3://<bucket>`` to ``<storageRoot>/<bucket>``, the layout of ``clicklogger local``. On EMR it
is unset: same arguments, same validation, same ``s3://`` roots.

Spark is a thin adapter here: everything that can be is a pure function, tested without
pyspark (spark/tests). The TypeScript engine (report/markdown.ts) renders the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date as Date

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
# functions/shared/contracts.ts is the source of these names; the contract test holds them to it.
RAW_PREFIX = "clicklog"
PARTITION_KEY = "data"
REPORT_MARKDOWN = "response.md"
REPORT_JSON = "report.json"
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


def parse_args(argv: Sequence[str]) -> tuple[str, str, str]:
    if len(argv) != 3:
        raise ReportInputError("usage: report_job.py <YYYY-MM-DD> <raw bucket> <output bucket>")
    return validate_date(argv[0]), validate_bucket(argv[1]), validate_bucket(argv[2])


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
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(date: str, rows: Sequence[Mapping[str, object]]) -> str:
    if not rows:
        return f"No clicks on {date}."
    total = sum(int(row["count"]) for row in rows)
    return f"{_plural(total, 'click')} in {_plural(len(rows), 'group')}."


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


def render_json(date: str, rows: Sequence[Mapping[str, object]]) -> str:
    clean = [
        {
            "createdTime": str(row["createdTime"]),
            "callerid": "" if row["callerid"] is None else str(row["callerid"]),
            "component": "" if row["component"] is None else str(row["component"]),
            "count": int(row["count"]),
        }
        for row in rows
    ]
    document = {"date": date, "total": sum(r["count"] for r in clean), "rows": clean}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


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


def _has_data_files(spark, uri: str) -> bool:
    fs, path = _hadoop_fs(spark, uri)
    if not fs.exists(path):
        return False
    return any(
        status.isFile() and not status.getPath().getName().startswith(("_", ".")) for status in fs.listStatus(path)
    )


def _write_text(spark, uri: str, text: str) -> None:
    """Overwrites one object through the Hadoop FileSystem API: no extra Python packages on EMR."""
    fs, path = _hadoop_fs(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def clicks_frame(spark, raw_root: str, date: str):
    from pyspark.sql.types import StringType, StructField, StructType  # type: ignore[import-not-found]

    schema = StructType([StructField(name, StringType(), True) for name in CLICK_COLUMNS])
    uri = partition_uri(raw_root, date)
    if not _has_data_files(spark, uri):
        # A day without clicks still gets its (empty) report.
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(uri)


def run(spark, date: str, raw_root: str, output_root: str, sql: str) -> list[dict]:
    """Writes the report for ``date``; the roots are ``s3://<bucket>`` on EMR (any Hadoop URI works)."""
    clicks_frame(spark, raw_root, date).createOrReplaceTempView("clicks")
    spark.createDataFrame([(date,)], "report_date string").createOrReplaceTempView("report_params")
    rows = [row.asDict() for row in spark.sql(sql).collect()]
    prefix = output_prefix(output_root, date)
    _write_text(spark, prefix + REPORT_JSON, render_json(date, rows))
    _write_text(spark, prefix + REPORT_MARKDOWN, render_markdown(date, rows))
    return rows


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
        date, raw_bucket, output_bucket = parse_args(argv)
    except ReportInputError as error:
        print(f"report_job: error: {error}", file=sys.stderr)
        return 2
    from pyspark.sql import SparkSession  # type: ignore[import-not-found]

    spark = SparkSession.builder.appName(f"clicklogger-report-{date}").getOrCreate()
    try:
        storage_root = spark.conf.get(STORAGE_ROOT_SETTING, None)
        output_root = bucket_root(output_bucket, storage_root)
        rows = run(spark, date, bucket_root(raw_bucket, storage_root), output_root, load_sql())
        print(f"report_job: {len(rows)} rows for {date} written to {output_prefix(output_root, date)}")
    except Exception as error:  # the job's one error line; the exit code fails the run
        print(f"report_job: error: {error_summary(error)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
