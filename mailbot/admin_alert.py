"""An email to the [directory] admins about something only a person can put right: a
mailbox outage (health.py), a directory edit that could not be read (directory_alert.py),
a council template the daemon cannot use (template_fallback.py), mail left unread in the
mailbox (left_unread.py).

Each is queued in the outbox like any other mail, from the shared mailbox, in the
council's staff languages, and once per dedup key (an outage, a problem, a message). It is
outside the per-recipient cap for automatic replies, which is there to stop loops with
members, not to silence an administrator. Just before one goes, mailbot.alerts_at_send
looks again whether its problem is still there: an alert about a problem that has gone is
withdrawn, or (the mailbox outage) says that it has gone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mailbot import outbox
from mailbot.compose import Envelope
from mailbot.languages import staff_languages
from mailbot.render import Rendered
from mailbot.store.tables import OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def admins(app: App) -> tuple[str, ...]:
    """The [directory] admins' addresses; empty when none is set."""
    return tuple(a.strip().lower() for a in app.settings.directory.admins if a.strip())


def queue_alert(
    app: App,
    session: Session,
    *,
    template: str,
    dedup_key: str,
    context: dict[str, Any],
    now: datetime,
    purpose: str = "",
) -> OutboxRow | None:
    """Queue `template` to the admins (its outbox purpose `purpose`, else the template's
    name); None if there are none, or it is queued already. The context gets the
    council's name and the mailbox's address as `council`."""
    mail = alert_mail(app, template, context)
    if mail is None:
        return None
    rendered, envelope = mail
    return outbox.queue(
        session,
        purpose=purpose or template,
        dedup_key=dedup_key,
        case=None,
        rendered=rendered,
        envelope=envelope,
        now=now,
        automatic=False,
    )


def untold_key(session: Session, key: str) -> str | None:
    """The dedup key to queue a problem's alert under, `key` for the problem; None if the
    admins are told of it already (an alert pending or sent). An alert withdrawn at send
    time (mailbot.alerts_at_send) told nobody: the problem, back again, is told under
    `key:#2`, `key:#3` and so on."""
    statuses = session.scalars(select(OutboxRow.status).where(or_(
        OutboxRow.dedup_key == key, OutboxRow.dedup_key.startswith(f"{key}:#", autoescape=True)
    ))).all()
    if any(status != "withdrawn" for status in statuses):
        return None
    return f"{key}:#{len(statuses) + 1}" if statuses else key


def alert_once(
    app: App,
    *,
    template: str,
    problem_key: str,
    context: dict[str, Any],
    now: datetime,
    purpose: str = "",
) -> bool:
    """Queue `template` to the admins (as `purpose`, else the template's name) about the
    problem `problem_key` names, unless they were told of it already (see untold_key) or
    there are none. True if queued now."""
    if not admins(app):
        return False
    with app.store.transaction() as session:
        key = untold_key(session, problem_key)
        if key is None:
            return False
        row = queue_alert(app, session, template=template, dedup_key=key, context=context,
                          now=now, purpose=purpose)
    return row is not None


def alert_mail(
    app: App, template: str, context: dict[str, Any]
) -> tuple[Rendered, Envelope] | None:
    """`template` rendered for the admins as they are now, with the council's name and
    the mailbox's address as `council`; None if there are none. Also what a send-time
    review writes again (mailbot.alerts_at_send)."""
    to = admins(app)
    if not to:
        return None
    settings = app.settings
    council = {"name": settings.council.name, "mailbox": app.mailbox_address}
    rendered = app.renderer.render(
        template, {"council": council, **context}, staff_languages(app.policy.language, None)
    )
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=settings.mailbox.display_name,
        to=to,
        instance=settings.council.instance,
    )
    return rendered, envelope
