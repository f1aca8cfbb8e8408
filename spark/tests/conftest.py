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
    from local_session import local_session

    session = local_session("local[1]", "report-job-test")
    yield session
    session.stop()
