"""Who may command a case, and whom we answer.

A command is accepted only from the case's officer, their manager or deputy, or a
configured admin, and never when the receiving server says the From address was forged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.model import ParsedMessage
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
    sender = sender.lower()
    admins = {a.lower() for a in app.settings.directory.admins}
    if case.officer_email and sender == case.officer_email:
        return "assigned officer"
    if case.officer_email:
        officer = app.directory.officer(case.officer_email)
        if officer is not None and sender == officer.manager_email:
            return "manager"
        if officer is not None and sender == officer.deputy_email:
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
    sent = session.scalars(
        select(OutboxRow.recipients).where(
            OutboxRow.case_id == case.id, OutboxRow.purpose.in_(ASKING)
        )
    )
    return any(sender in recipients.lower().split(",") for recipients in sent)


def failed_authentication(message: ParsedMessage) -> str:
    """The receiving server's verdict, if it says the From address was forged."""
    results = message.headers.get("authentication-results", "").lower()
    for check in ("dmarc=fail", "spf=fail", "dkim=fail"):
        if check in results and "dmarc=pass" not in results:
            return check
    return ""


def disowned_by_its_domain(message: ParsedMessage) -> bool:
    """The receiving server found DMARC failing: the From domain's owner says this mail is
    not theirs. (SPF alone fails on ordinary forwarding, so it is not enough here.)"""
    return "dmarc=fail" in message.headers.get("authentication-results", "").lower()


def refusal(role: str | None, forged: str) -> str:
    """Why a command from this sender is refused (for the event), or "" if it is not."""
    if forged:
        return f"{forged} in Authentication-Results"
    if role is None:
        return "not the case's officer, their manager or deputy, or an admin"
    return ""


def may_answer(app: App, sender: str) -> bool:
    """We write back to officers and admins only: never to strangers (backscatter)."""
    admins = {a.lower() for a in app.settings.directory.admins}
    return app.directory.officer(sender) is not None or sender in admins
