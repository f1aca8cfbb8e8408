"""The local SparkSession of the Spark tests and of the differential test's driver (report_days.py)."""

from __future__ import annotations

import os


def local_session(master: str, app_name: str):
    """A local SparkSession (pyspark 3.5.2, the Spark of emr-7.5.0), set up for tiny test days."""
    from pyspark.sql import SparkSession

    # No hsperfdata in /tmp, from the launcher JVM or the driver's (as the CLI's Spark runs).
    os.environ.setdefault("SPARK_LAUNCHER_OPTS", "-XX:-UsePerfData")
    session = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", "-XX:-UsePerfData")
        # Tiny days: 2 shuffle partitions instead of 200 (no result depends on it).
        .config("spark.sql.shuffle.partitions", "2")
        # The raw local file system: no .crc files beside what the job writes, as in a bucket.
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    return session
