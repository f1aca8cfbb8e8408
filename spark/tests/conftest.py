import importlib.util
import os
import shutil
import sys

import pytest

# Import the job as EMR runs it: a script beside report.sql.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

IN_CI = os.environ.get("CI") in ("true", "1")


def spark_unavailable() -> str | None:
    """Why the Spark tests cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return (
            "pyspark is not installed: run the tests with the project's environment (npm test, or npm run python-env)"
        )
    java_home = os.environ.get("JAVA_HOME")
    if not (os.path.isfile(os.path.join(java_home, "bin", "java")) if java_home else shutil.which("java")):
        return "java not found: Spark 3.5 needs Java 17 on the PATH or in JAVA_HOME"
    return None


def pytest_collection_modifyitems(config, items):
    """Spark tests fail under CI=true where Spark cannot run; elsewhere they are skipped, loudly."""
    reason = spark_unavailable()
    spark_items = [item for item in items if item.get_closest_marker("spark")]
    if reason is None or not spark_items:
        return
    if IN_CI:
        raise pytest.UsageError(f"the Spark tests must run under CI=true, but {reason}")
    config._spark_skipped = reason
    for item in spark_items:
        item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: needs pyspark and Java (runs the job on local Spark)")


def pytest_terminal_summary(terminalreporter, config):
    reason = getattr(config, "_spark_skipped", None)
    if reason:
        terminalreporter.write_line(
            f"*** SKIPPED the Spark tests: {reason}; they run (and must pass) in CI ***", red=True
        )


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession (pyspark 3.5.2, the Spark of emr-7.5.0) for every Spark test."""
    from pyspark.sql import SparkSession

    # No hsperfdata in /tmp, from the launcher JVM or the driver's (as the CLI's Spark runs).
    os.environ.setdefault("SPARK_LAUNCHER_OPTS", "-XX:-UsePerfData")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("report-job-test")
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
    yield session
    session.stop()
