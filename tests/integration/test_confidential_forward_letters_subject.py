"""A confidential case opened by a forward with no subject of its own ("FW:"): its
acknowledgement takes nothing from the body for its subject line ('Re: (no subject)
[MB-…]'), and so does every later letter to the member (the pause letters, the holding
reply, the extension notice, the answer about confidentiality, the late notice and the
letter naming the new holder), where each used to carry the member's first words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, parse_sent, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
LEE = "lee.wong@wiltshire.gov.uk"
WORDS = ("Smith", "Elm Road", "arrest")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday


def _to(sent: list[EmailMessage], address: str) -> EmailMessage:
    [mail] = [m for m in sent if str(m["To"]) == address]
    return mail


def test_every_letter_to_the_member_has_the_acknowledgements_subject(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as town:
        first = town.deliver(town.mail(
            JO, "FW:", "Mrs Smith at 4 Elm Road says her son's arrest was unlawful.\n\n"
            "Can you advise?", extra="Sensitivity: Private", date=RECEIVED), RECEIVED)
        ack, assignment = _to(first, JO), _to(first, SAM)
        assert town.case().confidential
        assert str(ack["Subject"]) == "Re: (no subject) [MB-2026-00001]"
        paused = RECEIVED + timedelta(days=2)
        town.deliver(town.reply(assignment, SAM, 'PAUSE "waiting for the member: which house"',
                                date=paused), paused)
        asked = paused + timedelta(hours=3)
        town.deliver(town.mail(JO, f"Re: {ack['Subject']}", "Any news?",
                               in_reply_to=str(ack["Message-ID"]), date=asked), asked)
        resumed = paused + timedelta(days=1)
        for command in ("RESUME", 'EXTEND 2 "waiting for legal advice"', "CONFIDENTIAL OK"):
            town.deliver(town.reply(assignment, SAM, command, date=resumed), resumed)
        for day in range(6, 30):
            moment = RECEIVED + timedelta(days=day)
            jobs.send_reminders(town.app, moment)
            town.flush(moment)
        moved = RECEIVED + timedelta(days=30)
        town.deliver(town.reply(assignment, SAM, f"REASSIGN {LEE}", date=moved), moved)
        letters = [row for row in rows(town.app, OutboxRow) if row.recipients == JO]
        assert {row.purpose for row in letters} >= {
            "ack", "pause_notice", "pause_holding", "pause_ended", "extension_notice",
            "confidentiality_result", "late_notice", "alternative_contact"}
        for row in letters:
            sent = parse_sent(row.mime)
            assert str(sent["Subject"]) == "Re: (no subject) [MB-2026-00001]", row.purpose
            said = body_text(sent, "plain") + body_text(sent, "html")
            assert not [word for word in WORDS if word in said], row.purpose
