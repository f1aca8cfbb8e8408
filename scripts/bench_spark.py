"""`npm run bench`'s Spark side: the report job's query on local Spark (local[2]) over a raw
folder, timed inside one session. Prints one JSON line.

Usage: spark-submit scripts/bench_spark.py <storage root> <raw bucket> <date> <runs>
Run it under spark-submit, so that the JVM is this process's parent and its peak RSS is read.
"""

import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spark"))

import report_job as job


def peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def main(storage_root: str, raw_bucket: str, date: str, runs: str) -> None:
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = SparkSession.builder.appName("clicklogger-bench").getOrCreate()
    session_s = time.perf_counter() - started
    sql = job.load_sql()
    # As the job sets it: the persisted clicks coalesce like any shuffle.
    spark.conf.set("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true")
    raw_root = job.bucket_root(raw_bucket, storage_root)
    times, count = [], 0
    for _ in range(int(runs)):
        t = time.perf_counter()
        clicks, _ = job.read_clicks(spark, raw_root, [date])
        clicks.createOrReplaceTempView("clicks")
        # What the DuckDB peer's queryReport runs: each click once, the counts, the visit queries.
        day = spark.sql(sql[job.DAY_CLICKS_SQL]).persist()
        day.createOrReplaceTempView("day_clicks")
        count = sum(row["count"] for row in spark.sql(sql[job.SQL_FILE]).collect())
        for name in ("visits.sql", "visit_paths.sql"):
            spark.sql(sql[name]).collect()
        day.unpersist()
        times.append(time.perf_counter() - t)
    jvm = spark.sparkContext._jvm.System
    runtime = f"{jvm.getProperty('java.vm.name')} {jvm.getProperty('java.runtime.version')}"
    jvm_kib = peak_rss_kib(os.getppid())
    python_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    spark.stop()
    print(
        json.dumps(
            {
                "session_s": session_s,
                "query_s": statistics.median(times),
                "first_query_s": times[0],
                "clicks": count,
                "peak_rss_mib": (jvm_kib + python_kib) / 1024,
                "spark": spark.version,
                "jvm": runtime,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
