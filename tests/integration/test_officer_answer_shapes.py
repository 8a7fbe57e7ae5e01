"""An officer's answer to the member in the shapes mail clients really give it: Outlook's
reply prefixes in the languages councillors' and officers' mailboxes are set to, gateway
markings, the [MB-] reference typed or moved by hand, References dropped by a phone, the
shared mailbox in Bcc or under another name. Each stops the clock once, at the answer's
Date, sends nobody anything and leaves no reminder; an out-of-office or a forward to a
colleague does not stop it. What is checked is the case row, its timeline and what left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council

from mailbot import jobs

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
REMINDER_DAY = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # the Monday before the due date
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
MEMBER = f"Cllr Jo Bloggs <{JO}>"
COPY = f"Member Enquiries <{MAILBOX}>"
ENQUIRY = "<t1@test.example>"  # the member's mail, as the Council writes it


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        made.deliver(made.mail(MEMBER, "Pothole on Castle Road", "A deep pothole by no. 12.",
                               cc=SAM))
        made.left()
        yield made


def _outlook(subject: str, *, to: str = MEMBER, cc: str = COPY, threaded: str = "both",
             body: str = "Dear Cllr Bloggs,\r\n\r\nThe crew fills it on Friday.",
             extra: tuple[str, ...] = ()) -> bytes:
    """Sam's mail from Outlook. `threaded`: "both" (In-Reply-To and References), "refs"
    (a phone that keeps only References) or "none" (the reference in the subject only)."""
    headers = [
        f'From: "Patel, Sam" <{SAM}>', f"To: {to}", *([f"Cc: {cc}"] if cc else []),
        f"Subject: {subject}", "Date: Wed, 25 Nov 2026 11:00:00 +0000",
        "Message-ID: <LO4P265MB6666SH01@LO4P265MB6666.GBRP265.PROD.OUTLOOK.COM>",
        *([f"In-Reply-To: {ENQUIRY}"] if threaded == "both" else []),
        *([f"References: {ENQUIRY}"] if threaded in ("both", "refs") else []),
        "Thread-Topic: Pothole on Castle Road", "Content-Language: en-GB", *extra, *PLAIN_UTF8,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n\r\nSam Patel\r\n").encode()


ANSWERS = {
    "RE": _outlook("RE: Pothole on Castle Road"),
    "Re, phone keeps only References": _outlook("Re: Pothole on Castle Road", threaded="refs"),
    "AW (German Outlook)": _outlook("AW: Pothole on Castle Road [MB-2026-00001]", threaded="none"),
    "SV (Scandinavian)": _outlook("SV: Pothole on Castle Road [MB-2026-00001]", threaded="none"),
    "Antw (Dutch)": _outlook("Antw: Pothole on Castle Road [MB-2026-00001]", threaded="none"),
    "Vs (Finnish)": _outlook("Vs: Pothole on Castle Road [MB-2026-00001]", threaded="none"),
    "Ynt (Turkish), tag in lower case": _outlook("Ynt: Pothole on Castle Road mb-2026-00001",
                                                 threaded="none"),
    "RE: RE: FW:, tag in spaced brackets": _outlook(
        "RE: RE: FW: Pothole on Castle Road [ MB-2026-00001 ]", threaded="none"),
    "[EXTERNAL] RE:": _outlook("[EXTERNAL] RE: Pothole [MB-2026-00001]", threaded="none"),
    "[OFFICIAL] marking": _outlook("[OFFICIAL] RE: Pothole [MB-2026-00001]", threaded="none"),
    "[OFFICIAL-SENSITIVE] after the tag": _outlook(
        "RE: Pothole [MB-2026-00001] [OFFICIAL-SENSITIVE]", threaded="none"),
    "tag moved to the front, no brackets": _outlook("RE: MB-2026-00001: Pothole",
                                                    threaded="none"),
    "mailbox in Bcc only": _outlook("RE: Pothole on Castle Road", cc=""),
    "mailbox in Cc under another name, in capitals": _outlook(
        "RE: Pothole on Castle Road", cc=f"Enquiries Team (Members) <{MAILBOX.upper()}>"),
    "member as the address book writes her": _outlook(
        "RE: Pothole on Castle Road", to=f'"Bloggs, Jo (Cllr)" <{JO.upper()}>'),
    "reply starting with Done": _outlook("RE: Pothole on Castle Road",
                                         body="Done - the crew filled it this afternoon."),
}

NOT_ANSWERS = {
    "out-of-office, Auto-Submitted": _outlook(
        "Automatic reply: Pothole on Castle Road", body="I am out of the office until Monday.",
        extra=("Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All")),
    "out-of-office, German Outlook": _outlook(
        "Automatische Antwort: Pothole on Castle Road", body="Ich bin nicht im Büro."),
    "out-of-office, Welsh Outlook": _outlook(
        "Ateb awtomatig: Pothole on Castle Road", body="Rydw i allan o'r swyddfa."),
    "forward to a colleague": _outlook(
        "FW: Pothole on Castle Road", to=f"Lee Wong <{LEE}>",
        body="Lee, can you look at this one?"),
}


@pytest.mark.parametrize("name", list(ANSWERS))
def test_the_answer_stops_the_clock_once(council: Council, name: str) -> None:
    assert council.deliver(ANSWERS[name]) == []
    case = council.case()
    assert (case.ref, case.status, case.responded_at) == ("MB-2026-00001", "responded", ANSWERED)
    assert [(e.actor, e.detail) for e in council.events("responded")] == [
        (SAM, "reply to the member seen")
    ]
    jobs.send_reminders(council.app, REMINDER_DAY)
    assert council.flush(REMINDER_DAY) == []


@pytest.mark.parametrize("name", list(NOT_ANSWERS))
def test_what_is_not_the_answer_leaves_the_clock_running(council: Council, name: str) -> None:
    out = council.deliver(NOT_ANSWERS[name])
    assert all(m["To"] == SAM for m in out)  # at most the help mail, to Sam
    case = council.case()
    assert (case.ref, case.status, case.responded_at) == ("MB-2026-00001", "open", None)
    assert council.events("responded") == []
    jobs.send_reminders(council.app, REMINDER_DAY)
    assert [m["To"] for m in council.flush(REMINDER_DAY)] == [SAM]
