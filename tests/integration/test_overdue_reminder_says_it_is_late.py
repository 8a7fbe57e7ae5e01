"""An officer's overdue reminder said the case 'is now 2 working days overdue' and that the
member had been told it is late, and then, under How to answer, 'If the response will be
late, the protocol asks you to tell Cllr Jo Bloggs the reason...': as if it might not be.
Now an overdue reminder says 'The response is late: the protocol asks you...'; the
reminders before the date, and the one on the day, still say 'If the response will be
late'. Jo's enquiry to Sam Patel arrives on Monday 2 November (due Monday 16 November);
nobody answers."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from pothole_council import said as _said
from pothole_council import unanswered_pothole


def _reminders(tmp_path: Path, policy: str) -> list[EmailMessage]:
    """Every mail Sam Patel had from the day after the enquiry to Friday 20 November."""
    d, sent = unanswered_pothole(tmp_path, policy, until=date(2026, 11, 20))
    return [m for m in sent if m["To"] == f"sam.patel@{d}"]


LATE = ("The response is late: the protocol asks you to tell Cllr Jo Bloggs the reason, what "
        "is being done, and when they will have a full response.")
WILL_BE = ("If the response will be late, the protocol asks you to tell Cllr Jo Bloggs the "
           "reason, what is being done, and when they will have a full response.")
HWYR = ("Mae'r ymateb yn hwyr: mae'r protocol yn gofyn i chi ddweud wrth Cllr Jo Bloggs beth "
        "yw'r rheswm, beth sy'n cael ei wneud, a phryd y caiff ateb llawn.")


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_an_overdue_reminder_says_the_response_is_late(tmp_path: Path, policy: str) -> None:
    mails = _reminders(tmp_path, policy)
    overdue = [m for m in mails if str(m["Subject"]).startswith("Overdue by")]
    due = [m for m in mails if str(m["Subject"]).startswith("Due today")]
    assert overdue and due
    for mail in overdue:
        for part in ("plain", "html"):
            said = _said(mail, part)
            assert LATE in said, said
            assert "If the response will be late" not in said
            if policy == "cardiff":
                assert HWYR in said, said
                assert "Os bydd yr ymateb yn hwyr" not in said
    for mail in due:
        for part in ("plain", "html"):
            said = _said(mail, part)
            assert WILL_BE in said, said
            assert "The response is late:" not in said
