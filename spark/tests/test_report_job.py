"""Pure functions of the Spark job; no pyspark needed."""

import hashlib
import json
import os
import re

import pytest
import report_job as job
import report_page

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "__tests__", "fixtures", "report")
EXPECTED_DATES = sorted(os.listdir(os.path.join(FIXTURES, "expected")))


def read_expected(date: str, name: str) -> str:
    with open(os.path.join(FIXTURES, "expected", date, name), encoding="utf-8", newline="") as f:
        return f.read()


@pytest.mark.parametrize("value", ["2023-02-08", "2024-02-29", "1999-12-31"])
def test_accepts_real_dates(value):
    assert job.validate_date(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-*",
        "2023-02-0?",
        "2023-02-[01]8",
        "{2023,2024}-02-08",
        "2023-02-08\\",
        "2023-02-30",
        "2023-2-8",
        "../2023-02-08",
        "",
        None,
        20230208,
    ],
)
def test_rejects_globs_and_impossible_dates(value):
    with pytest.raises(job.ReportInputError, match="invalid report date"):
        job.validate_date(value)


@pytest.mark.parametrize("value", ["my-bucket", "us-east-1-clicklogger-dev-firehose-delivery-123456789012"])
def test_accepts_bucket_names(value):
    assert job.validate_bucket(value) == value


@pytest.mark.parametrize("value", ["Bucket", "b*", "a", "bucket/../other", "bucket..x", "s3://bucket", ""])
def test_rejects_bad_bucket_names(value):
    with pytest.raises(job.ReportInputError, match="invalid bucket name"):
        job.validate_bucket(value)


def test_parse_args_takes_dates_raw_and_output():
    assert job.parse_args(["2023-02-08", "raw-b", "out-b"]) == (["2023-02-08"], "raw-b", "out-b")


def test_parse_args_takes_several_dates_sorted_without_repeats():
    dates = job.parse_args(["2023-02-09,2023-02-07,2023-02-09", "raw-b", "out-b"])[0]
    assert dates == ["2023-02-07", "2023-02-09"]


@pytest.mark.parametrize("value", ["2023-02-08,", ",2023-02-08", "2023-02-08,2023-02-*", ""])
def test_parse_args_refuses_a_bad_date_among_several(value):
    with pytest.raises(job.ReportInputError, match="invalid report date"):
        job.parse_args([value, "raw-b", "out-b"])


def test_input_digest_is_the_sha256_of_the_sorted_names():
    assert job.input_digest(["b.parquet", "a.parquet"]) == hashlib.sha256(b"a.parquet\nb.parquet").hexdigest()
    assert job.input_digest([]) == hashlib.sha256(b"").hexdigest()


def test_iso_millis_writes_what_javascript_writes():
    assert job.iso_millis(1675850400123) == "2023-02-08T10:00:00.123Z"
    assert job.iso_millis(None) is None


def test_parse_args_wants_three_arguments():
    with pytest.raises(job.ReportInputError, match="usage"):
        job.parse_args(["2023-02-08"])


def test_main_exits_2_on_a_bad_argument_before_starting_spark(capsys):
    assert job.main(["2023-02-*", "raw-b", "out-b"]) == 2
    assert "invalid report date" in capsys.readouterr().err


def test_paths_follow_the_partition_and_output_layout():
    assert job.partition_uri(job.bucket_root("raw"), "2023-02-08") == "s3://raw/clicklog/data=2023-02-08/"
    assert job.output_prefix(job.bucket_root("out"), "2023-02-08") == "s3://out/2023/02/08/"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("a\\b", "a\\\\b"),
        ("\\|", "\\\\\\|"),
        ("one\ntwo", "one two"),
        ("one\r\ntwo", "one two"),
        ("one\rtwo", "one two"),
        ("tab\tstays", "tab\tstays"),
        ("日本 🛒", "日本 🛒"),
        (None, ""),
    ],
)
def test_escape_cell(value, escaped):
    assert job.escape_cell(value) == escaped


def test_empty_day_keeps_the_header_and_says_so():
    md = job.render_markdown("2023-02-10", [])
    assert "No clicks on 2023-02-10." in md
    assert md.endswith("| createdTime | callerid | component | count |\n| --- | --- | --- | --- |\n")


def test_golden_fixtures_cover_an_empty_day_and_neighbours():
    assert EXPECTED_DATES == ["2023-02-07", "2023-02-08", "2023-02-09", "2023-02-10"]


@pytest.mark.parametrize("date", EXPECTED_DATES)
def test_renders_the_golden_response_md_from_its_rows(date):
    report = json.loads(read_expected(date, "report.json"))
    assert job.render_markdown(date, report["rows"], report) == read_expected(date, "response.md")


@pytest.mark.parametrize("date", EXPECTED_DATES)
def test_renders_the_golden_report_html_from_its_rows(date):
    report = json.loads(read_expected(date, "report.json"))
    day = {"date": date, "rows": report["rows"], "funnels": report["funnels"]}
    assert report_page.render_html([day]) == read_expected(date, "report.html")


def comparable(report_json: str) -> str:
    """report.json without what depends on the run (see __tests__/support/report-fixtures.ts)."""
    return re.sub(
        r'"read":\{"files":\d+,"rows":(\d+),"newest":(?:null|"[^"]*"),"digest":"[0-9a-f]{64}"\}',
        r'"read":{"rows":\1}',
        report_json,
    )


@pytest.mark.parametrize("date", EXPECTED_DATES)
def test_renders_the_golden_report_json_from_its_rows(date):
    expected = json.loads(read_expected(date, "report.json"))
    read = {"files": 2, "rows": expected["read"]["rows"], "newest": "2023-02-09T00:05:00.000Z", "digest": "d" * 64}
    rendered = job.render_json(date, expected["rows"], read, expected)
    assert comparable(rendered) == read_expected(date, "report.json")


def test_says_how_many_duplicate_deliveries_were_not_counted():
    rows = [{"createdTime": "2023-02-08", "callerid": "a", "component": "b", "count": 5, "duplicates": 3}]
    assert job.summary_line("2023-02-08", rows) == "5 clicks in 1 group; 3 duplicate deliveries not counted."
    rows[0]["duplicates"] = 1
    assert job.summary_line("2023-02-08", rows) == "5 clicks in 1 group; 1 duplicate delivery not counted."


def test_load_sql_finds_report_sql_beside_the_script():
    sql = job.load_sql()
    assert list(sql) == list(job.SQL_FILES)
    assert "FROM clicks" in sql["day_clicks.sql"] and "FROM day_clicks" in sql["report.sql"]
    # The dates reach the SQL as data (the view's report_date), never as text.
    assert all(":" not in line.split("--")[0] for text in sql.values() for line in text.splitlines())


def test_click_columns_are_the_glue_columns():
    # The jest contract test compares this tuple with the TypeScript schema; here, its shape.
    assert len(job.CLICK_COLUMNS) == len(set(job.CLICK_COLUMNS)) == 9
    assert job.CLICK_COLUMNS[-1] == "createdtime"


@pytest.mark.parametrize("root", ["/tmp/out", "file:///tmp/out", "/tmp/out/"])
def test_a_storage_root_maps_a_bucket_to_a_local_folder(root):
    assert job.bucket_root("raw", root) == "file:///tmp/out/raw"


@pytest.mark.parametrize(
    "root", ["relative/out", "/tmp/*", "/tmp/a[1]", "/tmp/{a,b}", "/tmp/a?", "/tmp/../etc", "/", "s3://x"]
)
def test_a_storage_root_with_globs_or_escapes_is_refused(root):
    with pytest.raises(job.ReportInputError, match="storageRoot"):
        job.bucket_root("raw", root)


def test_without_a_storage_root_the_job_reads_and_writes_s3():
    assert job.bucket_root("raw") == "s3://raw"


def test_the_error_summary_of_a_python_error_is_one_line():
    assert job.error_summary(ValueError("bad\nthings  here")) == "ValueError: bad"


def test_lists_at_most_so_many_rows_a_caller_as_the_typescript_renderer_does():
    # The same rows and the same bytes as __tests__/report/markdown.test.ts.
    def row(caller, component, count):
        return {
            "createdTime": "2023-02-08",
            "callerid": caller,
            "component": component,
            "count": count,
            "duplicates": 0,
        }

    rows = [row("A", "a", 1), row("A", "b", 5), row("A", "c", 9), row("A", "d", 5), row("B", "x", 2)]
    rows += [row("C|D", "p", 1), row("C|D", "q", 1), row("C|D", "r", 1)]
    assert job.render_markdown("2023-02-08", rows, None, 2) == "\n".join(
        [
            "# Click report for 2023-02-08",
            "",
            "25 clicks in 8 groups.",
            "",
            "| createdTime | callerid | component | count |",
            "| --- | --- | --- | --- |",
            "| 2023-02-08 | A | b | 5 |",
            "| 2023-02-08 | A | c | 9 |",
            "| 2023-02-08 | B | x | 2 |",
            "| 2023-02-08 | C\\|D | p | 1 |",
            "| 2023-02-08 | C\\|D | q | 1 |",
            "",
            "Listed: at most 2 rows a caller, those with the most clicks; report.json has every row. "
            "Not listed: A, 2 rows (6 clicks); C\\|D, 1 row (1 click).",
            "",
        ]
    )
    assert "Listed:" not in job.render_markdown("2023-02-08", rows, None, 4)


def test_refuses_a_rows_per_caller_setting_that_is_not_a_whole_number():
    assert job.parse_rows_per_caller(None) == 100 and job.parse_rows_per_caller("7") == 7
    for bad in ("0", "-1", "ten"):
        with pytest.raises(job.ReportInputError, match=r"spark\.clicklogger\.rowsPerCaller"):
            job.parse_rows_per_caller(bad)
