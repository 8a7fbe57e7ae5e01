"""Reply commands: an officer answers an assignment or a reminder with one line.

    DONE                          the member has had their answer (the clock stops)
    EXTEND 5 "reason"             five more working days (or EXTEND 2026-12-18 "reason");
                                  the member is sent the reason and the new date
    REASSIGN name@council         someone else deals with it
    PAUSE "reason"                stop the clock (waiting for the member, say)
    RESUME                        start it again
    CONFIDENTIAL OK               the member's request for privacy can be kept
    CONFIDENTIAL NO "reason"      it cannot, and why (the member is told at once)
    HELP                          the list of commands

Only the first line of the new text counts (quoted history below it is ignored), so a
reply that quotes our own mail cannot trigger anything. A command is accepted only from
the case's officer, their manager or deputy, or a configured admin; anything else is
refused and recorded, and changes nothing. Parsing is pure; applying writes rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mailbot import assignment, cases, ledger, outbox
from mailbot.compose import Envelope, reply_subject
from mailbot.languages import member_languages
from mailbot.model import CaseStatus, Kind, ParsedMessage
from mailbot.store.tables import CaseRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App

VERBS = ("DONE", "EXTEND", "REASSIGN", "PAUSE", "RESUME", "CONFIDENTIAL", "HELP")
MAX_EXTENSION_DAYS = 60
MAX_REASON = 1000

# Where the quoted history of a reply begins, in the clients councils use.
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*Original Message|_{8,}|\*\s\*\s\*|\**From:\**\s|Sent:\s|On\s.+wrote:\s*$|"
    r"Ar\s.+ysgrifennodd|Le\s.+a écrit|Am\s.+schrieb)",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’"}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class Command:
    verb: str
    days: int | None = None
    new_date: date | None = None
    address: str = ""
    ok: bool | None = None
    reason: str = ""

    def describe(self) -> str:
        parts = [self.verb]
        if self.days is not None:
            parts.append(str(self.days))
        if self.new_date is not None:
            parts.append(self.new_date.isoformat())
        if self.address:
            parts.append(self.address)
        if self.ok is not None:
            parts.append("OK" if self.ok else "NO")
        if self.reason:
            parts.append(f'"{self.reason}"')
        return " ".join(parts)


@dataclass(frozen=True)
class Unparsed:
    """A line that is not a command, or a command used wrongly: why, for the help reply."""

    problem: str
    line: str


# -- parsing (pure) -------------------------------------------------------------------


def new_text(text: str) -> str:
    """The part of a reply the sender wrote: everything above the quoted history."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def _clean(line: str) -> str:
    # html2text renders bold as **DONE**; phones add a trailing full stop.
    return line.strip().strip("*_").strip()


def _reason(rest: str, following: list[str]) -> str:
    rest = rest.strip()
    if rest[:1] in _QUOTES:
        close = _QUOTES[rest[0]]
        body = rest[1:]
        if close in body:
            return body[: body.index(close)].strip()[:MAX_REASON]
        # A quoted reason may run over several lines until its closing quote.
        collected = [body]
        for line in following:
            if close in line or "”" in line:
                end = line.index(close) if close in line else line.index("”")
                collected.append(line[:end])
                break
            collected.append(line)
        return " ".join(p.strip() for p in collected if p.strip())[:MAX_REASON]
    return rest.strip(" .")[:MAX_REASON]


def _date(token: str) -> date | None:
    found = _DATE.match(token)
    if not found:
        return None
    try:
        if found.group(1):
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return date(int(found.group(6)), int(found.group(5)), int(found.group(4)))
    except ValueError:
        return None


def parse_command(text: str) -> Command | Unparsed | None:
    """The command on the first line of the new text; None if the new text is empty."""
    lines = [_clean(line) for line in new_text(text).split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return None
    first, following = lines[0], lines[1:]
    word, _, rest = first.partition(" ")
    verb = word.upper().rstrip(".!:,;")
    rest = rest.strip()
    if verb not in VERBS:
        return Unparsed("not a command", first[:200])
    if verb in ("DONE", "RESUME", "HELP"):
        return Command(verb, reason=_reason(rest, following))
    if verb == "EXTEND":
        return _parse_extend(rest, following, first)
    if verb == "REASSIGN":
        address, _, why = rest.partition(" ")
        address = address.strip("<>.,;").lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            return Unparsed("REASSIGN needs an email address: REASSIGN name@council", first)
        return Command(verb, address=address, reason=_reason(why, following))
    if verb == "PAUSE":
        reason = _reason(rest, following)
        if not reason:
            return Unparsed('PAUSE needs a reason: PAUSE "waiting for clarification"', first)
        return Command(verb, reason=reason)
    # CONFIDENTIAL OK | CONFIDENTIAL NO "reason"
    answer, _, why = rest.partition(" ")
    answer = answer.upper().rstrip(".!,")
    if answer in ("OK", "YES"):
        return Command(verb, ok=True, reason=_reason(why, following))
    if answer in ("NO", "NOT"):
        reason = _reason(why, following)
        if not reason:
            return Unparsed('CONFIDENTIAL NO needs a reason: CONFIDENTIAL NO "reason"', first)
        return Command(verb, ok=False, reason=reason)
    return Unparsed('CONFIDENTIAL needs OK or NO "reason"', first)


def _parse_extend(rest: str, following: list[str], first: str) -> Command | Unparsed:
    usage = 'EXTEND needs a number of working days and a reason: EXTEND 5 "reason"'
    token, _, after = rest.partition(" ")
    after = re.sub(r"^(working\s+)?days?\b", "", after.strip(), flags=re.IGNORECASE)
    reason = _reason(after, following)
    if token.isdigit():
        days = int(token)
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            return Unparsed(f"EXTEND takes 1 to {MAX_EXTENSION_DAYS} working days", first)
        if not reason:
            return Unparsed(usage, first)
        return Command("EXTEND", days=days, reason=reason)
    new_date = _date(token)
    if new_date is None:
        return Unparsed(usage, first)
    if not reason:
        return Unparsed(usage, first)
    return Command("EXTEND", new_date=new_date, reason=reason)


# -- who may -----------------------------------------------------------------------


def role_of(app: App, case: CaseRow, sender: str) -> str | None:
    """Why this sender may command this case, or None."""
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
    return None


def failed_authentication(message: ParsedMessage) -> str:
    """The receiving server's verdict, if it says the From address was forged."""
    results = message.headers.get("authentication-results", "").lower()
    for check in ("dmarc=fail", "spf=fail", "dkim=fail"):
        if check in results and "dmarc=pass" not in results:
            return check
    return ""


# -- applying -----------------------------------------------------------------------


@dataclass
class Result:
    ok: bool
    lines: list[str]  # what happened, for the confirmation
    queued: list[str]


def handle(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    row: MessageRow,
    now: datetime,
    *,
    via: str,
) -> tuple[str, list[str]]:
    """A message answering our mail to an officer (or tagged by one): apply the command
    it carries, answer the sender. Returns (what happened, outbox purposes queued)."""
    assert message.sender is not None
    sender = message.sender.email
    parsed = parse_command(message.text)
    role = role_of(app, case, sender)
    forged = failed_authentication(message)
    if isinstance(parsed, Command) and parsed.verb != "HELP" and (role is None or forged):
        why = f"{forged} in Authentication-Results" if forged else "not the case's officer, "
        why += "" if forged else "their manager or deputy, or an admin"
        ledger.record_event(
            session,
            now,
            sender,
            "command refused",
            f"{parsed.describe()}: {why}",
            case=case,
            message=row,
        )
        queued = []
        if _may_answer(app, sender) and not forged:
            queued += _reply(
                app,
                session,
                case,
                message,
                now,
                ok=False,
                lines=[
                    f"{parsed.verb} was not applied to {case.ref}: only the officer dealing with "
                    "it, their manager or deputy, or an administrator can change a case.",
                ],
            )
        return "command refused", queued
    if parsed is None or isinstance(parsed, Unparsed) or parsed.verb == "HELP":
        if isinstance(parsed, Unparsed):
            ledger.record_event(
                session, now, sender, "officer note", parsed.line[:300], case=case, message=row
            )
        queued = _help(app, session, case, message, now, parsed) if _may_answer(app, sender) else []
        return "no command; help sent" if queued else "no command", queued
    assert role is not None
    result = APPLY[parsed.verb](app, session, case, parsed, sender, row, now)
    ledger.record_event(
        session,
        now,
        sender,
        "command" if result.ok else "command rejected",
        f"{parsed.describe()} ({role}, {via}): {'; '.join(result.lines)}"[:2000],
        case=case,
        message=row,
    )
    queued = result.queued + _reply(
        app, session, case, message, now, ok=result.ok, lines=result.lines
    )
    return f"{parsed.verb} {'applied' if result.ok else 'not applied'}", queued


def _may_answer(app: App, sender: str) -> bool:
    """We write back to officers and admins only: never to strangers (backscatter)."""
    admins = {a.lower() for a in app.settings.directory.admins}
    return app.directory.officer(sender) is not None or sender in admins


def _closed(case: CaseRow) -> Result | None:
    if case.status in (CaseStatus.RESPONDED, CaseStatus.CLOSED):
        return Result(False, [f"{case.ref} is already answered; nothing changed."], [])
    return None


def apply_done(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    closed = _closed(case)
    if closed:
        return closed
    cases.record_response(session, case, sender, now)
    cases.refresh_deadlines(app, session, case)
    return Result(True, [f"{case.ref} is marked as answered; no more reminders will be sent."], [])


def apply_extend(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    closed = _closed(case)
    if closed:
        return closed
    if case.kind == Kind.FOI.value:
        return Result(
            False,
            [
                "The date for an FOI request is set by law (20 working days); it cannot be "
                "extended by command. Ask the FOI team about a public interest extension.",
            ],
            [],
        )
    if not app.policy.clock.extension_by_agreement:
        return Result(False, [f"{app.policy.council}'s protocol does not allow extensions."], [])
    current = cases.deadlines_for(app, session, case).response_due
    if current is None:
        return Result(False, [f"{case.ref} is paused; RESUME it before extending."], [])
    calendar = app.policy.council_calendar()
    if command.days is not None:
        new_due = calendar.add_working_days(current, command.days)
    else:
        assert command.new_date is not None
        new_due = calendar.next_working_day(command.new_date)
        if new_due <= current:
            return Result(
                False,
                [
                    f"{new_due:%d %B %Y} is not later than the current date, {current:%d %B %Y}.",
                ],
                [],
            )
    cases.add_clock_event(
        session, case, "extend", who=sender, why=command.reason, now=now, new_due=new_due
    )
    cases.refresh_deadlines(app, session, case)
    case.updated_at = now
    queued = tell_member(
        app,
        session,
        case,
        row,
        now,
        "extension_notice",
        {
            "reason": command.reason,
            "old_due": current,
            "new_due": case.response_due,
            "officer_name": app.directory.display(case.officer_email or sender),
        },
    )
    return Result(
        True,
        [
            f"The response date of {case.ref} is now {_long(case.response_due)} "
            f"(was {_long(current)}).",
            "The member has been sent your reason and the new date.",
        ],
        queued,
    )


def apply_reassign(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    closed = _closed(case)
    if closed:
        return closed
    target = command.address
    teams = {app.policy.routing.foi_team, app.policy.routing.monitoring_officer}
    if app.policy.routing.complaints != "service-director":
        teams.add(app.policy.routing.complaints)
    if app.directory.officer(target) is None and target not in teams:
        return Result(False, [f"{target} is not in the officers directory; nothing changed."], [])
    if target == case.officer_email:
        return Result(False, [f"{case.ref} is already with {target}."], [])
    previous = case.officer_email or "nobody"
    case.officer_email = target
    case.updated_at = now
    lines = [f"{case.ref} is now with {app.directory.display(target)} ({target})."]
    if case.status == CaseStatus.PAUSED:
        cases.add_clock_event(
            session, case, "resume", who=sender, why=f"reassigned to {target}", now=now
        )
        case.status = CaseStatus.OPEN
        lines.append("The response clock is running again.")
    cases.refresh_deadlines(app, session, case)
    why = f"from {previous} by {sender}" + (f": {command.reason}" if command.reason else "")
    ledger.record_event(session, now, sender, "reassigned", f"to {target} {why}", case=case)
    message = cases.original_message(session, case)
    queued = assignment.queue_officer_mail(
        app,
        session,
        case,
        to=target,
        purpose="assignment",
        dedup_key=f"assignment:{case.id}:{row.message_id}"[:200],
        headline=f"{app.directory.display(sender)} has passed this case to you.",
        why=why,
        message=message,
        now=now,
    )
    return Result(True, lines, [queued] if queued else [])


def apply_pause(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    closed = _closed(case)
    if closed:
        return closed
    if case.status == CaseStatus.PAUSED:
        return Result(False, [f"{case.ref} is already paused."], [])
    cases.add_clock_event(session, case, "pause", who=sender, why=command.reason, now=now)
    case.status = CaseStatus.PAUSED
    case.updated_at = now
    cases.refresh_deadlines(app, session, case)
    ledger.record_event(session, now, sender, "paused", command.reason, case=case)
    return Result(
        True,
        [
            f"The response clock of {case.ref} is paused ({command.reason}).",
            "Reply RESUME when it should run again; the days in between will not count.",
        ],
        [],
    )


def apply_resume(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    if case.status != CaseStatus.PAUSED:
        return Result(False, [f"{case.ref} is not paused."], [])
    cases.add_clock_event(
        session, case, "resume", who=sender, why=command.reason or "resumed by command",
        now=now,
    )
    case.status = CaseStatus.OPEN
    case.updated_at = now
    cases.refresh_deadlines(app, session, case)
    ledger.record_event(session, now, sender, "resumed", command.reason, case=case)
    return Result(
        True,
        [
            f"The response clock of {case.ref} is running again: due {_long(case.response_due)}.",
        ],
        [],
    )


def apply_confidential(
    app: App,
    session: Session,
    case: CaseRow,
    command: Command,
    sender: str,
    row: MessageRow,
    now: datetime,
) -> Result:
    if not (case.confidential or case.kind == Kind.CONFIDENTIALITY.value):
        return Result(False, [f"{case.ref} is not a request for confidentiality."], [])
    action = "confidentiality confirmed" if command.ok else "confidentiality declined"
    ledger.record_event(session, now, sender, action, command.reason, case=case)
    case.updated_at = now
    queued = tell_member(
        app,
        session,
        case,
        row,
        now,
        "confidentiality_result",
        {
            "ok": bool(command.ok),
            "reason": command.reason,
            "officer_name": app.directory.display(case.officer_email or sender),
        },
    )
    said = "can be kept confidential" if command.ok else "cannot be kept confidential"
    return Result(True, [f"The member has been told that {case.ref} {said}."], queued)


APPLY = {
    "DONE": apply_done,
    "EXTEND": apply_extend,
    "REASSIGN": apply_reassign,
    "PAUSE": apply_pause,
    "RESUME": apply_resume,
    "CONFIDENTIAL": apply_confidential,
}


# -- mail ---------------------------------------------------------------------------


def _long(value: date | None) -> str:
    from mailbot.render import long_date

    return long_date(value) if value else "(no date while paused)"


def _envelope(app: App, to: str, in_reply_to: str | None, references: list[str]) -> Envelope:
    return Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(to,),
        in_reply_to=in_reply_to,
        references=references,
        instance=app.settings.council.instance,
    )


def tell_member(
    app: App,
    session: Session,
    case: CaseRow,
    row: MessageRow,
    now: datetime,
    template: str,
    extra: dict[str, Any],
    *,
    in_reply_to: ParsedMessage | None = None,
) -> list[str]:
    """A letter to the member in their own thread (Welsh first if they prefer Welsh)."""
    member = app.directory.member(case.member_email)
    if member is None and not app.settings.directory.acknowledge_unknown_senders:
        return []
    languages = member_languages(app.policy.language, member.language if member else None)
    name = member.name if member else (case.member_name or "Councillor")
    context = {
        "council": assignment.council_context(app),
        "member": {"name": name, "salutation": name},
        "case": {
            "ref": case.ref,
            "kind_label": cases.KIND_LABELS[Kind(case.kind)],
            "received": case.received_at.astimezone(cases.LONDON).date(),
            "response_due": case.response_due,
        },
        "reply_subject": reply_subject(case.subject, case.ref),
        **extra,
    }
    rendered = app.renderer.render(template, context, languages)
    queued = outbox.queue(
        session,
        purpose=template,
        dedup_key=f"{template}:{case.id}:{row.message_id}"[:200],
        case=case,
        rendered=rendered,
        envelope=_envelope(
            app,
            case.member_email,
            in_reply_to.message_id if in_reply_to else case.root_message_id,
            in_reply_to.references if in_reply_to else [],
        ),
        now=now,
    )
    if queued is None:
        return []
    ledger.record_event(
        session, now, "mailbot", f"{template} queued", f"to {case.member_email}", case=case
    )
    return [template]


def _reply(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    now: datetime,
    *,
    ok: bool,
    lines: list[str],
) -> list[str]:
    assert message.sender is not None
    context = {
        "council": assignment.council_context(app),
        "case": {
            "ref": case.ref,
            "status": case.status,
            "response_due": case.response_due,
            "officer": case.officer_email or "",
        },
        "ok": ok,
        "lines": lines,
        "subject": reply_subject(message.subject, case.ref),
    }
    rendered = app.renderer.render("command_reply", context)
    queued = outbox.queue(
        session,
        purpose="command_reply",
        dedup_key=f"command_reply:{message.message_id}"[:200],
        case=case,
        rendered=rendered,
        envelope=_envelope(app, message.sender.email, message.message_id, message.references),
        now=now,
    )
    return ["command_reply"] if queued is not None else []


def _help(
    app: App,
    session: Session,
    case: CaseRow | None,
    message: ParsedMessage,
    now: datetime,
    parsed: Unparsed | Command | None,
) -> list[str]:
    """The list of commands, at most once a day per sender (a chatty thread or a loop
    with a human-looking robot gets one help mail, not one per message)."""
    assert message.sender is not None
    sender = message.sender.email
    day = now.astimezone(cases.LONDON).date().isoformat()
    problem = parsed.problem if isinstance(parsed, Unparsed) else ""
    context = {
        "council": assignment.council_context(app),
        "ref": case.ref if case is not None else "",
        "problem": problem,
        "line": parsed.line if isinstance(parsed, Unparsed) else "",
        "subject": reply_subject(message.subject, case.ref)
        if case is not None
        else f"Re: {message.subject[:150]}",
    }
    rendered = app.renderer.render("command_help", context)
    queued = outbox.queue(
        session,
        purpose="command_help",
        dedup_key=f"command_help:{sender}:{day}"[:200],
        case=case,
        rendered=rendered,
        envelope=_envelope(app, sender, message.message_id, message.references),
        now=now,
    )
    return ["command_help"] if queued is not None else []
