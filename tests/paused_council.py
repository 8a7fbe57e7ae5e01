"""The council the pause, hand-over and relabel tests build, in one place.

Those tests differ in who is in officers.csv and where the pack routes (the FOI team, a
complaints address), not in how the council is set up: paused_council builds it, the
shared mailbox memberenquiries@council.gov.uk, Cllr Jo Bloggs (jo.bloggs@, Castle ward)
as the member unless others are given, rules only (threshold 0), the member's mail in
plain UTF-8 unless asked otherwise. opened_and_paused is the case they start from: the
member's mail, acknowledged and assigned, then the officer's PAUSE in its thread. words
reads a mail as its reader does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"

Member = tuple[str, str, str, str]  # name, email, ward, language
Officer = tuple[str, str, str, str, str]  # name, email, service, manager_email, deputy_email

JO_BLOGGS: Member = ("Cllr Jo Bloggs", JO, "Castle", "en")
SAM_PATEL: Officer = ("Sam Patel", SAM, "Highways", "", "")
THE_FOI_TEAM: Officer = ("FOI Team", FOI_TEAM, "Information governance", "", "")


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


def words(mail: EmailMessage, part: str = "plain") -> str:
    """The words of a mail's text or HTML part (its tags taken out), as a reader sees them."""
    text = body_text(mail, part)
    if part == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def opened_and_paused(
    council: Council,
    *,
    member: str,
    subject: str,
    body: str,
    received: datetime,
    officer: str,
    reason: str,
    paused: datetime,
    sender: str = "",
) -> tuple[EmailMessage, EmailMessage]:
    """The `member`'s mail (from `sender`, their address as a mail program writes it, if
    given), read at `received`; `officer`'s PAUSE "`reason`" in reply to its assignment,
    read at `paused`: (the member's acknowledgement, the officer's assignment)."""
    out = council.deliver(council.mail(sender or member, subject, body, date=received),
                          now=received)
    [ack] = [m for m in out if m["To"] == member]
    [assignment] = [m for m in out if m["To"] == officer]
    council.deliver(council.reply(assignment, officer, f'PAUSE "{reason}"', date=paused),
                    now=paused)
    return ack, assignment
