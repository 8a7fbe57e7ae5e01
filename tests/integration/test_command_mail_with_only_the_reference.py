"""The digest tells a manager to act on a case by writing to the shared mailbox with its
reference in the subject, and its HTML link starts that mail with the subject
'[MB-2026-00001]' and nothing else. The confirmation came back titled 'Re: (no subject)
[MB-2026-00001]', though the mail had a subject, the case's reference; every action a
manager took from the digest read so. Now it is 'Re: [MB-2026-00001]'."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

D = "wiltshire.gov.uk"
SAM, DANA = f"sam.patel@{D}", f"dana.reed@{D}"
RECEIVED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def test_a_command_mail_titled_only_with_the_reference_is_answered_under_it(
    tmp_path: Path,
) -> None:
    with Council(
        tmp_path, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <jo.bloggs@{D}>", "Pothole on Castle Road",
                                 "A deep pothole outside no. 12.", cc=SAM, date=RECEIVED),
                      RECEIVED)
        place.left()
        out = place.deliver(place.mail(DANA, "[MB-2026-00001]",
                                       'EXTEND 3 "contractor booked for Thursday"',
                                       date=LATER), LATER)
    confirmation = next(m for m in out if m["To"] == DANA)
    assert body_text(confirmation, "plain").startswith("Done.")
    assert str(confirmation["Subject"]) == "Re: [MB-2026-00001]"
