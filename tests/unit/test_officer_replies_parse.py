"""How officers really type a command, read by parse_command (pure: no database)."""

from __future__ import annotations

import pytest

from mailbot.commands.parse import (
    Command,
    Unparsed,
    later_commands,
    parse_command,
    subject_command,
)
from mailbot.flowed import unflow


@pytest.mark.parametrize("line", ["“Done”", '"DONE"', "'done'", "“Done” – I rang Cllr Bloggs"])
def test_a_command_word_in_quote_marks_is_read(line: str) -> None:
    # Outlook curls the quotes an officer types round a word (seen as windows-1252 =93/=94).
    parsed = parse_command(line)
    assert isinstance(parsed, Command) and parsed.verb == "DONE"


@pytest.mark.parametrize(("line", "verb", "reason"), [
    ("Done—left a voicemail for Cllr Bloggs", "DONE", "left a voicemail for Cllr Bloggs"),
    ("Done-phoned", "DONE", "phoned"),
    ("HELP?", "HELP", ""),
])
def test_a_command_word_run_on_into_punctuation_is_read(line: str, verb: str, reason: str) -> None:
    assert parse_command(line) == Command(verb, reason=reason)


@pytest.mark.parametrize("line", ["Doneness is relative", "Done's the word", "Completed"])
def test_a_word_merely_starting_like_a_command_is_not_one(line: str) -> None:
    assert isinstance(parse_command(line), Unparsed)


@pytest.mark.parametrize(("line", "refs", "reason"), [
    ("DONE MB-2026-00002", ("MB-2026-00002",), ""),
    ("MB-2026-00002 DONE", ("MB-2026-00002",), ""),
    ("[MB-2026-00002] - done", ("MB-2026-00002",), ""),
    ("DONE MB-2026-00002 - phoned the councillor", ("MB-2026-00002",), "phoned the councillor"),
    ("MB-2026-00002 and MB-2026-00003 - done", ("MB-2026-00002", "MB-2026-00003"), ""),
    ("Done for MB-2026-00002, MB-2026-00003", ("MB-2026-00002", "MB-2026-00003"), ""),
])
def test_case_references_on_the_command_line_are_read(
    line: str, refs: tuple[str, ...], reason: str
) -> None:
    assert parse_command(line) == Command("DONE", reason=reason, refs=refs)


def test_a_reference_before_extend_is_read_and_the_reason_kept() -> None:
    assert parse_command('MB-2026-00002: EXTEND 5 "survey booked"') == Command(
        "EXTEND", days=5, reason="survey booked", refs=("MB-2026-00002",)
    )


def test_a_flowed_paragraph_is_joined_and_a_hard_break_kept() -> None:
    text = "EXTEND 5 waiting for the survey, which is \nbooked for next week\nSam\n-- \nSam"
    assert unflow(text) == (
        "EXTEND 5 waiting for the survey, which is booked for next week\nSam\n-- \nSam"
    )
    assert unflow("> quoted and \n> carried on\nnot quoted") == (
        "> quoted and carried on\nnot quoted"
    )
    assert unflow("one \ntwo", delete_space=True) == "onetwo"


@pytest.mark.parametrize(("subject", "verb"), [
    ("DONE RE: Enquiry from Cllr Jo Bloggs: Pothole on Castle Road [MB-2026-00001]", "DONE"),
    ("RE: Enquiry from Cllr Jo Bloggs: Pothole on Castle Road [MB-2026-00001] - done", "DONE"),
    ("Resume: RE: Reminder: Pothole on Castle Road [MB-2026-00001]", "RESUME"),
    # Only a word with nothing after it: what follows a command in a subject is our subject.
    ("EXTEND 5 RE: Enquiry from Cllr Jo Bloggs: Pothole [MB-2026-00001]", None),
    ("RE: Enquiry from Cllr Jo Bloggs: Done nothing about it [MB-2026-00001]", None),
    ("RE: Enquiry from Cllr Jo Bloggs: Pothole [MB-2026-00001] done, thanks", None),
])
def test_a_bare_command_is_read_from_a_reply_subject(subject: str, verb: str | None) -> None:
    found = subject_command(subject)
    assert (found.verb if found else None) == verb


@pytest.mark.parametrize(("text", "later"), [
    ('MB-2026-00002 DONE\nMB-2026-00003 EXTEND 5 "survey"\nThanks\nSam\nMB-2026-00004 DONE',
     ['MB-2026-00003 EXTEND 5 "survey"']),
    ("Hi,\n\nDONE MB-2026-00002\nDONE MB-2026-00003\n\nFrom: Member Enquiries\nSent: today\n"
     "To: Sam\nSubject: DONE MB-2026-00004", ["DONE MB-2026-00003"]),
    # A reason mentioning a case, or a line that is no command, is not a further command.
    ("DONE\nphoned the councillor about MB-2026-00003", []),
])
def test_later_lines_naming_a_case_are_found(text: str, later: list[str]) -> None:
    assert later_commands(text) == later
