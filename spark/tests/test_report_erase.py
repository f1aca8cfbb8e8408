"""The erase mode's pure parts: its arguments, the pending days, the log record."""

import json

import pytest
import report_erase as erase
import report_job as job

PSEUDONYM = "u_" + "a" * 26
CONTEXT = "c_" + "b" * 26


def args(*overrides):
    base = ["erase", "user", PSEUDONYM, "alice@example.com", "-", "-", "raw-bucket", "out-bucket"]
    for index, value in overrides:
        base[index] = value
    return base


def test_a_user_is_matched_as_its_pseudonym_and_as_sent():
    erasure = erase.parse_erase_args(args())
    assert erasure.column == "user" and erasure.values == (PSEUDONYM, "alice@example.com")
    assert erasure.first is None and erasure.last is None


def test_the_pseudonym_again_matches_the_pseudonym_only():
    assert erase.parse_erase_args(args((3, PSEUDONYM))).values == (PSEUDONYM,)


def test_a_context_id_is_matched_as_sent():
    erasure = erase.parse_erase_args(args((1, "contextid"), (2, CONTEXT), (3, "ctx-1")))
    assert erasure.values == ("ctx-1",)


def test_the_range_bounds_the_days():
    erasure = erase.parse_erase_args(args((4, "2023-02-07"), (5, "2023-02-08")))
    assert [d for d in ["2023-02-06", "2023-02-07", "2023-02-08", "2023-02-09"] if erasure.covers(d)] == [
        "2023-02-07",
        "2023-02-08",
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ([(1, "callerid")], "invalid column"),
        ([(2, "u_short")], "invalid pseudonym"),
        ([(2, CONTEXT)], "invalid pseudonym"),
        ([(3, "")], "invalid user value"),
        ([(3, "x" * 257)], "invalid user value"),
        ([(4, "2023-02-30")], "no such day"),
        ([(4, "2023-02-09"), (5, "2023-02-08")], "after it ends"),
        ([(6, "Raw_Bucket")], "invalid bucket"),
        ([(7, "out/../x")], "invalid bucket"),
    ],
)
def test_refuses_bad_arguments(overrides, message):
    with pytest.raises(job.ReportInputError, match=message):
        erase.parse_erase_args(args(*overrides))


def test_refuses_a_wrong_count():
    with pytest.raises(job.ReportInputError, match="usage"):
        erase.parse_erase_args(args()[:-1])


def test_main_exits_2_on_a_bad_argument_before_starting_spark(capsys):
    assert job.main(args((1, "callerid"))) == 2
    assert "report_job: error: invalid column" in capsys.readouterr().err


def test_partition_names():
    assert erase.partition_date("data=2023-02-08") == "2023-02-08"
    assert erase.partition_date("data=2023-02-08x") is None
    assert erase.partition_date(".erasing-data=2023-02-08") is None


def test_pending_days_are_merged_and_a_broken_file_is_replaced():
    assert json.loads(erase.merge_pending(None, ["2023-02-08"])) == {"days": ["2023-02-08"]}
    merged = erase.merge_pending('{"days": ["2023-02-09", "junk"]}', ["2023-02-08", "2023-02-09"])
    assert json.loads(merged) == {"days": ["2023-02-08", "2023-02-09"]}
    assert json.loads(erase.merge_pending("not json", ["2023-02-08"])) == {"days": ["2023-02-08"]}


def test_the_log_record_names_the_pseudonym_never_the_value():
    erasure = erase.parse_erase_args(args())
    record = erase.erasure_record(
        "2026-12-06T19:50:00.000Z", erasure, {"2023-02-08": 2, "2023-02-07": 1}, ["clicklog/b", "clicklog/a"], 0
    )
    assert json.loads(record) == {
        "time": "2026-12-06T19:50:00.000Z",
        "subject": PSEUDONYM,
        "days": ["2023-02-07", "2023-02-08"],
        "files": ["clicklog/a", "clicklog/b"],
        "rows": 3,
        "rowsByDay": {"2023-02-07": 1, "2023-02-08": 2},
        "left": 0,
    }
    assert "alice" not in record
    key = erase.log_key("2026-12-06T19:50:00.000Z", PSEUDONYM)
    assert key == f"erasure-log/2026-12-06T19-50-00.000Z-{PSEUDONYM}.json"
