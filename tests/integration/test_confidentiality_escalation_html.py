"""The escalation of an unanswered confidentiality question in a bilingual council, its HTML
part as a mail client shows it: the Welsh words with the space between the officer's
service and the date, as the text part has them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RHIAN = "rhian@cardiff.gov.uk"
SAM = "sam@cardiff.gov.uk"
MAX = "max@cardiff.gov.uk"
ASKED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday


def _shown(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_the_welsh_escalation_reads_as_the_text_part(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Cardiff Council", policy="cardiff",
        mailbox="memberenquiries@cardiff.gov.uk",
        members=[("Cllr Rhian Evans", RHIAN, "Tref", "cy")],
        officers=[("Sam Patel", SAM, "Priffyrdd", MAX, ""), ("Max Boss", MAX, "Priffyrdd", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        council.deliver(council.mail(
            f"Cllr Rhian Evans <{RHIAN}>", "CONFIDENTIAL: a neighbour dispute",
            "Please keep this confidential. Can I have your advice in confidence?", cc=SAM,
            date=ASKED), ASKED)
        council.left()
        escalations = []
        for day in (26, 27, 30):
            moment = datetime(2026, 11, day, 10, 0, tzinfo=UTC)
            jobs.send_reminders(council.app, moment)
            escalations += [m for m in council.flush(moment) if str(m["To"]) == MAX]
        [escalation] = escalations
        said = "Gofynnwyd i Sam Patel (Priffyrdd) ar ddydd Mercher 25 Tachwedd 2026"
        assert said in " ".join(body_text(escalation, "plain").split())
        assert said in _shown(body_text(escalation, "html"))
