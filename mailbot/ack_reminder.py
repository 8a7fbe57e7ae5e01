"""The reminder for an acknowledgement the officer owes.

Where a pack says the officer gives the acknowledgement (`by = "officer"`, Hackney 11.3:
the Director acknowledges a complaint within three days and says what happens next),
mailbot's own mail to the member is only a receipt. The officer is told on the day the
acknowledgement is due, or on the first sweep after it if the day was missed, once:
the outbox dedup key is the ledger. Their first reply to the member stops this clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mailbot import ledger, outbox
from mailbot.cases import KIND_LABELS, LONDON
from mailbot.compose import Envelope, untagged_subject
from mailbot.directory import Officer
from mailbot.languages import staff_languages
from mailbot.member_cases import shown_as_confidential
from mailbot.model import Kind
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from mailbot.app import App

TEMPLATE = "ack_reminder"


def queue_ack_reminder(
    app: App, session: Session, case: CaseRow, ack_due: date, today: date, now: datetime
) -> str | None:
    """Queue it if the day has come; returns the recipient, or None (not yet, or sent)."""
    if today < ack_due or case.officer_email is None:
        return None
    mail = ack_reminder_mail(app, case, ack_due, today)
    row = outbox.queue(
        session,
        purpose=TEMPLATE,
        dedup_key=dedup_key(case, ack_due),
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
        automatic=False,  # one per case, bounded by its dedup key
    )
    if row is None:
        return None
    officer_email = mail.envelope.to[0]
    ledger.record_event(
        session, now, "mailbot", f"{TEMPLATE} queued", f"to {officer_email}", case=case
    )
    return officer_email


def dedup_key(case: CaseRow, ack_due: date) -> str:
    return f"{TEMPLATE}:{case.ref}:{ack_due.isoformat()}"


def ack_reminder_mail(app: App, case: CaseRow, ack_due: date, today: date) -> outbox.Rewritten:
    """The reminder to the case's officer as it reads on `today` (due today, or overdue):
    queued by the sweep, and written again by the send-time check if it goes later."""
    assert case.officer_email is not None
    officer = app.directory.officer_or_address(case.officer_email)
    # Both languages in a bilingual council, like the officer's other mail about the case.
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context = _context(app, case, officer, ack_due, today)
    return outbox.Rewritten(
        app.renderer.render(TEMPLATE, context, languages),
        Envelope(
            sender=app.mailbox_address,
            sender_name=app.settings.mailbox.display_name,
            to=(officer.email,),
            instance=app.settings.council.instance,
        ),
    )


def _context(
    app: App, case: CaseRow, officer: Officer, ack_due: date, today: date
) -> dict[str, Any]:
    """Whitelisted values; a confidential case's subject is left out."""
    member = app.directory.member(case.member_email)
    return {
        "council": {"name": app.settings.council.name, "mailbox": app.mailbox_address},
        "officer": {"name": officer.name},
        "member": {"name": member.name if member else (case.member_name or case.member_email)},
        "case": {
            "ref": case.ref,
            "kind_label": KIND_LABELS[Kind(case.kind)],
            "subject": "" if shown_as_confidential(case) else untagged_subject(case.subject)[:200],
            "received": case.received_at.astimezone(LONDON).date(),
            "ack_due": ack_due,
            "response_due": case.response_due,
        },
        "late": today > ack_due,
        # What the protocol says the acknowledgement contains ("" where the pack is silent).
        "ack_must_say": app.policy.ack_must_say(Kind(case.kind))[0],
        "ack_must_say_cy": app.policy.ack_must_say(Kind(case.kind))[1],
        # "Under X's protocol": the council whose officers these are, which may have
        # adopted another council's pack.
        "policy_name": app.settings.council.name,
    }
