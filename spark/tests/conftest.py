import importlib.util
import os
import sys

# Import the job as EMR runs it: a script beside report.sql.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

# The Spark adapter test needs pyspark, which only some machines have (see spark/README.md).
# Where it is missing the module is not collected, and the run says so, rather than counting a skip.
collect_ignore = []
if importlib.util.find_spec("pyspark") is None:
    collect_ignore.append("test_report_job_spark.py")


def pytest_terminal_summary(terminalreporter):
    if collect_ignore:
        terminalreporter.write_line("pyspark not installed: test_report_job_spark.py not collected (see spark/README.md)")
