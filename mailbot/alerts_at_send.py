"""An administrators' alert looked at again when it is about to go (the outbox's send-time
review, mailbot.still_due).

An alert can wait in the outbox: the mailbox-outage alert of a mailbox with no SMTP server
of its own can only go once the mailbox works again, and any alert waits while the mail
server answers 451. An administrator reading "cannot use the mailbox" hours after it came
back would go looking for a problem that is not there. So, just before one goes:

- the mailbox-outage alert (health.py) goes as queued while its outage lasts; once it has
  ended it is written again to say so: "could not use the mailbox from X to Y (the
  problem); it works again since Y". It is still the outage's one email (same dedup key
  and Message-ID), and no other is sent for the recovery;
- the directory alert (directory_alert.py) is withdrawn once members.csv and
  officers.csv read again, or their problem is another one (which has its own alert:
  the reminder sweep, every few minutes, queues it). A problem whose alert was withdrawn
  is told afresh if it comes back;
- the alert for a message left unread (left_unread.py) is withdrawn once its message has
  been read after all, dealt with by a person (`mailbot quarantine done`), or its row is
  gone: `mailbot status` no longer lists it, and nothing is left to do;
- the alert that a council template cannot be used (template_fallback.py) is withdrawn
  once every template can be used (the file put right; a restart uses it), or their
  problem is another one that a restart told in its own alert. Told afresh if it comes
  back. (The alert that a council template failed while a mail was made from it,
  template_fallback.MADE_PURPOSE, goes as queued: only making a mail finds that fault.)

A withdrawn alert is kept (status `withdrawn`, the reason in last_error), never sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import admin_alert, directory_alert, health, left_unread, template_fallback
from mailbot.model import MessageStatus
from mailbot.outage_record import read_record
from mailbot.outbox import SEND_AS_QUEUED, Rewritten, Verdict
from mailbot.store.tables import EventRow, MessageRow, OutboxRow
from mailbot.template_check import broken_templates

if TYPE_CHECKING:
    from mailbot.app import App

AlertCheck = Callable[["App", Session, OutboxRow, datetime], Verdict]


@dataclass(frozen=True)
class EndedOutage:
    started: datetime
    ended: datetime | None  # None: over, but its end was not recorded
    problem: str  # the last problem it had, as recorded; "" if none was


def review_mailbox_alert(app: App, session: Session, row: OutboxRow, now: datetime) -> Verdict:
    """As queued while its outage lasts; else written again as an outage that has ended."""
    started = _outage_start(row.dedup_key)
    if started is None:
        return Verdict(withdrawn=f"its dedup key {row.dedup_key!r} names no outage")
    current = read_record(session, health.STATE_KEY)
    if current is not None and current.since == started:
        return SEND_AS_QUEUED
    mail = admin_alert.alert_mail(
        app, "mailbox_alert", _ended_context(app, ended_outage(session, started))
    )
    if mail is None:
        return Verdict(withdrawn="[directory] admins is empty now")
    return Verdict(rewritten=Rewritten(*mail))


def _outage_start(dedup_key: str) -> datetime | None:
    if not dedup_key.startswith(health.ALERT_KEY):
        return None
    try:
        started = datetime.fromisoformat(dedup_key.removeprefix(health.ALERT_KEY))
    except ValueError:
        return None
    return started if started.tzinfo is not None else None


def ended_outage(session: Session, started: datetime) -> EndedOutage:
    """The outage that began at `started`, from the mailbox's events rows: when it ended
    (the first recovery after its start) and the problem it last had."""
    events = session.execute(
        select(EventRow.action, EventRow.at, EventRow.detail)
        .where(EventRow.actor == health.ACTOR, EventRow.at >= started,
               EventRow.action.in_(("outage", "outage changed", "recovered")))
        .order_by(EventRow.at, EventRow.id)
    )
    problem = ""
    for action, at, detail in events:
        if action == "recovered":
            return EndedOutage(started, at, problem)
        # health.MailboxHealth._failed records "<job>: <problem>"
        problem = detail.partition(": ")[2] or detail
    return EndedOutage(started, None, problem)


def _ended_context(app: App, outage: EndedOutage) -> dict[str, Any]:
    context: dict[str, Any] = {
        "backend": app.settings.mailbox.backend,
        "problem": outage.problem,
        "ended": True,
        **_moment("since", outage.started),
    }
    if outage.ended is not None:
        context.update(_moment("until", outage.ended))
        context["lasted"] = health.span_in_words(outage.ended - outage.started)
    return context


def _moment(name: str, moment: datetime) -> dict[str, Any]:
    """`name` in words (UK time), and its day and time apart for the Welsh text."""
    local = moment.astimezone(health.LONDON)
    return {name: health.uk_time(moment), f"{name}_day": local.date(),
            f"{name}_time": f"{local:%H:%M}"}


def review_directory_alert(
    app: App, session: Session, row: OutboxRow, now: datetime
) -> Verdict:
    """Withdrawn once the directory files read again, or fail for another reason."""
    app.directory.refresh()  # as the files are now: this flush may follow a fix at once
    problem = app.directory.last_error
    if not problem:
        return Verdict(withdrawn="members.csv and officers.csv read again: the problem has "
                                 "gone (a later edit put it right)")
    if not directory_alert.is_about(row.dedup_key, problem):
        return Verdict(withdrawn="the directory's problem is another one now, which has "
                                 f"its own alert: {problem}"[:1000])
    return SEND_AS_QUEUED


def review_left_unread_alert(
    app: App, session: Session, row: OutboxRow, now: datetime
) -> Verdict:
    """Withdrawn once its message needs nobody: read after all, dealt with, or gone."""
    digest = row.dedup_key.removeprefix(f"{left_unread.PURPOSE}:")
    status = session.scalar(
        select(MessageRow.status).where(
            MessageRow.message_id.startswith(left_unread.ID_PREFIX, autoescape=True),
            MessageRow.message_id.endswith(f".{digest}{left_unread.ID_DOMAIN}", autoescape=True),
        )
    )
    if status is None:
        return Verdict(withdrawn="the message's row is gone: `mailbot status` no longer "
                                 "lists it")
    if status != MessageStatus.QUARANTINED:
        return Verdict(withdrawn="the message left unread has since been read after all, "
                                 "or dealt with by a person (mailbot quarantine done)")
    return SEND_AS_QUEUED


def review_template_alert(
    app: App, session: Session, row: OutboxRow, now: datetime
) -> Verdict:
    """Withdrawn once the council's templates can all be used, or their problem now is
    another one whose alert a restart queued. Another problem not told yet (no restart
    since): it goes, as a template still cannot be used."""
    broken = broken_templates(app.settings)  # as the files are now
    if not broken:
        return Verdict(withdrawn="the council's templates can all be used now: the problem "
                                 "has gone (the file was put right)")
    if template_fallback.is_about(row.dedup_key, broken):
        return SEND_AS_QUEUED
    if admin_alert.untold_key(session, template_fallback.alert_key(broken)) is None:
        problems = "; ".join(template.problem() for template in broken)
        return Verdict(withdrawn="the council's templates have another problem now, which "
                                 f"has its own alert: {problems}"[:1000])
    return SEND_AS_QUEUED


ALERT_CHECKS: dict[str, AlertCheck] = {
    health.ALERT_PURPOSE: review_mailbox_alert,
    directory_alert.PURPOSE: review_directory_alert,
    left_unread.PURPOSE: review_left_unread_alert,
    template_fallback.PURPOSE: review_template_alert,
}
