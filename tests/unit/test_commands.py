"""Parsing reply commands: the first line of the new text, never the quoted history."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.commands import Command, Unparsed, new_text, parse_command
from mailbot.languages import welsh_of

OUTLOOK_QUOTE = (
    "\r\n\r\n________________________________\r\n"
    "From: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
    "Sent: 25 November 2026 12:00\r\n"
    "Subject: Enquiry from Cllr Jo Bloggs [MB-2026-00001]\r\n\r\n"
    "Reply to this email with one of these commands as the first line:\r\n"
    "    DONE                   the member has had their answer\r\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DONE" + OUTLOOK_QUOTE, Command("DONE")),
        ("done." + OUTLOOK_QUOTE, Command("DONE")),
        ("**Done**\n\nSam", Command("DONE", reason="")),
        (
            'EXTEND 5 "waiting for the contractor\'s survey"',
            Command("EXTEND", days=5, reason="waiting for the contractor's survey"),
        ),
        (
            "Extend 3 working days “survey booked for Monday”",
            Command("EXTEND", days=3, reason="survey booked for Monday"),
        ),
        (
            "EXTEND 2026-12-18 'the survey'",
            Command("EXTEND", new_date=date(2026, 12, 18), reason="the survey"),
        ),
        (
            "EXTEND 18/12/2026 the survey",
            Command("EXTEND", new_date=date(2026, 12, 18), reason="the survey"),
        ),
        (
            'EXTEND 5 "the contractor\ncannot come until next week"',
            Command("EXTEND", days=5, reason="the contractor cannot come until next week"),
        ),
        (
            "REASSIGN Lee.Wong@wiltshire.gov.uk",
            Command("REASSIGN", address="lee.wong@wiltshire.gov.uk"),
        ),
        (
            "REASSIGN <lee.wong@wiltshire.gov.uk> on leave",
            Command("REASSIGN", address="lee.wong@wiltshire.gov.uk", reason="on leave"),
        ),
        ('PAUSE "waiting for clarification"', Command("PAUSE", reason="waiting for clarification")),
        ("RESUME", Command("RESUME")),
        ("CONFIDENTIAL OK", Command("CONFIDENTIAL", ok=True)),
        (
            'confidential no "a safeguarding duty applies"',
            Command("CONFIDENTIAL", ok=False, reason="a safeguarding duty applies"),
        ),
        ("HELP", Command("HELP")),
        ('\n\n  DONE  \n> EXTEND 5 "quoted"', Command("DONE")),
    ],
)
def test_commands(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Thanks, I'll look at this on Monday.", "not a command"),
        ("EXTEND 5", "EXTEND needs its reason on the same line"),
        ('EXTEND soon "x"', "EXTEND needs a number"),
        ('EXTEND 0 "x"', "EXTEND takes 1 to 60 working days"),
        ('EXTEND 500 "x"', "EXTEND takes 1 to 60 working days"),
        ('EXTEND 2026-02-30 "x"', "EXTEND needs a number"),
        ("REASSIGN Lee", "REASSIGN needs an email address"),
        ("PAUSE", "PAUSE needs a reason"),
        ("CONFIDENTIAL", "CONFIDENTIAL needs OK or NO"),
        ("CONFIDENTIAL NO", "CONFIDENTIAL NO needs a reason"),
    ],
)
def test_bad_commands_say_why(text: str, problem: str) -> None:
    found = parse_command(text)
    assert isinstance(found, Unparsed)
    assert found.problem.startswith(problem)


def test_reassign_without_an_address_gives_none_to_copy() -> None:
    """It said 'REASSIGN name@council', which is no address: an officer who copied it
    got a second refusal. It now says what the address is for."""
    found = parse_command("REASSIGN Lee")
    assert isinstance(found, Unparsed)
    assert "@" not in str(found.problem) and "@" not in welsh_of(found.problem)
    assert "the colleague who is to take the case" in str(found.problem)


def test_only_quoted_text_is_no_command() -> None:
    # A reply that adds nothing above our own mail's command list must not run "DONE".
    assert parse_command(OUTLOOK_QUOTE) is None
    assert parse_command('> DONE\n> EXTEND 5 "x"') is None


@pytest.mark.parametrize(
    "quote",
    [
        "On Wed, 25 Nov 2026 at 12:00, Member Enquiries <m@c.gov.uk> wrote:\n> DONE",
        "-----Original Message-----\nDONE",
        "Ar 25 Tach 2026, ysgrifennodd Member Enquiries:\nDONE",
        "* * *\n\n**From:** Member Enquiries\nDONE",  # Outlook HTML through html2text
    ],
)
def test_new_text_stops_at_the_quote(quote: str) -> None:
    assert new_text(f"Looking at it now\n\n{quote}") == "Looking at it now"


def test_describe_is_what_the_timeline_shows() -> None:
    assert Command("EXTEND", days=5, reason="survey").describe() == 'EXTEND 5 "survey"'
    assert Command("CONFIDENTIAL", ok=False, reason="duty").describe() == 'CONFIDENTIAL NO "duty"'


WELSH_OUTLOOK_QUOTE = (
    "\n\nOddi wrth: Member Enquiries <memberenquiries@cardiff.gov.uk>\n"
    "Anfonwyd: 25 Tachwedd 2026 10:02\n"
    "At: Patel, Sam <sam.patel@cardiff.gov.uk>\n"
    "Pwnc: Ymholiad / Enquiry from Cllr Siân Evans [MB-2026-00001]\n\n"
    "Annwyl Sam Patel,\n"
    'EXTEND 5 "rheswm"      5 diwrnod gwaith arall\n'
)
GMAIL_WRAPPED_QUOTE = (
    "\n\nOn Tue, 1 Dec 2026 at 10:02, Member Enquiries <\n"
    "memberenquiries@council.gov.uk> wrote:\n\n> Dear Sam Patel,\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi,\n\nDONE\n\nThanks\nSam" + OUTLOOK_QUOTE, Command("DONE")),
        ("Hi Dana,\nDone - spoke to the member by phone.", Command(
            "DONE", reason="spoke to the member by phone")),
        ("Helo,\n\nDONE\n\nDiolch\nSam" + WELSH_OUTLOOK_QUOTE, Command("DONE")),
        ("Good morning\n\nextend 3 \"awaiting quote\".\n\nKind regards\nSam",
         Command("EXTEND", days=3, reason="awaiting quote")),
    ],
)
def test_a_greeting_line_above_the_command_is_passed_over(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("All done thanks\nDONE", "All done thanks"),
        # A letter meant for the member, sent to mailbot by mistake: not a DONE.
        ("Dear Cllr Bloggs,\n\nDone: the crew filled it this morning.", "Dear Cllr Bloggs,"),
        ("Annwyl Gynghorydd Evans,\n\nDone.", "Annwyl Gynghorydd Evans,"),
    ],
)
def test_a_line_that_is_not_a_greeting_is_still_the_first_line(text: str, first: str) -> None:
    found = parse_command(text)
    assert isinstance(found, Unparsed) and found.line == first


@pytest.mark.parametrize("quote", [WELSH_OUTLOOK_QUOTE, GMAIL_WRAPPED_QUOTE, OUTLOOK_QUOTE])
def test_a_reason_without_its_closing_quote_stops_before_the_history(quote: str) -> None:
    # The reason of an EXTEND is sent to the member: our quoted mail must never be in it.
    found = parse_command('EXTEND 5 "waiting for the contractor' + quote)
    assert found == Command("EXTEND", days=5, reason="waiting for the contractor")


@pytest.mark.parametrize(
    "after",
    [
        "\nThanks\nSam Patel\nHighways Officer | 01234 567890",
        "\n\nI'll call the councillor this afternoon.\nSam",
        "\nSent from my iPhone",
    ],
)
def test_a_reason_without_its_closing_quote_leaves_out_the_officers_other_words(
    after: str,
) -> None:
    found = parse_command('EXTEND 5 "waiting for the contractor' + after)
    assert found == Command("EXTEND", days=5, reason="waiting for the contractor")


@pytest.mark.parametrize("quote", [WELSH_OUTLOOK_QUOTE, GMAIL_WRAPPED_QUOTE])
def test_new_text_stops_at_welsh_outlook_and_wrapped_gmail_history(quote: str) -> None:
    assert new_text(f"Looking at it now{quote}") == "Looking at it now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('EXTEND\xa05 "survey"', Command("EXTEND", days=5, reason="survey")),
        ('EXTEND  5\u00a0\u00a0"survey"', Command("EXTEND", days=5, reason="survey")),
        ("CONFIDENTIAL  OK", Command("CONFIDENTIAL", ok=True)),
        ("REASSIGN\xa0lee@council.gov.uk", Command("REASSIGN", address="lee@council.gov.uk")),
        ('PAUSE\u2009"waiting for the member"', Command("PAUSE", reason="waiting for the member")),
        ("\ufeff\u200bDONE\u200b", Command("DONE")),
    ],
)
def test_double_and_non_breaking_spaces_from_outlook_separate_the_words(
    text: str, expected: Command
) -> None:
    assert parse_command(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["DONE", "extend", "EXTEND 5", "PAUSE", "REASSIGN", "Hi,", "Helo",
                             '"', "“", "> DONE", "From: x", "On x wrote:", "Thanks", ""]),
            st.text(max_size=40),
        ),
        max_size=8,
    )
)
def test_any_reply_text_is_read_without_error(lines: list[str]) -> None:
    found = parse_command("\n".join(lines))
    assert found is None or isinstance(found, Command | Unparsed)
    if isinstance(found, Command):
        assert len(found.reason) <= 1000
