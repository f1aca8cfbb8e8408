"""Runs the report job for many days in one Spark session: the differential test's Spark side
(__tests__/local/engine-parity.test.ts). A test driver, not part of the deployed job.

Usage: python report_days.py <storage root> <raw bucket> <output bucket> <funnels> <date>...
(<funnels>: the spark.clicklogger.funnels value, base64url JSON)
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import report_job as job
import report_visits


def main(argv: list[str]) -> int:
    storage_root, raw_bucket, output_bucket, funnels, *dates = argv
    from pyspark.sql import SparkSession

    # No hsperfdata in /tmp, from the launcher JVM or the driver's (as the CLI's Spark runs).
    os.environ.setdefault("SPARK_LAUNCHER_OPTS", "-XX:-UsePerfData")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("clicklogger-report-days")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-XX:-UsePerfData")
        # Tiny days: 2 shuffle partitions instead of 200 (the result does not depend on it).
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    try:
        sql = job.load_sql()
        raw_root = job.bucket_root(job.validate_bucket(raw_bucket), storage_root)
        output_root = job.bucket_root(job.validate_bucket(output_bucket), storage_root)
        # One query for every day, as a job run for several dates makes.
        days = [job.validate_date(date) for date in dates]
        job.run(spark, days, raw_root, output_root, sql, report_visits.parse_funnels(funnels))
    finally:
        spark.stop()
    print(f"report_days: {len(dates)} days reported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
