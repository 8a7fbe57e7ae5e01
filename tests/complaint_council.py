"""The council the complaint-about-an-officer tests build, in one place.

A member's complaint naming an officer goes up that officer's management line (the pack's
[routing] about_an_officer, "their-director" in Wiltshire's, Colchester's, Cardiff's and
Hackney's packs), never to them; the tests differ in who is in officers.csv (whose line,
whose deputy), not in how the council is set up. complaint_council builds it: the
shared mailbox memberenquiries@ at the pack's domain (wiltshire.gov.uk for Wiltshire),
Cllr Jo Bloggs (jo@, Castle ward) as the member (and Cllr Siân Evans, Welsh, when asked),
the officers given with Jamie Fox's complaints team (complaints@) as the pack's complaints
route after them, and a default officer when one is given. Rules only (threshold 0), the
member's mail in plain UTF-8. lees_council is the Wiltshire council where Lee Wong is the
complaints route and Lee and Sam Patel answer to their Director, Pat Moss; swept_daily is
the reminder sweep run each morning from the day after RECEIVED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
JO_NAME = "Cllr Jo Bloggs"
COMPLAINTS_TEAM = "Jamie Fox"

Officer = tuple[str, str, str, str, str]  # name, email, service, manager_email, deputy_email


def domain_of(policy: str) -> str:
    """The council's mail domain in these tests: the pack's name, .gov.uk."""
    return f"{policy}.gov.uk"


def at(local: str, policy: str = "wiltshire") -> str:
    """An address at the council: at("sam") is sam@wiltshire.gov.uk."""
    return f"{local}@{domain_of(policy)}"


def complaint_council(
    home: Path,
    officers: Sequence[Officer],
    *,
    policy: str = "wiltshire",
    default_officer: str = "",
    complaints_team: bool = True,
    welsh_member: bool = False,
    name: str = "Wiltshire Council",
    config: str = "",
    admins: Sequence[str] = (),
    routes: Mapping[str, str] | None = None,
) -> Council:
    """A council under `policy`'s pack with these `officers`; `complaints_team` adds Jamie
    Fox (complaints@) to officers.csv and makes them the pack's complaints route;
    `default_officer` is [routing] default_officer; `routes` are more of the pack's
    [policy.routing] addresses by key, when there is no complaints team; `admins` as
    Council's; `config` (a [digest] section, say) is added after the rest."""
    people = list(officers)
    settings = f'[routing]\ndefault_officer = "{default_officer}"\n' if default_officer else ""
    if complaints_team:
        people.append((COMPLAINTS_TEAM, at("complaints", policy), "Complaints", "", ""))
        settings += f'[policy.routing]\ncomplaints = "{at("complaints", policy)}"\n'
    elif routes:
        settings += "[policy.routing]\n" + "".join(
            f'{key} = "{address}"\n' for key, address in routes.items())
    members = [(JO_NAME, at("jo", policy), "Castle", "en")]
    if welsh_member:
        members.append(("Cllr Siân Evans", at("sian", policy), "Tref", "cy"))
    return Council(
        home, name=name, mailbox=at("memberenquiries", policy), policy=policy,
        members=members, officers=people, admins=admins, threshold=0.0,
        mail_headers=PLAIN_UTF8, config=settings + config,
    )


SAM_UNDER_PAT: Officer = ("Sam Patel", at("sam"), "Highways", at("pat"), "")
LEE_UNDER_PAT: Officer = ("Lee Wong", at("lee"), "Complaints", at("pat"), "")
PAT_MOSS: Officer = ("Pat Moss", at("pat"), "Place", "", "")


def lees_council(
    home: Path,
    *,
    officers: Sequence[Officer] = (SAM_UNDER_PAT, LEE_UNDER_PAT, PAT_MOSS),
    admins: Sequence[str] = (),
    routes: Mapping[str, str] | None = None,
) -> Council:
    """Wiltshire's council with these `officers` (Sam, Lee and their Director Pat, in that
    order, unless given), Lee Wong the complaints route, and `routes` besides; no digest."""
    return complaint_council(home, officers, complaints_team=False, admins=admins,
                             routes={"complaints": at("lee"), **(routes or {})},
                             config="[digest]\nenabled = false\n")


def swept_daily(council: Council, last: date, hour: int, minute: int) -> list[EmailMessage]:
    """The reminder sweep at `hour`:`minute` each day from the day after RECEIVED to `last`,
    each followed by a flush: what they sent."""
    sent: list[EmailMessage] = []
    day = RECEIVED.date() + timedelta(days=1)
    while day <= last:
        now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        jobs.send_reminders(council.app, now)
        sent += council.flush(now)
        day += timedelta(days=1)
    return sent


def complain(
    council: Council,
    subject: str,
    text: str,
    *,
    sender: str = "",
    cc: str = "",
    when: datetime = RECEIVED,
) -> list[EmailMessage]:
    """The member's mail (Cllr Jo Bloggs's unless `sender`) delivered and polled at `when`:
    the mail that left."""
    domain = council.mailbox.partition("@")[2]
    sender = sender or f"{JO_NAME} <jo@{domain}>"
    return council.deliver(council.mail(sender, subject, text, cc=cc, date=when), when)


def words(mail: EmailMessage, part: str = "plain") -> str:
    """A mail's text (its plain part, or `part`) on one line, single spaces."""
    return " ".join(body_text(mail, part).split())
