"""The council the pause, hand-over and relabel tests build, in one place.

Those tests differ in who is in officers.csv and where the pack routes (the FOI team, a
complaints address), not in how the council is set up: paused_council builds it, the
shared mailbox memberenquiries@council.gov.uk, Cllr Jo Bloggs (jo.bloggs@, Castle ward)
as the member unless others are given, rules only (threshold 0), the member's mail in
plain UTF-8 unless asked otherwise. sams_council (Sam Patel alone, for Cllr Ann Lee),
foi_and_highways (the FOI team and Sam) and complaints_council (the complaints team, the
member's mail as a mail program sends it) are the three line-ups most of them use.
opened is a member's mail acknowledged and assigned; opened_and_paused is the case they
start from: that, then the officer's PAUSE in its thread; command is an officer's command
in a thread and copied_to_the_member an officer's mail to the member with the shared
mailbox copied in. acknowledged_again_once checks that a relabel's acknowledgement went
again, once (REPLACES: what it says of the first). words reads a mail as its reader does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
ANN = "ann.lee@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
COMPLAINTS = "complaints@council.gov.uk"

Member = tuple[str, str, str, str]  # name, email, ward, language
Officer = tuple[str, str, str, str, str]  # name, email, service, manager_email, deputy_email

JO_BLOGGS: Member = ("Cllr Jo Bloggs", JO, "Castle", "en")
ANN_LEE: Member = ("Cllr Ann Lee", ANN, "Abbey", "en")
SIAN_EVANS: Member = ("Cllr Siân Evans", SIAN, "Tref", "cy")
SAM_PATEL: Officer = ("Sam Patel", SAM, "Highways", "", "")
THE_FOI_TEAM: Officer = ("FOI Team", FOI_TEAM, "Information governance", "", "")
COMPLAINTS_TEAM: Officer = ("Complaints Team", COMPLAINTS, "Customer services", "", "")


def paused_council(
    home: Path,
    officers: Sequence[Officer],
    *,
    policy: str = "wiltshire",
    name: str = "Test Council",
    members: Sequence[Member] = (JO_BLOGGS,),
    default_officer: str = "",
    routes: Mapping[str, str] | None = None,
    plain_utf8: bool = True,
    reply_quotes: int = 0,
    config: str = "",
) -> Council:
    """A council under `policy`'s pack with these `officers` and `members`;
    `default_officer` is [routing] default_officer, `routes` the pack's [policy.routing]
    addresses by key (foi_team, complaints); `plain_utf8` writes the member's mail as
    plain UTF-8 text; `reply_quotes` as Council's; `config` (a [digest] section, say) is
    added after the rest."""
    settings = f'[routing]\ndefault_officer = "{default_officer}"\n' if default_officer else ""
    if routes:
        settings += "[policy.routing]\n" + "".join(
            f'{key} = "{address}"\n' for key, address in routes.items())
    return Council(
        home, name=name, mailbox=MAILBOX, policy=policy, members=list(members),
        officers=list(officers), threshold=0.0,
        mail_headers=PLAIN_UTF8 if plain_utf8 else (), config=settings + config,
        reply_quotes=reply_quotes,
    )


def sams_council(home: Path) -> Council:
    """Sam Patel (Highways), the default officer, and Cllr Ann Lee, under Wiltshire's pack."""
    return paused_council(home, [SAM_PATEL], members=[ANN_LEE], default_officer=SAM)


def foi_and_highways(
    home: Path,
    *,
    policy: str = "wiltshire",
    members: Sequence[Member] = (JO_BLOGGS, SIAN_EVANS),
    officers: Sequence[Officer] = (THE_FOI_TEAM, SAM_PATEL),
) -> Council:
    """The FOI team (the pack's foi_team route) and Sam Patel (the default officer), in
    `officers`' order, for `members` (Cllr Jo Bloggs and the Welsh Cllr Siân Evans)."""
    return paused_council(home, officers, policy=policy, members=members, default_officer=SAM,
                          routes={"foi_team": FOI_TEAM})


def complaints_council(
    home: Path,
    *,
    policy: str = "wiltshire",
    name: str = "Test Council",
    member: Member = JO_BLOGGS,
) -> Council:
    """The complaints team (the pack's complaints route) alone, for `member`; the member's
    mail as a mail program sends it, not forced to plain UTF-8."""
    return paused_council(home, [COMPLAINTS_TEAM], policy=policy, name=name, members=[member],
                          routes={"complaints": COMPLAINTS}, plain_utf8=False)


def copied_to_the_member(council: Council, ack: EmailMessage, text: str, at: datetime,
                         *, member: str = JO) -> None:
    """The complaints team's mail saying `text` in reply to the member's acknowledgement,
    sent to the member with the shared mailbox copied in, read at `at`."""
    raw = council.mail(f"Complaints Team <{COMPLAINTS}>", f"RE: {ack['Subject']}", text,
                       in_reply_to=str(ack["Message-ID"]), date=at)
    council.deliver(raw.replace(f"To: {MAILBOX}".encode(),
                                f"To: {member}\r\nCc: {MAILBOX}".encode()), now=at)


REPLACES = ("This email replaces our earlier acknowledgement, and the date in it no longer "
            "applies.")


def acknowledged_again_once(council: Council, member: str, at: datetime) -> None:
    """Nothing more to `member` on the next flush at `at`, and two acknowledgements to
    them, both sent: the first, and the one sent again."""
    assert [m for m in council.flush(at) if m["To"] == member] == []
    acks = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
    assert [(r.recipients, r.status) for r in acks] == [(member, "sent"), (member, "sent")]


def words(mail: EmailMessage, part: str = "plain") -> str:
    """The words of a mail's text or HTML part (its tags taken out), as a reader sees them."""
    text = body_text(mail, part)
    if part == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def opened(
    council: Council,
    *,
    member: str,
    subject: str,
    body: str,
    received: datetime,
    officer: str,
    sender: str = "",
) -> tuple[EmailMessage, EmailMessage]:
    """The `member`'s mail (from `sender`, their address as a mail program writes it, if
    given), read at `received`: (the member's acknowledgement, `officer`'s assignment)."""
    out = council.deliver(council.mail(sender or member, subject, body, date=received),
                          now=received)
    [ack] = [m for m in out if m["To"] == member]
    [assignment] = [m for m in out if m["To"] == officer]
    return ack, assignment


def command(council: Council, to: EmailMessage, officer: str, line: str,
            at: datetime) -> tuple[str, list[EmailMessage]]:
    """`officer`'s `line` in reply to `to`, read at `at`: (the words of their one
    confirmation, the mail that went to others)."""
    out = council.deliver(council.reply(to, officer, line, date=at), now=at)
    [confirmation] = [m for m in out if m["To"] == officer]
    return words(confirmation), [m for m in out if m["To"] != officer]


def opened_and_paused(
    council: Council, *, officer: str, reason: str, paused: datetime, **mail: Any,
) -> tuple[EmailMessage, EmailMessage]:
    """The member's mail, as opened's `mail` arguments (member, subject, body, received,
    sender) say; `officer`'s PAUSE "`reason`" in reply to its assignment, read at `paused`:
    (the member's acknowledgement, the officer's assignment)."""
    ack, assignment = opened(council, officer=officer, **mail)
    council.deliver(council.reply(assignment, officer, f'PAUSE "{reason}"', date=paused),
                    now=paused)
    return ack, assignment
