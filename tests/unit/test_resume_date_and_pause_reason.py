"""RESUME with the day the wait ended ("RESUME 23/11/2026 fee received"), read as EXTEND
reads its dates; and who an enquiry's or complaint's PAUSE waits for, read from its
reason's words as foi_pause reads an FOI request's."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.commands import Command, Unparsed, parse_command
from mailbot.pause_reason import waits_for


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RESUME", Command("RESUME")),
        ("RESUME 23/11/2026 fee received",
         Command("RESUME", new_date=date(2026, 11, 23), reason="fee received")),
        ('RESUME 2026-11-23 "fee received"',
         Command("RESUME", new_date=date(2026, 11, 23), reason="fee received")),
        ("Resume 23rd November 2026: the fee came on Monday",
         Command("RESUME", new_date=date(2026, 11, 23), reason="the fee came on Monday")),
        ("RESUME on 23/11/2026", Command("RESUME", new_date=date(2026, 11, 23))),
        ("RESUME from 23 Nov 2026", Command("RESUME", new_date=date(2026, 11, 23))),
        ('RESUME "holding reply"', Command("RESUME", reason="holding reply")),
        ("RESUME 5 photos came in", Command("RESUME", reason="5 photos came in")),
        ("RESUME MB-2026-00002", Command("RESUME", refs=("MB-2026-00002",))),
        ("MB-2026-00002 RESUME 23/11/2026",
         Command("RESUME", new_date=date(2026, 11, 23), refs=("MB-2026-00002",))),
    ],
)
def test_resume_reads_an_optional_date(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["RESUME 23/11 fee received", "RESUME 23 November",
                                  "RESUME 31/02/2026", "RESUME 23/11/2207"])
def test_resume_with_a_date_it_cannot_read_is_not_guessed(text: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, Unparsed)
    assert "RESUME" in str(parsed.problem)


def test_a_resume_date_is_described_for_the_timeline() -> None:
    command = Command("RESUME", new_date=date(2026, 11, 23), reason="fee received")
    assert command.describe() == 'RESUME 2026-11-23 "fee received"'


@pytest.mark.parametrize(("why", "whom"), [
    ("waiting for the member", "member"),
    ("waiting for the member: which end of the road", "member"),
    ("asked the member which lamp", "member"),
    ("waiting for Cllr Bloggs", "member"),
    ("waiting for clarification", "member"),
    ("waiting for the photos", "member"),
    ("waiting for a photo", "member"),
    ("waiting for the member to send photos", "member"),
    ("need their consent", "member"),
    ("asked for the exact address", "member"),
    ("more information needed", "member"),
    ("aros am yr aelod", "member"),
    ("aros am eglurhad", "member"),
    ("waiting for Highways to inspect", "other"),
    ("waiting for the contractor", "other"),
    ("waiting on the contractor survey", "other"),
    ("waiting for the survey", "other"),
    ("checking with legal", "other"),
    ("photos from the contractor", "other"),
    ("waiting for a reply from Network Rail", "other"),
    ("aros i'r contractwr archwilio", "other"),
    ("reason", "unclear"),
    ("waiting", "unclear"),
    ("on hold for now", "unclear"),
    ("asked the member; Highways to inspect too", "unclear"),
])
def test_who_a_pause_waits_for(why: str, whom: str) -> None:
    assert waits_for(why) == whom
