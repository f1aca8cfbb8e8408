"""The erase mode on a local SparkSession: the rewrite, the drafts a stop leaves, the proof."""

import json
import os

import pytest
import report_erase as erase
import report_job as job

pytestmark = pytest.mark.spark

PSEUDONYM = "u_" + "a" * 26


def click(n, user, date):
    return (f"r{n}", f"ctx{n}", "App", "button", "click", "webpage", user, "203.0.113.0", f"{date}T10:00:00.000Z")


def write_file(spark, raw_root, date, rows):
    """One Parquet file, named as Firehose names its files."""
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType()) for n in job.CLICK_COLUMNS])
    staging = f"{raw_root}/staging-{date}"
    spark.createDataFrame(rows, schema).coalesce(1).write.mode("overwrite").parquet(staging)
    part = next(name for name in os.listdir(staging[len("file://") :]) if name.startswith("part-"))
    partition = job.partition_uri(raw_root, date)[len("file://") :]
    os.makedirs(partition, exist_ok=True)
    name = f"stream-{date}-{len(os.listdir(partition))}.parquet"
    os.rename(os.path.join(staging[len("file://") :], part), os.path.join(partition, name))
    return name


def stored(spark, raw_root):
    rows = spark.read.parquet(f"{raw_root}/{job.RAW_PREFIX}/").collect()
    return sorted((r["requestid"], r["user"]) for r in rows)


def test_erase_rewrites_only_the_files_that_hold_the_person(spark, tmp_path):
    raw_root, out_root = f"file://{tmp_path}/raw", f"file://{tmp_path}/out"
    write_file(spark, raw_root, "2023-02-07", [click(1, PSEUDONYM, "2023-02-07"), click(2, "GUEST", "2023-02-07")])
    untouched = write_file(spark, raw_root, "2023-02-08", [click(3, "u_" + "b" * 26, "2023-02-08")])
    write_file(spark, raw_root, "2023-02-08", [click(4, "alice@example.com", "2023-02-08")])
    before = os.stat(tmp_path / "raw" / "clicklog" / "data=2023-02-08" / untouched).st_mtime_ns
    erasure = erase.parse_erase_args(["erase", "user", PSEUDONYM, "alice@example.com", "-", "-", "raw", "out"])

    record = erase.run_erase(spark, erasure, raw_root, out_root, "2026-12-06T19:50:00.000Z")

    assert stored(spark, raw_root) == [("r2", "GUEST"), ("r3", "u_" + "b" * 26)]
    assert record["rowsByDay"] == {"2023-02-07": 1, "2023-02-08": 1} and record["left"] == 0
    assert os.stat(tmp_path / "raw" / "clicklog" / "data=2023-02-08" / untouched).st_mtime_ns == before
    assert json.loads((tmp_path / "out" / erase.PENDING_ERASURE).read_text()) == {"days": ["2023-02-07", "2023-02-08"]}
    logged = json.loads((tmp_path / "out" / erase.log_key("2026-12-06T19:50:00.000Z", PSEUDONYM)).read_text())
    assert logged["subject"] == PSEUDONYM and logged["rows"] == 2
    assert not [p for p in (tmp_path / "raw").rglob("*") if erase.DRAFT_PREFIX in p.name]


def test_a_file_left_without_its_draft_finished_is_taken_from_the_draft(spark, tmp_path):
    """A stop after the old file was removed and before the draft moved in: the next erase moves it."""
    raw_root = f"file://{tmp_path}/raw"
    name = write_file(spark, raw_root, "2023-02-08", [click(1, "GUEST", "2023-02-08")])
    partition = job.partition_uri(raw_root, "2023-02-08")
    spark.read.parquet(partition + name).coalesce(1).write.parquet(partition + erase.DRAFT_PREFIX + name)
    os.remove(tmp_path / "raw" / "clicklog" / "data=2023-02-08" / name)

    erase.finish_drafts(spark, partition)

    assert stored(spark, raw_root) == [("r1", "GUEST")]
    assert sorted(os.listdir(tmp_path / "raw" / "clicklog" / "data=2023-02-08")) == [name]


def test_an_unfinished_draft_beside_its_whole_file_is_removed(spark, tmp_path):
    raw_root = f"file://{tmp_path}/raw"
    name = write_file(spark, raw_root, "2023-02-08", [click(1, PSEUDONYM, "2023-02-08")])
    draft = tmp_path / "raw" / "clicklog" / "data=2023-02-08" / (erase.DRAFT_PREFIX + name)
    draft.mkdir()
    (draft / "part-00000.parquet").write_bytes(b"half a file")

    erase.finish_drafts(spark, job.partition_uri(raw_root, "2023-02-08"))

    assert sorted(os.listdir(tmp_path / "raw" / "clicklog" / "data=2023-02-08")) == [name]
    assert stored(spark, raw_root) == [("r1", PSEUDONYM)]
