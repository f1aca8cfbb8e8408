"""The report job's erase mode: one person's clicks out of the raw data (``clicklogger erase``).

Arguments: ``erase <user|contextid> <pseudonym> <value> <from|-> <to|-> <raw bucket> <output bucket>``.
A ``user`` is matched as its pseudonym and as ``<value>`` (a user stored as sent, under
``user: keep``; the CLI passes the pseudonym again when the stage pseudonymizes, so the name
itself never reaches the job). A ``contextid`` is stored as sent and matched as ``<value>``.

Each data file that holds any of the person's clicks is rewritten without them: the new file is
written first (a draft folder beside it, finished when Spark's ``_SUCCESS`` is there), then the
old one is removed and the draft moved in its place. A stop at any point leaves every file
whole, and the next erase finishes or redoes the draft. Files that Firehose writes meanwhile are
not touched.

Before the first rewrite, the days are added to ``erasure.pending.json`` in the output bucket:
the CLI reports them again and then removes it, so an erase stopped midway still gets its days
reported. Last, a record goes to ``erasure-log/`` in the output bucket (one object per erasure,
S3 having no append), with a proof: the person's clicks left in the range, which must be 0.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import report_job as job

ERASE_MODE = "erase"
# core/contracts.ts is the source of these names; the contract test holds them to it.
PENDING_ERASURE = "erasure.pending.json"
ERASURE_LOG_PREFIX = "erasure-log/"
DRAFT_PREFIX = ".erasing-"
NO_DATE = "-"

_PSEUDONYM = re.compile(r"^[uc]_[a-z2-7]{26}$")
_PARTITION = re.compile(r"^" + re.escape(job.PARTITION_KEY) + r"=(\d{4}-\d{2}-\d{2})$")
# The user and contextid fields' limit in the click schema (core/click-schema.ts): 256 bytes.
MAX_VALUE_LENGTH = 256


@dataclass(frozen=True)
class Erasure:
    column: str
    pseudonym: str
    values: tuple[str, ...]
    first: str | None
    last: str | None
    raw_bucket: str
    output_bucket: str

    def covers(self, date: str) -> bool:
        return (self.first is None or date >= self.first) and (self.last is None or date <= self.last)


def parse_erase_args(argv: Sequence[str]) -> Erasure:
    usage = (
        "usage: report_job.py erase <user|contextid> <pseudonym> <value> <from|-> <to|-> <raw bucket> <output bucket>"
    )
    if len(argv) != 8 or argv[0] != ERASE_MODE:
        raise job.ReportInputError(usage)
    _, column, pseudonym, value, first, last, raw, output = argv
    if column not in ("user", "contextid"):
        raise job.ReportInputError(f"invalid column {column!r}: erase by user or contextid")
    if not _PSEUDONYM.match(pseudonym) or pseudonym[0] != column[0]:
        raise job.ReportInputError(f"invalid pseudonym {pseudonym!r} for a {column}")
    if value == "" or len(value) > MAX_VALUE_LENGTH:
        raise job.ReportInputError(f"invalid {column} value: 1 to {MAX_VALUE_LENGTH} characters")
    first_date = None if first == NO_DATE else job.validate_date(first)
    last_date = None if last == NO_DATE else job.validate_date(last)
    if first_date and last_date and first_date > last_date:
        raise job.ReportInputError(f"the range starts ({first_date}) after it ends ({last_date})")
    values = (pseudonym, value) if column == "user" and value != pseudonym else (value,)
    return Erasure(
        column, pseudonym, values, first_date, last_date, job.validate_bucket(raw), job.validate_bucket(output)
    )


def partition_date(name: str) -> str | None:
    """``data=2023-02-08`` → ``2023-02-08``; anything else → None."""
    found = _PARTITION.match(name)
    return found.group(1) if found else None


def merge_pending(text: str | None, days: Sequence[str]) -> str:
    """erasure.pending.json with ``days`` added to those it already lists."""
    listed: list[str] = []
    if text:
        try:
            listed = [d for d in json.loads(text).get("days", []) if isinstance(d, str) and job._DATE.match(d)]
        except (ValueError, AttributeError):
            listed = []
    return json.dumps({"days": sorted(set(listed) | set(days))}) + "\n"


def log_key(time: str, pseudonym: str) -> str:
    """``erasure-log/2026-12-06T19-50-00.000Z-u_….json``: sortable by time, no colon in a file name."""
    return f"{ERASURE_LOG_PREFIX}{time.replace(':', '-')}-{pseudonym}.json"


def erasure_record(time: str, erasure: Erasure, removed: dict[str, int], files: Sequence[str], left: int) -> str:
    """One erasure-log record: the pseudonym, never the value."""
    record = {
        "time": time,
        "subject": erasure.pseudonym,
        "days": sorted(removed),
        "files": sorted(files),
        "rows": sum(removed.values()),
        "rowsByDay": dict(sorted(removed.items())),
        "left": left,
    }
    return json.dumps(record) + "\n"


# --- Spark adapter -------------------------------------------------------------------------


def _read_text(spark, uri: str) -> str | None:
    fs, path = job._hadoop_fs(spark, uri)
    if not fs.exists(path):
        return None
    stream = fs.open(path)
    try:
        jvm = spark.sparkContext._jvm
        return jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def _dates(spark, raw_root: str, erasure: Erasure) -> list[str]:
    fs, path = job._hadoop_fs(spark, f"{raw_root}/{job.RAW_PREFIX}/")
    if not fs.exists(path):
        return []
    names = [status.getPath().getName() for status in fs.listStatus(path) if status.isDirectory()]
    return sorted(d for d in map(partition_date, names) if d is not None and erasure.covers(d))


def _matching(erasure: Erasure):
    from pyspark.sql.functions import col  # type: ignore[import-not-found]

    return col(erasure.column).isin(list(erasure.values))


def finish_drafts(spark, partition: str) -> None:
    """Ends what a stopped erase left: a finished draft whose file is gone takes its place; any
    other draft is removed (its file is whole, and is erased again)."""
    fs, path = job._hadoop_fs(spark, partition)
    if not fs.exists(path):
        return
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        if not (status.isDirectory() and name.startswith(DRAFT_PREFIX)):
            continue
        draft, target = status.getPath(), job._hadoop_fs(spark, partition + name[len(DRAFT_PREFIX) :])[1]
        done = fs.exists(draft.suffix("/_SUCCESS"))
        if done and not fs.exists(target):
            parts = [s.getPath() for s in fs.listStatus(draft) if s.getPath().getName().startswith("part-")]
            if len(parts) == 1 and fs.rename(parts[0], target):
                fs.delete(draft, True)
                continue
            raise RuntimeError(f"cannot finish the draft {draft.toString()}")
        fs.delete(draft, True)


def rewrite_without(spark, partition: str, name: str, erasure: Erasure) -> None:
    """The file without the person's clicks: the draft first, then the swap."""
    fs, target = job._hadoop_fs(spark, partition + name)
    draft = partition + DRAFT_PREFIX + name
    frame = spark.read.parquet(partition + name)
    kept = frame.filter(~_matching(erasure) | frame[erasure.column].isNull())
    kept.coalesce(1).write.mode("overwrite").parquet(draft)
    fs.delete(target, False)
    finish_drafts(spark, partition)


def count_matching(spark, partition: str, names: Sequence[str], erasure: Erasure) -> dict[str, int]:
    found: dict[str, int] = {}
    for name in names:
        frame = spark.read.parquet(partition + name)
        rows = frame.filter(_matching(erasure)).count()
        if rows > 0:
            found[name] = rows
    return found


def run_erase(spark, erasure: Erasure, raw_root: str, output_root: str, now: str) -> dict:
    """Rewrites the person's files, marks the days pending, logs the erasure; the log record."""
    found: dict[str, dict[str, int]] = {}
    for date in _dates(spark, raw_root, erasure):
        partition = job.partition_uri(raw_root, date)
        finish_drafts(spark, partition)
        names = [name for name, _ in job._data_files(spark, partition)]
        in_day = count_matching(spark, partition, names, erasure)
        if in_day:
            found[date] = in_day
    pending = f"{output_root}/{PENDING_ERASURE}"
    if found:
        job._write_text(spark, pending, merge_pending(_read_text(spark, pending), list(found)))
    files: list[str] = []
    for date, in_day in found.items():
        partition = job.partition_uri(raw_root, date)
        for name in in_day:
            rewrite_without(spark, partition, name, erasure)
            files.append(f"{job.RAW_PREFIX}/{job.PARTITION_KEY}={date}/{name}")
    left = 0
    for date in _dates(spark, raw_root, erasure):
        partition = job.partition_uri(raw_root, date)
        names = [name for name, _ in job._data_files(spark, partition)]
        left += sum(count_matching(spark, partition, names, erasure).values())
    removed = {date: sum(in_day.values()) for date, in_day in found.items()}
    record = erasure_record(now, erasure, removed, files, left)
    if found or left:
        job._write_text(spark, f"{output_root}/{log_key(now, erasure.pseudonym)}", record)
    if left:
        raise RuntimeError(f"{left} clicks of {erasure.pseudonym} are still in the raw data")
    return json.loads(record)


def main(argv: Sequence[str]) -> int:
    try:
        erasure = parse_erase_args(argv)
    except job.ReportInputError as error:
        print(f"report_job: error: {error}", file=sys.stderr)
        return 2
    from pyspark.sql import SparkSession  # type: ignore[import-not-found]

    spark = SparkSession.builder.appName(f"clicklogger-erase-{erasure.pseudonym}").getOrCreate()
    try:
        root = spark.conf.get(job.STORAGE_ROOT_SETTING, None)
        now = job.iso_millis(int(spark.sparkContext._jvm.System.currentTimeMillis()))
        record = run_erase(
            spark, erasure, job.bucket_root(erasure.raw_bucket, root), job.bucket_root(erasure.output_bucket, root), now
        )
        print(f"report_job: erased {record['rows']} clicks of {erasure.pseudonym} on {len(record['days'])} days")
    except Exception as error:  # the job's one error line; the exit code fails the run
        print(f"report_job: error: {job.error_summary(error)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0
