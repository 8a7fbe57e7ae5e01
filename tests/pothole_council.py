"""The council the reminder-wording tests build, in one place: Cllr Jo Bloggs's enquiry
about a pothole, copied to Sam Patel (managed by Dana Reed), arrives on Monday 2 November
2026 (due Monday 16 November under the Wiltshire and Cardiff packs) and nobody answers;
the reminder sweep runs at nine each morning. What the tests differ in is the pack, the
member's language and how long they watch."""

from __future__ import annotations

import html as markup
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def unanswered_pothole(
    home: Path, policy: str, *, until: date, language: str = "en"
) -> tuple[str, list[EmailMessage]]:
    """The council's domain, and every mail the sweeps sent from the day after the
    enquiry to `until`."""
    d = f"{policy}.gov.uk"
    sam, dana = f"sam.patel@{d}", f"dana.reed@{d}"
    with Council(
        home, mailbox=f"memberenquiries@{d}", policy=policy,
        name="Cardiff Council" if policy == "cardiff" else "Wiltshire Council",
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{d}", "Castle", language)],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Reed", dana, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{sam}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <jo.bloggs@{d}>", "Pothole on Castle Road",
                                 "A deep pothole outside no. 12.", cc=sam, date=RECEIVED),
                      RECEIVED)
        sent: list[EmailMessage] = []
        day = RECEIVED.date() + timedelta(days=1)
        while day <= until:
            nine = datetime.combine(day, time(9), tzinfo=UTC)
            jobs.send_reminders(place.app, nine)
            sent += place.flush(nine)
            day += timedelta(days=1)
    return d, sent


def said(message: EmailMessage, part: str) -> str:
    """A part's text, HTML entities read, on one line."""
    return " ".join(markup.unescape(body_text(message, part)).split())
