"""Officers answering mailbot's mail as they really do, from real mail clients: each reply
saved in tests/data/officer_*.eml goes through the real pipeline on the memory mailbox,
and what is checked is what left (the confirmation or help mail, the member's letter),
the case row and its clock, and the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
DUE = date(2026, 12, 9)  # ten working days from Wednesday 25 November


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", ""),
                  ("Lee Wong", LEE, "Highways", DANA, "")],
        admins=["it@council.gov.uk"], threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def _opened(council: Council) -> tuple[EmailMessage, EmailMessage]:
    """Cllr Bloggs writes about a pothole, copying Sam in: (Sam's assignment, her ack)."""
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM))
    return next(m for m in out if m["To"] == SAM), next(m for m in out if m["To"] == JO)


def _send(council: Council, name: str, assignment: EmailMessage,
          ack: EmailMessage | None = None) -> list[EmailMessage]:
    raw = (DATA / name).read_bytes()
    raw = raw.replace(b"<ASSIGNMENT>", str(assignment["Message-ID"]).encode())
    if ack is not None:
        raw = raw.replace(b"<ACKNOWLEDGEMENT>", str(ack["Message-ID"]).encode())
    return council.deliver(raw)


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


@pytest.mark.parametrize("name", [
    "officer_gmail_done_lower_case_full_stop.eml",
    "officer_iphone_mail_done_thanks.eml",
    "officer_outlook_android_done_thanks.eml",
    # Bugs: "“Done” – ..." (windows-1252 curly quotes) and "Done—left ..." (an em dash
    # against the word, under an inline-image signature) got the help mail instead.
    "officer_outlook_windows_1252_curly_quoted_done.eml",
    "officer_outlook_inline_image_signature_done.eml",
])
def test_done_as_officers_type_it_stops_the_clock(council: Council, name: str) -> None:
    out = _send(council, name, _opened(council)[0])
    assert [m["To"] for m in out] == [SAM]
    assert _text(out[0]).startswith("Done.\n\nMB-2026-00001 is marked as answered")
    case = council.case()
    assert case.status == "responded" and case.responded_at is not None
    assert council.events("officer note") == []


@pytest.mark.parametrize(("name", "due", "reason"), [
    ("officer_new_outlook_extend_to_written_date.eml", date(2026, 12, 18),
     "the resurfacing gang is booked for the week of 14 December"),
    ("officer_samsung_email_extend_working_days.eml", date(2026, 12, 23),
     "waiting for the contractor's quote"),
    ("officer_outlook_done_signature_disclaimer.eml", date(2026, 12, 16),
     "the crew found a collapsed drain under the hole and the drainage team has to look "
     "first"),
    ("officer_outlook_windows_1252_extend_curly_reason.eml", date(2026, 12, 16),
     "the contractor’s survey is not back until next week"),
    # Bug: format=flowed (DelSp=yes) cut the reason at the client's line break.
    ("officer_apple_mail_flowed_delsp_extend.eml", date(2026, 12, 23),
     "the structural engineer has to inspect the culvert under the road before we can "
     "patch it"),
])
def test_extend_from_each_client_sends_the_member_only_the_reason(
    council: Council, name: str, due: date, reason: str
) -> None:
    out = _send(council, name, _opened(council)[0])
    assert sorted(str(m["To"]) for m in out) == [JO, SAM]
    letter = _text(next(m for m in out if m["To"] == JO))
    assert f"The reason, and what is being done: {reason}\n" in letter
    for leaked in ("Kind regards", "intended solely", "Sent from", "Original message", "From:"):
        assert leaked not in letter
    assert council.case().response_due == due


def test_only_the_officers_own_line_counts_over_a_quoted_list_of_every_command(
    council: Council,
) -> None:
    # Outlook desktop, HTML only, quoting our assignment (DONE, EXTEND, REASSIGN, PAUSE,
    # RESUME, CONFIDENTIAL, HELP) without ">" under its From/Sent/To/Subject block.
    assignment, _ = _opened(council)
    out = _send(council, "officer_outlook_desktop_html_note_over_every_command.eml", assignment)
    case = council.case()
    assert case.status == "open" and case.response_due == DUE
    assert [m["To"] for m in out] == [SAM]
    assert 'You wrote: "I will pick this up with the crew on Monday' in _text(out[0])
    assert council.events("command") == []
    out = _send(council, "officer_outlook_desktop_html_pause_over_every_command.eml", assignment)
    assert council.case().status == "paused"
    [command] = council.events("command")
    assert command.detail.startswith('PAUSE "waiting for the councillor to send photos of the '
                                     'hole" (assigned officer, reply)')


def test_a_thunderbird_flowed_reason_is_read_whole(council: Council) -> None:
    # Bug: format=flowed broke the line after "since"; Lee's assignment said only
    # "passed to you by Sam Patel: Castle ward is Lee's patch since".
    out = _send(council, "officer_thunderbird_reassign_flowed.eml", _opened(council)[0])
    assert council.case().officer_email == LEE
    to_lee = _text(next(m for m in out if m["To"] == LEE))
    assert "Castle ward is Lee's patch since the restructure" in " ".join(to_lee.split())


def test_resume_inside_winmail_dat_only_runs_the_clock_again(council: Council) -> None:
    assignment, _ = _opened(council)
    council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", 'PAUSE "waiting for photos"'))
    assert council.case().status == "paused"
    out = _send(council, "officer_outlook_winmail_dat_only_resume.eml", assignment)
    assert council.case().status == "open"
    [confirmation] = [m for m in out if m["To"] == SAM]
    assert _text(confirmation).startswith(
        "Done.\n\nThe response clock of MB-2026-00001 is running")


def test_done_typed_in_the_subject_over_a_signature_only_is_applied(council: Council) -> None:
    # Bug: "DONE RE: Enquiry ..." with only Outlook's signature in the body got the help
    # mail ("did not find a command") and the case stayed open.
    out = _send(council, "officer_outlook_command_in_subject_only.eml", _opened(council)[0])
    assert council.case().status == "responded"
    assert [m["To"] for m in out] == [SAM]
    assert _text(out[0]).startswith("Done.\n\nMB-2026-00001 is marked as answered")
    assert council.events("officer note") == []


def test_a_welsh_word_for_done_is_not_a_command_and_gets_the_list(council: Council) -> None:
    # There is no Welsh command word (docs/officers.md): "Gwnaed" is answered with the list.
    out = _send(council, "officer_outlook_welsh_gwnaed.eml", _opened(council)[0])
    assert council.case().status == "open" and council.events("command") == []
    assert [m["To"] for m in out] == [SAM]
    text = _text(out[0])
    assert "did not find a command there" in text and 'You wrote: "Gwnaed"' in text


def test_done_from_a_colleague_not_in_the_directory_changes_nothing(council: Council) -> None:
    _opened(council)
    out = council.deliver((DATA / "officer_colleague_not_in_directory_done_on_forward.eml")
                          .read_bytes())
    assert council.case().status == "open"
    assert [e.actor for e in council.events("command refused")] == ["chris.hall@council.gov.uk"]
    assert out == []  # not in officers.csv: not written to


@pytest.mark.parametrize("name", [
    "officer_answers_member_outlook_cc_mailbox.eml",
    "officer_answers_member_outlook_cc_mailbox_tag_only.eml",
])
def test_an_answer_to_the_member_with_the_mailbox_copied_is_recorded_once(
    council: Council, name: str
) -> None:
    assignment, ack = _opened(council)
    out = _send(council, name, assignment, ack)
    # The member's quoted words below (a street light, fly-tipping, an FOI request) open
    # nothing; the answer is not taken for a command or a note.
    assert out == []
    case = council.case()
    assert case.ref == "MB-2026-00001" and case.status == "responded"
    assert [e.actor for e in council.events("responded")] == [SAM]
    assert council.events("officer note") == [] and council.events("command") == []
    assert council.case().ref == "MB-2026-00001"  # still the only case
    # The same answer again (a second copy, a journal rule): still one answer, no new case.
    assert _send(council, name, assignment, ack) == []
    assert [e.actor for e in council.events("responded")] == [SAM]
    assert council.case().ref == "MB-2026-00001"


def test_an_outlook_recall_of_a_done_changes_nothing_and_is_not_answered(
    council: Council,
) -> None:
    # The DONE was read the moment it arrived; Outlook's recall cannot take it back, and
    # as automatic mail it gets no help mail. (Whether the officer should be told is open.)
    assignment, _ = _opened(council)
    _send(council, "officer_reply_outlook_desktop_html_only_greeting.eml", assignment)
    out = council.deliver((DATA / "officer_outlook_recall_of_done.eml").read_bytes())
    assert out == [] and council.case().status == "responded"
    assert [e.detail for e in council.events("automatic")] == ["receipt: subject or body pattern"]
