"""Telling the administrators, once, that an edit of members.csv or officers.csv could not
be read.

The daemon keeps the last good directory when an edit does not validate (directory.py), so
nothing breaks at once; but until someone notices, new members are strangers (their mail
waits in triage unacknowledged) and people removed are still used. A line in the log is
easily missed for weeks, so the [directory] admins get one email per problem, naming the
file and the line, as they do for a mailbox outage (health.py). One that waited in the
outbox is not sent once the files read again (mailbot.alerts_at_send).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot import admin_alert

if TYPE_CHECKING:
    from mailbot.app import App

PURPOSE = "directory_alert"


def alert_if_unreadable(app: App, now: datetime) -> bool:
    """Queue the alert for the directory's current problem, if it has one that the admins
    have not been told of. True if an alert was queued now."""
    problem = app.directory.last_error
    if not problem:
        return False
    # the date of the copy a restarted daemon runs on, if it does
    context = {"problem": problem, "kept_copy": app.directory.kept_copy}
    return admin_alert.alert_once(app, template=PURPOSE, problem_key=problem_key(problem),
                                  context=context, now=now)


def problem_key(problem: str) -> str:
    """What the alert's dedup key starts with: once per problem, across restarts."""
    return f"{PURPOSE}:{hashlib.sha256(problem.encode()).hexdigest()[:32]}"


def is_about(dedup_key: str, problem: str) -> bool:
    """The alert queued under `dedup_key` is about `problem`."""
    return dedup_key.partition(":#")[0] == problem_key(problem)
