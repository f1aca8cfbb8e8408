"""The Spark adapter end to end on a local SparkSession (pyspark 3.5.2, the Spark of emr-7.5.0,
from the project's environment). conftest.py fails these tests under CI=true where Spark
cannot run, and skips them loudly elsewhere."""

import itertools
import json
import os

import pytest
import report_job as job

pytestmark = pytest.mark.spark

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "__tests__", "fixtures", "report")


_request_ids = itertools.count()


def click(caller, component, createdtime):
    """A stored click; each has a request id of its own (the same one again is a duplicate)."""
    return (f"r{next(_request_ids)}", "c", caller, component, "click", "webpage", "GUEST", "APIGWY", createdtime)


def test_run_writes_the_report_and_the_empty_report(spark, tmp_path):
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType()) for n in job.CLICK_COLUMNS])
    raw_root, out_root = f"file://{tmp_path}/raw", f"file://{tmp_path}/out"
    rows = [
        click("OrderingApplication", "checkout", "2023-02-08T10:00:00.000Z"),
        click("OrderingApplication", "checkout", "2023-02-08T11:00:00.000Z"),
        click("Pipe|App", "a\\b", "2023-02-08T12:00:00.000Z"),
        click("OrderingApplication", "login", "2023-02-07T23:00:00.000Z"),  # misfiled: excluded
    ]
    spark.createDataFrame(rows, schema).write.parquet(job.partition_uri(raw_root, "2023-02-08"))

    result = job.run(spark, ["2023-02-08", "2023-02-10"], raw_root, out_root, job.load_sql())
    assert [(r["callerid"], r["component"], r["count"]) for r in result["2023-02-08"]] == [
        ("OrderingApplication", "checkout", 2),
        ("Pipe|App", "a\\b", 1),
    ]
    with open(tmp_path / "out" / "2023" / "02" / "08" / "response.md", encoding="utf-8") as f:
        written = f.read()
    # The counts, then the visits (no funnel here: run() was given none).
    assert written.startswith(job.render_markdown("2023-02-08", result["2023-02-08"]))
    assert "\n## Visits\n" in written and "## Funnel" not in written
    with open(tmp_path / "out" / "2023" / "02" / "08" / "report.json", encoding="utf-8") as f:
        read = json.load(f)["read"]
    assert read["rows"] == 4 and read["files"] >= 1 and len(read["digest"]) == 64

    assert result["2023-02-10"] == []
    with open(tmp_path / "out" / "2023" / "02" / "10" / "report.json", encoding="utf-8") as f:
        assert json.load(f) == {
            "date": "2023-02-10",
            "total": 0,
            "duplicates": 0,
            "rows": [],
            "funnels": [],
            "visits": [],
            "read": {"files": 0, "rows": 0, "newest": None, "digest": job.input_digest([])},
        }


def test_the_storage_root_maps_buckets_to_local_folders(spark, tmp_path):
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType()) for n in job.CLICK_COLUMNS])
    raw_root, out_root = job.bucket_root("raw-bucket", str(tmp_path)), job.bucket_root("out-bucket", str(tmp_path))
    spark.createDataFrame([click("A", "b", "2023-02-08T10:00:00.000Z")], schema).write.parquet(
        job.partition_uri(raw_root, "2023-02-08")
    )
    job.run(spark, ["2023-02-08"], raw_root, out_root, job.load_sql())
    assert (
        (tmp_path / "out-bucket" / "2023" / "02" / "08" / "response.md")
        .read_text(encoding="utf-8")
        .startswith("# Click report for 2023-02-08\n\n1 click in 1 group.")
    )


def test_a_corrupt_parquet_file_fails_the_job_with_one_line_naming_it(spark, tmp_path):
    raw_root = f"file://{tmp_path}/raw"
    partition = tmp_path / "raw" / "clicklog" / "data=2023-02-08"
    partition.mkdir(parents=True)
    (partition / "corrupt.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(Exception) as failure:
        job.run(spark, ["2023-02-08"], raw_root, f"file://{tmp_path}/out", job.load_sql())
    summary = job.error_summary(failure.value)
    assert "\n" not in summary
    assert "corrupt.parquet is not a Parquet file" in summary


def _write_clicks(spark, raw_root, date, rows):
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType()) for n in job.CLICK_COLUMNS])
    spark.createDataFrame(rows, schema).write.mode("append").parquet(job.partition_uri(raw_root, date))


def test_the_last_date_9999_12_31_is_counted(spark, tmp_path):
    raw_root, out_root = f"file://{tmp_path}/raw", f"file://{tmp_path}/out"
    _write_clicks(spark, raw_root, "9999-12-31", [click("App", "login", "9999-12-31T23:59:59.999Z")])

    result = job.run(spark, ["9999-12-31"], raw_root, out_root, job.load_sql())

    assert [(r["component"], r["count"]) for r in result["9999-12-31"]] == [("login", 1)]


def test_a_tie_on_the_same_millisecond_goes_to_the_smallest_component(spark, tmp_path):
    raw_root, out_root = f"file://{tmp_path}/raw", f"file://{tmp_path}/out"
    stamp = "2023-02-08T10:00:00.000Z"
    copies = [
        ("same", "c", "App", component, "click", "webpage", "GUEST", "APIGWY", stamp)
        for component in ("products", "checkout")
    ]
    # Each copy in a file of its own, in either order: the engine's read order must not matter.
    for copy in copies:
        _write_clicks(spark, raw_root, "2023-02-08", [copy])

    result = job.run(spark, ["2023-02-08"], raw_root, out_root, job.load_sql())

    assert [(r["component"], r["count"], r["duplicates"]) for r in result["2023-02-08"]] == [("checkout", 1, 1)]


def test_report_json_is_written_last_so_a_failed_write_leaves_the_day_unfinished(spark, tmp_path, monkeypatch):
    raw_root, out_root = f"file://{tmp_path}/raw", f"file://{tmp_path}/out"
    _write_clicks(spark, raw_root, "2023-02-08", [click("App", "login", "2023-02-08T10:00:00.000Z")])
    write_text = job._write_text

    def failing_html(session, uri, text):
        if uri.endswith(job.REPORT_HTML):
            raise OSError("the disk is full")
        write_text(session, uri, text)

    monkeypatch.setattr(job, "_write_text", failing_html)

    with pytest.raises(OSError, match="the disk is full"):
        job.run(spark, ["2023-02-08"], raw_root, out_root, job.load_sql())

    day = tmp_path / "out" / "2023" / "02" / "08"
    assert not (day / job.REPORT_JSON).exists()


def test_a_hash_collision_changes_no_count(spark, tmp_path):
    # Re-deliveries (the same request id, stamped later, under the same caller) among clicks
    # delivered once. Hashes of one and of two values send every click, or about half of them,
    # down day_clicks.sql's exact path, and must give the report xxhash64 gives.
    raw_root = f"file://{tmp_path}/raw"
    rows = [
        click(f"App{i % 3}", ("login", "cart", "checkout")[i % 3], f"2023-02-08T10:00:{i:02d}.000Z") for i in range(40)
    ]
    again = [(*r[:3], "later", *r[4:8], "2023-02-08T11:00:00.000Z") for r in rows[::4]]
    _write_clicks(spark, raw_root, "2023-02-08", rows + again)

    def report(click_key_hash):
        sql = job.load_sql(click_key_hash=click_key_hash)
        out_root = f"file://{tmp_path}/out-{len(click_key_hash)}"
        return job.run(spark, ["2023-02-08"], raw_root, out_root, sql)["2023-02-08"]

    expected = report(job.SPARK_CLICK_KEY_HASH)
    assert sum(r["count"] for r in expected) == 40 and sum(r["duplicates"] for r in expected) == 10
    assert report("(xxhash64({}) * 0)") == expected
    assert report("(xxhash64({}) % 2)") == expected
