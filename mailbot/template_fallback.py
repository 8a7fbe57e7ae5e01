"""The daemon started while one of the council's own templates (the `templates/` folder
beside its config) cannot be used: Jinja cannot read it, it is not UTF-8, or a letter's
first line is no longer its subject (template_check.py).

Before, every mail made from it failed when it was rendered: each member's enquiry was
quarantined at its acknowledgement, with no case, no clock and no reply, and nobody was
told. `mailbot run` must not leave the mailbox unattended for a mistake in a letter's
wording, so it uses mailbot's own template in place of each broken one (the member is
told what mailbot's own letter says, which is correct, in the shipped wording), logs one
ERROR for each, and emails the [directory] admins once, as for a directory that does not
validate (directory_alert.py). Templates are read when mailbot starts: the council's file
is used again once it is put right and the daemon restarted. `mailbot poll --once`
refuses instead (exit 2), as it does for a directory that does not validate.

A council template that Jinja reads but that fails while a mail is made from it (a value
mailbot does not give that letter) is found only then: the renderer makes that mail from
mailbot's own templates (render.py) and the daemon tells the admins once, after the job
(alert_made_with_own).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot import admin_alert
from mailbot.render import Renderer, TemplateFault, route_greetings
from mailbot.template_check import BrokenTemplate, broken_templates, override_folder

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

PURPOSE = "template_alert"
MADE_PURPOSE = "template_made_alert"  # its own purpose: a send-time review of PURPOSE's
# alerts asks check-config's questions, which cannot see a fault found making a mail


def fallback_line(broken: BrokenTemplate) -> str:
    """The one line the daemon logs at ERROR for a template, and `mailbot status` shows."""
    return (f"{broken.where}: {broken.what}; mailbot's own {broken.name} is used instead "
            "until it is put right and mailbot restarted (`mailbot check-config` checks it)")


def use_own_for_broken(app: App) -> list[BrokenTemplate]:
    """Give `app` a renderer that uses mailbot's own template for each council template it
    cannot use, and log each at ERROR; the broken ones (none: the renderer is as it was)."""
    broken = broken_templates(app.settings)
    if not broken:
        return []
    app.renderer = Renderer(override_folder(app.settings), route_greetings(app.policy.routing),
                            skip={name for template in broken for name in _both_parts(template)})
    for template in broken:
        log.error("templates: %s", fallback_line(template))
    return broken


def _both_parts(template: BrokenTemplate) -> tuple[str, ...]:
    """The broken template and its letter's other part ("ack.txt" and "ack.html"): a
    letter is made from mailbot's own in full, not the council's text beside mailbot's
    HTML. A partial is only itself."""
    stem, dot, ext = template.name.rpartition(".")
    if template.name.startswith("_partials/") or not dot or ext not in ("txt", "html"):
        return (template.name,)
    return (f"{stem}.txt", f"{stem}.html")


def alert_key(broken: list[BrokenTemplate]) -> str:
    """What the alert's dedup key starts with: once per set of problems, across restarts."""
    said = "\n".join(template.problem() for template in broken)
    return f"{PURPOSE}:{hashlib.sha256(said.encode()).hexdigest()[:32]}"


def is_about(dedup_key: str, broken: list[BrokenTemplate]) -> bool:
    """The alert queued under `dedup_key` is about `broken`, the templates' problems now."""
    return dedup_key.partition(":#")[0] == alert_key(broken)


def alert_if_broken(app: App, broken: list[BrokenTemplate], now: datetime) -> bool:
    """Queue the admins' alert about `broken`, unless they were told of it already (or
    there are no admins). True if an alert was queued now. One withdrawn unsent, the file
    put right meanwhile (mailbot.alerts_at_send), told nobody: the problem back is told."""
    if not broken:
        return False
    context = {"problems": [fallback_line(template) for template in broken]}
    return admin_alert.alert_once(app, template=PURPOSE, problem_key=alert_key(broken),
                                  context=context, now=now)


def alert_made_with_own(app: App, now: datetime) -> int:
    """Tell the admins, once each, of the council templates that failed while mail was
    made since the last call (app.renderer.faults); how many alerts were queued. A fault
    left untold because the database failed is told after the next job."""
    faults, queued = list(app.renderer.faults), 0
    for fault in faults:
        queued += _alert_fault(app, fault, now)
        app.renderer.faults.remove(fault)
    return queued


def _alert_fault(app: App, fault: TemplateFault, now: datetime) -> bool:
    said = f"{fault.path}:{fault.line}: {fault.what}"
    key = f"{PURPOSE}:made:{hashlib.sha256(said.encode()).hexdigest()[:32]}"
    context = {"problems": [fault.line_for_admins()], "found_when": "making"}
    return admin_alert.alert_once(app, template=PURPOSE, problem_key=key, context=context,
                                  now=now, purpose=MADE_PURPOSE)
