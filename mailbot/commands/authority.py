"""Who may command a case, and whom we answer.

A command is accepted only from the case's officer, their manager or deputy, or a
configured admin, and never when the receiving server says the From address was forged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.addresses import address_key, address_keys
from mailbot.complained_about import never_to_be_given, one_of
from mailbot.languages import Bilingual
from mailbot.model import ParsedMessage
from mailbot.own_relay import header_values
from mailbot.parse import AMBIGUOUS_FROM, NO_ADDRESS_IN_FROM
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def role_of(
    app: App, case: CaseRow, sender: str, session: Session | None = None
) -> str | None:
    """Why this sender may command this case, or None. With a session, also whoever
    mailbot itself asked to act on it (absence.py: an officer away or gone with no
    alternative contact; an escalation for an officer no longer in the directory), who
    could not otherwise do what was asked."""
    sender = address_key(sender)
    admins = {address_key(a) for a in app.settings.directory.admins}
    if case.officer_email and sender == address_key(case.officer_email):
        return "assigned officer"
    if session is not None and complaint_about_sender(session, case, sender):
        return None  # not as manager, deputy, admin or anyone asked: it is about them
    if case.officer_email:
        officer = app.directory.officer(case.officer_email)
        if officer is not None and sender == address_key(officer.manager_email):
            return "manager"
        if officer is not None and sender == address_key(officer.deputy_email):
            return "deputy"
    if sender in admins:
        return "admin"
    if session is not None and _asked_to_act(session, case, sender):
        return "asked to act"
    return None


# Mail in which mailbot asks its recipient to act on the case: redirect it (an officer away
# or gone), or see it answered (an escalation, which says they may use the commands).
ASKING = ("ooo_redirect", "escalation")


def _asked_to_act(session: Session, case: CaseRow, sender: str) -> bool:
    # A request withdrawn before it went (mailbot.still_due: the case moved on or was
    # answered) never asked anyone anything.
    sent = session.scalars(
        select(OutboxRow.recipients).where(
            OutboxRow.case_id == case.id,
            OutboxRow.purpose.in_(ASKING),
            OutboxRow.status != "withdrawn",
        )
    )
    return any(address_key(sender) in address_keys(recipients) for recipients in sent)


def failed_authentication(message: ParsedMessage) -> str:
    """Why the sender's address cannot be trusted to be theirs, or "": the receiving
    server's verdict, or a From header without an address.

    Every Authentication-Results header counts, not only the top one: a gateway running
    separate SPF, DKIM and DMARC checks writes one header each, in no fixed order. A DMARC
    failure anywhere is final. A failed SPF or DKIM check is forgiven only by a DMARC pass
    in the same header (one verifier weighing both, as after ordinary forwarding): a sender
    may add headers of their own, and their "dmarc=pass" must not cancel our server's
    verdict."""
    verdicts = [_verdicts(value) for value in header_values(message, "authentication-results")]
    if any(v.get("dmarc") == "fail" for v in verdicts):
        return Bilingual(f"dmarc=fail {IN_RESULTS}", f"dmarc=fail {IN_RESULTS_CY}")
    for found in verdicts:
        if found.get("dmarc") == "pass":
            continue
        for method in ("spf", "dkim"):
            if found.get(method) == "fail":
                return Bilingual(f"{method}=fail {IN_RESULTS}", f"{method}=fail {IN_RESULTS_CY}")
    # A gateway checking SPF with policyd-spf writes its verdict here instead; no DMARC pass
    # forgives it, as that could be the sender's own header.
    if any(value.split(None, 1)[:1] == ["fail"]
           for value in (v.lower() for v in header_values(message, "received-spf"))):
        return Bilingual("spf=fail in Received-SPF", "spf=fail yn Received-SPF")
    return _unchecked_sender(message)


def disowned(message: ParsedMessage) -> str:
    """Why mail in a member's name may not be theirs, or "": the receiving server found
    DMARC failing (the From domain's owner says this mail is not theirs; SPF alone fails on
    ordinary forwarding, so it is not enough here), or From had no address to check."""
    values = header_values(message, "authentication-results")
    if any(_verdicts(value).get("dmarc") == "fail" for value in values):
        return Bilingual(
            f"dmarc=fail {IN_RESULTS}: the sender's domain disowns this mail",
            f"dmarc=fail {IN_RESULTS_CY}: nid yw parth yr anfonwr yn arddel y neges hon",
        )
    return _unchecked_sender(message)


IN_RESULTS = "in Authentication-Results"
IN_RESULTS_CY = "yn Authentication-Results"  # the Welsh part of a bilingual officer's mail


def _unchecked_sender(message: ParsedMessage) -> str:
    """DMARC vouches for the From header alone, and for one address in it. Mail whose From
    has no address, and which names someone only in Sender or Reply-To, passes every check
    whoever wrote it; so may mail with two From addresses or headers, when the gateway
    judged one and mailbot reads the other."""
    if NO_ADDRESS_IN_FROM in message.defects:
        return Bilingual(
            "no address in From: the sender was read from Sender or Reply-To, "
            "which no check covers",
            "dim cyfeiriad yn From: darllenwyd yr anfonwr o Sender neu Reply-To, nad oes "
            "unrhyw wiriad yn eu cynnwys",
        )
    if AMBIGUOUS_FROM in message.defects:
        return Bilingual(
            "more than one address or From header: the checks may have judged another",
            "mwy nag un cyfeiriad neu bennawd From: efallai fod y gwiriadau wedi barnu un arall",
        )
    return ""


# Comments and quoted strings may hold any text, the sender's envelope address included
# (smtp.mailfrom="dmarc=pass"@evil.example), so they are removed before results are read.
_COMMENT_OR_QUOTED = re.compile(r'\([^()]*\)|"(?:[^"\\]|\\.)*"')
_RESULT = re.compile(r"([a-z][a-z0-9_-]*)\s*=\s*([a-z]+)")


def _verdicts(value: str) -> dict[str, str]:
    """method -> result for one Authentication-Results value (RFC 8601): each result is
    the first method=result of a ';'-separated part, never a property like
    smtp.mailfrom= or header.from=, whose values the sender chooses."""
    text = value.lower()
    for _ in range(5):  # nested comments, innermost first
        text = _COMMENT_OR_QUOTED.sub(" ", text)
    found: dict[str, str] = {}
    for part in text.split(";"):  # the first is the server's name, matching nothing
        match = _RESULT.match(part.strip())
        if match:
            found.setdefault(match.group(1), match.group(2))
    return found


def complaint_about_sender(session: Session, case: CaseRow, sender: str) -> bool:
    """Whether the case is a complaint about the sender, or may be: they may not change
    it, whatever else they are (the officer's manager, an admin), unless it was given to
    them (`mailbot reassign --even-if-complained-about`)."""
    return case.id is not None and one_of(sender, never_to_be_given(session, case.id))


ABOUT_THEM = "the complaint is about them"


def refusal(role: str | None, forged: str, *, about_them: bool = False) -> str:
    """Why a command from this sender is refused (for the event), or "" if it is not."""
    if forged:
        return forged
    if role is None:
        return ABOUT_THEM if about_them else (
            "not the case's officer, their manager or deputy, or an admin")
    return ""


def may_answer(app: App, sender: str) -> bool:
    """We write back to officers and admins only: never to strangers (backscatter)."""
    admins = {address_key(a) for a in app.settings.directory.admins}
    return app.directory.officer(sender) is not None or address_key(sender) in admins
