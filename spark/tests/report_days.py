"""Runs the report job for many days in one Spark session: the differential test's Spark side
(__tests__/local/engine-parity.test.ts). A test driver, not part of the deployed job.

Usage: python report_days.py <storage root> <raw bucket> <output bucket> <funnels> <rows per caller> <date>...
(<funnels>: the spark.clicklogger.funnels value, base64url JSON)
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import report_job as job
import report_visits
from local_session import local_session


def main(argv: list[str]) -> int:
    storage_root, raw_bucket, output_bucket, funnels, rows_per_caller, *dates = argv
    spark = local_session("local[2]", "clicklogger-report-days")
    try:
        sql = job.load_sql()
        raw_root = job.bucket_root(job.validate_bucket(raw_bucket), storage_root)
        output_root = job.bucket_root(job.validate_bucket(output_bucket), storage_root)
        # One query for every day, as a job run for several dates makes.
        days = [job.validate_date(date) for date in dates]
        funnel_list = report_visits.parse_funnels(funnels)
        job.run(spark, days, raw_root, output_root, sql, funnel_list, job.parse_rows_per_caller(rows_per_caller))
    finally:
        spark.stop()
    print(f"report_days: {len(dates)} days reported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
