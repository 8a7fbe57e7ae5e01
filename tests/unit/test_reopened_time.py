"""`reopened` in [response.KIND]: the response time of a case the member reopens by
writing again after the answer (a complaint's stage 2). The clock counts it for the
reopening restart only; an FOI clarification's restart and a pack without the key count
the first time again. Dates counted by hand across St Andrew's Day and Christmas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mailbot.clock import REOPENED_RESTART, ClockEvent, case_deadlines
from mailbot.deadlines import compute
from mailbot.model import Kind, Priority
from mailbot.policy import PolicyError, load_policy

DATA = Path(__file__).resolve().parents[1] / "data"
SCOTTISH = DATA / "pack_scotland_foisa_two_stage_complaints.toml"
RULE = "[response.complaint]\nnormal = 5\nreopened = 20\n"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


MONDAY, WEDNESDAY, THURSDAY = utc(2026, 11, 23, 10), utc(2026, 11, 25, 11), utc(2026, 11, 26, 10)


def answered_then_reopened(why: str = REOPENED_RESTART) -> list[ClockEvent]:
    return [
        ClockEvent("response", "stop", WEDNESDAY, "ali@example.gov.scot", "answered"),
        ClockEvent("response", "restart", THURSDAY, "jo@example.gov.scot", why),
    ]


def _with(tmp_path: Path, new_rule: str) -> Path:
    text = SCOTTISH.read_text(encoding="utf-8")
    assert RULE in text
    path = tmp_path / "strathmore.toml"
    path.write_text(text.replace(RULE, new_rule, 1), encoding="utf-8")
    return path


def test_a_reopened_complaint_counts_the_reopened_time() -> None:
    policy = load_policy(SCOTTISH)
    # Stage 1 from Mon 23 Nov: 5 working days, St Andrew's Day (Mon 30 Nov) skipped.
    first = case_deadlines(policy, Kind.COMPLAINT, Priority.NORMAL, MONDAY)
    assert first.response_due == date(2026, 12, 1)
    # Stage 2 from Thu 26 Nov: 20 working days; skipped St Andrew's Day, 25 and 28 Dec, the
    # closure 29-31 Dec, 1 Jan and Mon 4 Jan (2 January's substitute).
    got = case_deadlines(policy, Kind.COMPLAINT, Priority.IMPORTANT, MONDAY,
                         answered_then_reopened())
    assert (got.response_due, got.response.status, got.response.working_days) == (
        date(2027, 1, 5), "running", 20)


def test_other_restarts_and_other_kinds_count_the_first_time_again() -> None:
    policy = load_policy(SCOTTISH)
    # A restart that is not a reopening (an officer's, say): stage 1's 5 from Thu 26 Nov.
    other = case_deadlines(policy, Kind.COMPLAINT, Priority.NORMAL, MONDAY,
                           answered_then_reopened("clarification received"))
    assert other.response_due == date(2026, 12, 4)
    # An enquiry has no `reopened`: 15 again from Thu 26 Nov, St Andrew's Day skipped.
    enquiry = case_deadlines(policy, Kind.ENQUIRY, Priority.NORMAL, MONDAY,
                             answered_then_reopened())
    assert enquiry.response_due == date(2026, 12, 18)
    # An FOI request's reopening is the statute's 20 on the FOISA calendar (the festive
    # closure counts; 25 and 28 Dec do not).
    foi = case_deadlines(policy, Kind.FOI, Priority.NORMAL, MONDAY, answered_then_reopened())
    assert foi.response_due == date(2026, 12, 29)


def test_a_pack_without_the_key_reopens_with_the_first_time(tmp_path: Path) -> None:
    policy = load_policy(_with(tmp_path, "[response.complaint]\nnormal = 5\n"))
    got = case_deadlines(policy, Kind.COMPLAINT, Priority.NORMAL, MONDAY,
                         answered_then_reopened())
    assert got.response_due == date(2026, 12, 4)
    assert "  Restarted on Thu 26 Nov 2026 by jo@example.gov.scot (the member wrote again " \
        "within the follow-up window): a fresh 5 working days counted from Thu 26 Nov 2026." \
        in got.explanation
    assert "once reopened" not in "\n".join(got.explanation)


def test_mailbot_deadlines_explains_the_reopened_time() -> None:
    answer = compute(load_policy(SCOTTISH), "complaint", "normal", "2026-11-23T10:00:00Z")
    assert answer.response_due == "2026-12-01"
    assert any(line.startswith("Response: 5 working days (") and
               line.endswith("; 20 working days once reopened).") for line in answer.explanation)


@pytest.mark.parametrize(("rule", "message"), [
    ("reopened = 0", "response.complaint.reopened: must be at least 1 working day"),
    ("reopened = true", "response.complaint.reopened: must be a whole number of days, not true"),
    ("reopened = 251", "response.complaint.reopened: must be <= 250"),
    ('reopened = "20 working days"', "response.complaint.reopened: must be a whole number of "
     'working days, such as 10, not "20 working days"'),
    ("reopend = 20", "response.complaint.reopend: unknown key (did you mean 'reopened'?)"),
])
def test_a_bad_reopened_time_is_one_line_naming_the_file_and_key(
    tmp_path: Path, rule: str, message: str
) -> None:
    path = _with(tmp_path, f"[response.complaint]\nnormal = 5\n{rule}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text, text
    assert "\n" not in text
