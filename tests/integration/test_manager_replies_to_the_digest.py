"""A manager answering the weekly digest with a command naming a case, as the digest's
lists invite them to act ('MB-2026-00002 REASSIGN lee.wong@...'), got nothing: the reply
was filed as 'a reply to our digest; not a case', the case stayed with its officer, and
the manager believed it done. Now a command in answer to the digest is read as one in
answer to the officer's daily summary: applied to the case it names, with the usual
checks, or answered saying it named no case and how to name one. A reply with no command
('Thanks, noted') is still left alone. Dana Reed manages Sam Patel and Lee Wong; Sam has
three cases due on Monday 14 December, when the digest goes at 08:00."""

from __future__ import annotations

import html as markup
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import CaseRow

D = "wiltshire.gov.uk"
SAM, LEE, DANA = f"sam.patel@{D}", f"lee.wong@{D}", f"dana.reed@{D}"
MAILBOX = f"memberenquiries@{D}"
DIGEST_TIME = datetime.combine(date(2026, 12, 14), time(8), tzinfo=UTC)
LATER = datetime.combine(date(2026, 12, 14), time(10), tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Lee Wong", LEE, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=PLAIN_UTF8, reply_quotes=4,
    ) as place:
        opened = datetime(2026, 11, 30, 10, tzinfo=UTC)
        for n in range(1, 4):
            place.deliver(place.mail(
                f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain on Mill Lane ({n})",
                f"The drain outside {n} Mill Lane is blocked again.", cc=SAM, date=opened),
                opened)
        place.left()
        yield place


def _digest(council: Council) -> EmailMessage:
    jobs.send_digests(council.app, DIGEST_TIME)
    return next(m for m in council.flush(DIGEST_TIME) if m["To"] == DANA)


def _officers(council: Council) -> dict[str, str]:
    return {case.ref: case.officer_email for case in rows(council.app, CaseRow)}


def test_a_command_naming_a_case_in_answer_to_the_digest_is_applied(council: Council) -> None:
    digest = _digest(council)
    assert "MB-2026-00002" in body_text(digest, "plain")
    out = council.deliver(council.reply(digest, DANA, f"MB-2026-00002 REASSIGN {LEE}",
                                        date=LATER), LATER)
    assert _officers(council) == {"MB-2026-00001": SAM, "MB-2026-00002": LEE,
                                  "MB-2026-00003": SAM}
    by_to = {str(m["To"]): m for m in out}
    assert str(by_to[LEE]["Subject"]).startswith("Enquiry from Cllr Jo Bloggs: Blocked drain")
    told = by_to[DANA]
    assert told["Cc"] == SAM  # the officer whose case a manager changed is copied in
    assert "[MB-2026-00002]" in str(told["Subject"])
    assert " ".join(body_text(told, "plain").split()).startswith("Done.")


def test_a_command_naming_no_case_in_answer_to_the_digest_says_how_to_name_one(
    council: Council,
) -> None:
    digest = _digest(council)
    out = council.deliver(council.reply(digest, DANA, 'EXTEND 5 "contractor booked"',
                                        date=LATER), LATER)
    assert {case.response_due for case in rows(council.app, CaseRow)} == {date(2026, 12, 14)}
    [told] = out
    assert told["To"] == DANA
    text = " ".join(body_text(told, "plain").split())
    assert "named no case" in text or "names no case" in text, text


def test_a_reply_to_the_digest_without_a_command_is_still_left_alone(council: Council) -> None:
    digest = _digest(council)
    assert council.deliver(council.reply(digest, DANA, "Thanks, noted.", date=LATER),
                           LATER) == []
    assert set(_officers(council).values()) == {SAM}


REPLY_EN = ("Or reply to this digest with the reference before the command on the first line "
            "(MB-2026-00001 DONE), one case a reply.")
REPLY_CY = ("Neu atebwch y crynodeb hwn gyda'r cyfeirnod cyn y gorchymyn ar y llinell gyntaf "
            "(MB-2026-00001 DONE), un achos ym mhob ateb.")


def test_the_digest_says_a_reply_naming_the_case_is_read(council: Council) -> None:
    """It said 'a reply to this digest is not read as a command'."""
    digest = _digest(council)
    text = " ".join(body_text(digest, "plain").split())
    html = " ".join(markup.unescape(body_text(digest, "html")).split())
    assert REPLY_EN in text and REPLY_EN in html
    assert "not read as a command" not in text + html


def test_the_bilingual_digest_says_it_in_both_languages(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox="memberenquiries@cardiff.gov.uk", name="Cardiff Council",
        policy="cardiff", members=[("Cllr Jo Bloggs", "jo@cardiff.gov.uk", "Cathays", "en")],
        officers=[("Sam Patel", "sam.patel@cardiff.gov.uk", "Highways",
                   "dana.reed@cardiff.gov.uk", ""),
                  ("Dana Reed", "dana.reed@cardiff.gov.uk", "Highways", "", "")],
        config='[routing]\ndefault_officer = "sam.patel@cardiff.gov.uk"\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        opened = datetime(2026, 11, 30, 10, tzinfo=UTC)
        place.deliver(place.mail("Cllr Jo Bloggs <jo@cardiff.gov.uk>", "Blocked drain",
                                 "The drain is blocked again.", cc="sam.patel@cardiff.gov.uk",
                                 date=opened), opened)
        place.left()
        jobs.send_digests(place.app, DIGEST_TIME)
        digest = next(m for m in place.flush(DIGEST_TIME)
                      if m["To"] == "dana.reed@cardiff.gov.uk")
    for part in ("plain", "html"):
        said = " ".join(markup.unescape(body_text(digest, part)).split())
        assert REPLY_EN in said and REPLY_CY in said, part
        assert "not read as a command" not in said and "fel gorchymyn" not in said, part


def test_a_command_from_a_reader_who_may_not_command_opens_no_case(tmp_path: Path) -> None:
    """6d63c0f passed every command in answer to the digest on to be applied; from a
    whole-council reader who is neither in officers.csv nor an admin (the chief executive
    of [digest] recipients), nothing applies it, and it was opened as a member's enquiry
    ('Enquiry from chief.executive@...: RE: Weekly digest ...', to the default officer).
    It is left alone, as any reply to the digest was before."""
    chief = f"chief.executive@{D}"
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nrecipients = ["{chief}"]\n',
        mail_headers=PLAIN_UTF8, reply_quotes=4,
    ) as place:
        opened = datetime(2026, 11, 30, 10, tzinfo=UTC)
        place.deliver(place.mail(f"Cllr Jo Bloggs <jo@{D}>", "Blocked drain on Mill Lane",
                                 "The drain is blocked again.", cc=SAM, date=opened), opened)
        place.left()
        jobs.send_digests(place.app, DIGEST_TIME)
        digest = next(m for m in place.flush(DIGEST_TIME) if m["To"] == chief)
        for line in ("MB-2026-00001 DONE", 'EXTEND 5 "contractor booked"'):
            assert place.deliver(place.reply(digest, chief, line, date=LATER), LATER) == []
        assert [(case.ref, case.status) for case in rows(place.app, CaseRow)] == [
            ("MB-2026-00001", "open")]
