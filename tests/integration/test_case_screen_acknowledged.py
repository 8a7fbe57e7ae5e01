"""`mailbot case REF` said 'acknowledgement due: Monday 4 January 2027' for a case mailbot
had acknowledged on 22 December (a new council's trial, Test Valley): a manager reading it
on 4 January took the acknowledgement to be due that day, not given. Now the line says
when it was given; and where the protocol has the officer acknowledge (Hackney 11.3),
mailbot's receipt is not that, and the line says it is still owed until the officer's
first reply to the member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import Council, by_recipient

from mailbot.console import describe_case

RECEIVED = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)  # Tuesday
LATER = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


def _council(home: Path, policy: str) -> Council:
    d = f"{policy}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{d}", policy=policy, threshold=0.0,
        members=[("Cllr Jo Bloggs", f"jo@{d}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{d}", "Highways", f"dana@{d}", ""),
                  ("Dana Reed", f"dana@{d}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{d}"\n',
    )


def _ack_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("acknowledgement"))


def test_an_acknowledged_case_says_when_it_was_acknowledged(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as it:
        it.deliver(it.mail("Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Pothole on Castle Road",
                           "A deep pothole outside no. 12.", date=RECEIVED), RECEIVED)
        shown = describe_case(it.app, it.case().ref, LATER) or ""
    assert _ack_line(shown) == (
        "acknowledgement due: Thursday 24 December 2026, acknowledged Tuesday 22 December 2026"
    ), shown


def test_an_acknowledgement_the_officer_owes_is_owed_until_their_reply(tmp_path: Path) -> None:
    d = "hackney.gov.uk"
    with _council(tmp_path, "hackney") as it:
        out = by_recipient(it.deliver(it.mail(
            f"Cllr Jo Bloggs <jo@{d}>", "Complaint about my pothole reports",
            "I wish to make a formal complaint: my three reports were ignored and nobody "
            "replied. I want this investigated.", cc=f"sam@{d}", date=RECEIVED), RECEIVED))
        case = it.case()
        assert case.kind == "complaint"
        owed = _ack_line(describe_case(it.app, case.ref, RECEIVED) or "")
        holder = case.officer_email
        assert holder is not None
        answer = RECEIVED + timedelta(hours=3)
        receipt = out[f"jo@{d}"]
        it.deliver(it.mail(holder, f"RE: {receipt['Subject']}",
                           "Dear Cllr Bloggs, I am looking into this and will reply within "
                           "ten working days.", cc=f"jo@{d}",
                           in_reply_to=str(receipt["Message-ID"]), date=answer), answer)
        given = _ack_line(describe_case(it.app, case.ref, LATER) or "")
    assert owed.startswith("acknowledgement due: ") and owed.endswith(
        ", not yet (the officer's to give)"), owed
    assert given.endswith(", acknowledged Tuesday 22 December 2026"), given
