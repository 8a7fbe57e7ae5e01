"""What the mailbox refused in one `mailbot poll --once`: one line for each kind.

A run that sent nothing (the app lacks Mail.Send, the login may not send as the shared
mailbox) or moved nothing (no right to move, Processed cannot be made) finished without
an error: the mail waits in the outbox and the messages stay in the Inbox, as they
should, so nothing is lost. But the run looked successful to the administrator trying it
and to the timer that runs it. These lines say what was refused, how many mails or
messages wait for it, in the server's words with what to change, and the command exits
REFUSED_EXIT. A server that is busy or away is no refusal: that mail is tried again on
its own, as before.
"""

from __future__ import annotations

from sqlalchemy import func, select

from mailbot import sending_hold
from mailbot.jobs import PollReport
from mailbot.outbox import FlushReport
from mailbot.settings import Settings
from mailbot.store import Store
from mailbot.store.tables import OutboxRow
from mailbot.workdays import LONDON

REFUSED_EXIT = 4  # `mailbot poll --once`: the mailbox refused a send or a move


def refusal_lines(
    report: PollReport, flushed: FlushReport, store: Store, processed: str
) -> list[str]:
    """One line per kind of refusal in this poll and flush; none when nothing was refused.
    `processed` is the folder handled mail is moved to, as configured."""
    return [_line(*found) for found in (
        _sending_held(store),
        _mails_refused(flushed),
        _moves_refused(report, processed),
    ) if found is not None]


def processed_folder(settings: Settings) -> str:
    """The folder handled mail is moved to, as the backend in use is configured."""
    mailbox = settings.mailbox
    section = getattr(mailbox, mailbox.backend, None)
    return str(getattr(section, "processed", "Processed"))


def _line(what: str, words: str) -> str:
    return f"mailbot: refused: {what}: {words}"


def _sending_held(store: Store) -> tuple[str, str] | None:
    """Every mail refused (sending_hold): they all wait, and go once it is put right."""
    held = sending_hold.current(store)
    if held is None:
        return None
    with store.transaction() as session:
        waiting = session.scalar(
            select(func.count(OutboxRow.id)).where(OutboxRow.status == "pending")
        ) or 0
    since = held.since.astimezone(LONDON)
    return "sending mail", (
        f"{waiting} mail(s) wait in the outbox, none sent and none lost (refused since "
        f"{since:%Y-%m-%d %H:%M}); each goes once, with the first poll after this is put "
        f"right: {held.problem}"
    )


def _mails_refused(flushed: FlushReport) -> tuple[str, str] | None:
    """Mails the server refused one by one (their recipients, their content): failed."""
    if not flushed.refused:
        return None
    rows = ", ".join(str(row) for row, _ in flushed.refused)
    return "sending a mail", (
        f"{len(flushed.refused)} mail(s) refused and left failed for a person (outbox "
        f"row {rows}; `mailbot outbox list` shows them, `mailbot outbox resend ROW` sends one "
        f"again once put right): {flushed.refused[-1][1]}"
    )


def _moves_refused(report: PollReport, processed: str) -> tuple[str, str] | None:
    if not report.move_refused:
        return None
    staying = len(report.unmarked) + report.still_unmoved
    return f"moving to {processed}", (
        f"{staying} handled message(s) stay in the Inbox (recorded, and not answered "
        f"again); the first poll after this is put right moves them: {report.move_refused}"
    )
