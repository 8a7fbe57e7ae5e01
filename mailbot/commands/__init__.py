"""Reply commands: an officer answers an assignment or a reminder with one line.

    DONE                          the member has had their answer (the clock stops)
    EXTEND 5 "reason"             five more working days (or EXTEND 2026-12-18 "reason");
                                  the member is sent the reason and the new date
    REASSIGN name@council.gov.uk  someone else deals with it
    PAUSE "reason"                stop the clock (waiting for the member, say)
    RESUME                        start it again
    CONFIDENTIAL OK               the member's request for privacy can be kept
    CONFIDENTIAL NO "reason"      it cannot, and why (the member is told at once)
    SAR / SAR NO                  it is (is not) a subject access request: the mark
    VERIFIED                      mail held as possibly forged is the member's (checked
                                  with them): out of triage, the member acknowledged
    HELP                          the list of commands

The package, one idea a module: parse (the command in the reply's first new line; pure),
authority (who may give it), handlers (one per verb, from a table; VERIFIED's is
verify), letters (the mail a command causes). handle() below puts them together for the
pipeline. A command from anyone else than the case's officer, their manager or deputy, or
an admin is refused and recorded, and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import cases, ledger
from mailbot.addresses import same_address
from mailbot.commands.authority import (
    complaint_about_sender,
    failed_authentication,
    may_answer,
    refusal,
    role_of,
)
from mailbot.commands.extend import apply_extend
from mailbot.commands.handlers import (
    APPLY,
    Action,
    apply_confidential,
    apply_done,
    apply_pause,
    apply_reassign,
    apply_resume,
    dispatch,
)
from mailbot.commands.letters import (
    tell_member,
    tell_member_clarification_received,
    tell_member_fee_received,
    tell_member_reply_moved_the_date,
)
from mailbot.commands.outcome import Context, Result
from mailbot.commands.parse import (
    MAX_EXTENSION_DAYS,
    MAX_REASON,
    NOT_A_COMMAND,
    VERBS,
    Command,
    Unparsed,
    later_commands,
    new_text,
    parse_command,
    subject_command,
)
from mailbot.commands.replies import (
    COMMAND_NOT_READ_A_DAY,
    queue_help,
    queue_not_read,
    queue_reply,
)
from mailbot.intake import receipt_time
from mailbot.languages import Bilingual, with_cy
from mailbot.member_cases import shown_as_confidential
from mailbot.model import ParsedMessage
from mailbot.store.tables import CaseRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App

NOTE_LIMIT = 600  # characters of an officer's reply kept in the timeline

__all__ = [
    "APPLY",
    "MAX_EXTENSION_DAYS",
    "MAX_REASON",
    "VERBS",
    "Action",
    "Command",
    "Context",
    "Result",
    "Unparsed",
    "apply_confidential",
    "apply_done",
    "apply_extend",
    "apply_pause",
    "apply_reassign",
    "apply_resume",
    "failed_authentication",
    "handle",
    "handle_without_case",
    "new_text",
    "parse_command",
    "role_of",
    "tell_member",
    "tell_member_clarification_received",
    "tell_member_fee_received",
    "tell_member_reply_moved_the_date",
]


def handle(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    row: MessageRow,
    now: datetime,
    *,
    via: str,
    given_at: datetime | None = None,
) -> tuple[str, list[str]]:
    """A message answering our mail to an officer (or tagged by one): apply the command
    it carries, answer the sender. Returns (what happened, outbox purposes queued)."""
    assert message.sender is not None
    sender = message.sender.email
    parsed = parse_command(message.text, today=now.astimezone(cases.LONDON).date())
    if via == "reply" and not isinstance(parsed, Command):
        # Our own subject, with DONE typed in front of it and nothing but a signature below.
        parsed = subject_command(message.subject) or parsed
    role = role_of(app, case, sender, session)
    forged = failed_authentication(message)
    about_them = role is None and complaint_about_sender(session, case, sender)
    refused = refusal(role, forged, about_them=about_them)
    # HELP changes nothing, so anyone we write back to may ask for it.
    if isinstance(parsed, Command) and parsed.verb != "HELP" and refused:
        ledger.record_event(
            session,
            now,
            sender,
            "command refused",
            f"{parsed.describe()}: {refused}",
            case=case,
            message=row,
        )
        queued: list[str] = []
        # A forged From would aim our refusal at the person it names: no reply.
        if may_answer(app, sender) and not forged:
            queued += queue_reply(
                app,
                session,
                case,
                message,
                now,
                ok=False,
                lines=_not_applied(app, case, sender, parsed.verb, about_them=about_them),
            )
        return "command refused", queued
    if not isinstance(parsed, Command) or parsed.verb == "HELP":
        queued = []
        if may_answer(app, sender):
            queued = queue_help(app, session, case, message, now, parsed)
            if not queued and _a_command_not_read(parsed) and not forged:
                assert isinstance(parsed, Unparsed)
                queued = queue_not_read(app, session, case, message, now, parsed)
        if isinstance(parsed, Unparsed):
            ledger.record_event(
                session, now, sender, "officer note",
                _officer_note(case, message, parsed, sent=queued,
                              may_send=may_answer(app, sender)),
                case=case, message=row,
            )
        return "no command; help sent" if queued else "no command", queued
    assert role is not None
    if parsed.refs and case.ref not in parsed.refs:
        return _names_another_case(app, session, case, message, row, now, parsed)
    holder = case.officer_email  # before a REASSIGN moves it
    result = dispatch(Context(app, session, case, sender, row, now, given_at or now), parsed)
    ledger.record_event(
        session,
        now,
        sender,
        "command" if result.ok else "command rejected",
        f"{parsed.describe()} ({role}, {via}): {'; '.join(result.lines)}"[:2000],
        case=case,
        message=row,
    )
    # A manager, deputy or admin changing an officer's case: the officer is copied in, so
    # they do not go on working to a date or a case that is no longer theirs. Not one gone
    # from officers.csv: their address may bounce.
    told = (
        [holder]
        if result.ok and holder and not same_address(holder, sender)
        and app.directory.officer(holder)
        else []
    )
    queued = result.queued + queue_reply(
        app, session, case, message, now, ok=result.ok,
        lines=[*result.lines, *_not_read(later_commands(message.text))], cc=told,
    )
    return f"{parsed.verb} {'applied' if result.ok else 'not applied'}", queued


NAMES_NO_CASE = Bilingual(
    "your mail names no case (it is not a reply to a case's assignment or reminder, and its "
    "subject has no case reference in square brackets)",
    "nid yw eich neges yn enwi achos (nid yw'n ateb i neges aseinio neu nodyn atgoffa achos, "
    "ac nid oes cyfeirnod achos mewn cromfachau sgwâr yn ei llinell bwnc)",
)


def handle_without_case(
    app: App, session: Session, command: Command, message: ParsedMessage, row: MessageRow,
    now: datetime,
) -> tuple[str, list[str]]:
    """A command written by a member of staff as a new mail, naming no case. Nothing is
    applied (mailbot does not guess which case was meant) and no case is opened for it;
    the sender is sent the list of commands, told why it was not applied, at most once a
    day; or, for HELP, the list each time they ask. Returns (what happened, outbox
    purposes queued)."""
    assert message.sender is not None
    sender = message.sender.email
    named = _named_case(session, command)
    if named is not None:
        # "DONE MB-2026-00002" in answer to the daily summary, or as a new mail: the case
        # it names, with the same checks as a reply to that case's own reminder.
        given_at = cases.clock_time(session, named, receipt_time(message, row.received_at))
        return handle(app, session, named, message, row, now, via="reference in the text",
                      given_at=given_at)
    asked = command.verb == "HELP"
    why = _why_no_case(command)
    if not asked:
        noted = "names no case" if why is NAMES_NO_CASE else why.split(":")[0]
        ledger.record_event(session, now, sender, "command without a case",
                            f"{command.describe()}: {noted}, not applied", message=row)
    queued: list[str] = []
    if may_answer(app, sender) and not failed_authentication(message):
        answer = command if asked else Unparsed(why, command.describe())
        queued = queue_help(app, session, None, message, now, answer)
        if not queued and isinstance(answer, Unparsed):
            queued = queue_not_read(app, session, None, message, now, answer)
    what = "help asked, no case" if asked else "command naming no case"
    return f"{what}; help sent" if queued else what, queued


def _not_read(lines: list[str]) -> list[Bilingual]:
    """The confirmation's word on commands for other cases below the first line: not
    applied, so an officer answering the summary line by line does not take them as done."""
    if not lines:
        return []
    quoted = "; ".join(f'"{line[:120]}"' for line in lines)
    return [Bilingual(
        f"Only the first line of a mail is read, so this was not applied: {quoted}. Send "
        "one mail per case.",
        f"Dim ond llinell gyntaf neges sy'n cael ei darllen, felly ni weithredwyd hyn: "
        f"{quoted}. Anfonwch un neges ar gyfer pob achos.",
    )]


def _named_case(session: Session, command: Command) -> CaseRow | None:
    """The one case a command names by its reference, if it names exactly one we have."""
    if len(command.refs) != 1:
        return None
    return session.scalar(select(CaseRow).where(CaseRow.ref == command.refs[0]))


def _why_no_case(command: Command) -> Bilingual:
    """Why a command written outside any case's thread was not applied, for the help mail."""
    if len(command.refs) > 1:
        listed = ", ".join(command.refs)
        return Bilingual(
            f"your mail names {len(command.refs)} cases ({listed}), and one command changes "
            "one case: send one mail per case, with its reference in the subject",
            f"mae eich neges yn enwi {len(command.refs)} achos ({listed}), ac mae un "
            "gorchymyn yn newid un achos: anfonwch un neges ar gyfer pob achos, gyda'i "
            "gyfeirnod yn y llinell bwnc",
        )
    if command.refs:
        return Bilingual(
            f"there is no case {command.refs[0]}: check the reference",
            f"nid oes achos {command.refs[0]}: gwiriwch y cyfeirnod",
        )
    return NAMES_NO_CASE


def _names_another_case(
    app: App, session: Session, case: CaseRow, message: ParsedMessage, row: MessageRow,
    now: datetime, parsed: Command,
) -> tuple[str, list[str]]:
    """A command in a case's thread that names only other cases ("DONE MB-2026-00007" in
    a reply to MB-2026-00003's reminder): which was meant cannot be told, so neither is
    changed and the officer is told how to name the case."""
    assert message.sender is not None
    listed = ", ".join(parsed.refs)
    ledger.record_event(
        session, now, message.sender.email, "command rejected",
        f"{parsed.describe()}: names {listed}, not this case; not applied",
        case=case, message=row,
    )
    queued = queue_reply(app, session, case, message, now, ok=False, lines=[
        Bilingual(
            f"{parsed.verb} was not applied: it names {listed}, but your mail is about "
            f"{case.ref}, so nothing was changed. To change {listed}, reply to its "
            f"assignment or a reminder, or send a mail with [{parsed.refs[0]}] in the subject.",
            f"Ni chafodd {parsed.verb} ei weithredu: mae'n enwi {listed}, ond mae eich neges "
            f"am {case.ref}, felly ni newidiwyd dim. I newid {listed}, atebwch ei neges "
            f"aseinio neu nodyn atgoffa, neu anfonwch neges gyda [{parsed.refs[0]}] yn y "
            "llinell bwnc.",
        )
    ])
    return f"{parsed.verb} not applied", queued


def _not_applied(
    app: App, case: CaseRow, sender: str, verb: str, *, about_them: bool
) -> list[Bilingual]:
    """The refusal's lines: why, and for a colleague, how the case could become theirs."""
    if about_them:
        return [Bilingual(
            f"{verb} was not applied to {case.ref}: this complaint is about you, so it is "
            "for others to deal with. Nothing has changed.",
            f"Ni chafodd {verb} ei weithredu ar {case.ref}: mae'r gŵyn hon amdanoch chi, "
            "felly eraill sy'n delio â hi. Nid oes dim wedi newid.",
        )]
    return [
        Bilingual(
            f"{verb} was not applied to {case.ref}: only the officer dealing with it, their "
            "manager or deputy, or an administrator can change a case.",
            f"Ni chafodd {verb} ei weithredu ar {case.ref}: dim ond y swyddog sy'n delio ag "
            "ef, eu rheolwr neu eu dirprwy, neu weinyddwr all newid achos.",
        ),
        *_how_to_take_it_on(app, case, sender),
    ]


def _how_to_take_it_on(app: App, case: CaseRow, sender: str) -> list[Bilingual]:
    """For a colleague refused (say, one a case was forwarded to): who holds the case, and
    how it becomes theirs, so the refusal is not a dead end."""
    if not case.officer_email:
        return []
    holder = f"{app.directory.display(case.officer_email)} ({case.officer_email})"
    return [
        Bilingual(
            f"It is with {holder}. If it should be yours, ask them to reply to their "
            f"assignment or a reminder with: REASSIGN {sender}",
            f"Mae'r achos {with_cy(holder, 'gyda')}. Os dylai fod yn eiddo i chi, gofynnwch "
            f"iddynt ateb eu neges aseinio neu nodyn atgoffa gyda: REASSIGN {sender}",
        )
    ]


def _a_command_not_read(parsed: Unparsed | Command | None) -> bool:
    """Whether the officer wrote a command mailbot could not read ('RESUME 32/12/2026'),
    not words meant for the member or a HELP: they expect it done, so they are told it was
    not, even after the day's list of commands (queue_not_read)."""
    return isinstance(parsed, Unparsed) and parsed.problem != NOT_A_COMMAND


def _officer_note(
    case: CaseRow, message: ParsedMessage, parsed: Unparsed, *, sent: list[str],
    may_send: bool,
) -> str:
    """What the officer wrote and what became of it, for the case's timeline: often an
    answer meant for the member, and the help mail goes at most once a day, so a second
    one that day is kept only here (a command not read gets a short reply, up to
    COMMAND_NOT_READ_A_DAY a day). A confidential case keeps only its first line."""
    words = parsed.line if shown_as_confidential(case) else " ".join(new_text(message.text).split())
    if len(words) > NOTE_LIMIT:
        words = words[: NOTE_LIMIT - 1] + "…"
    if "command_help" in sent:
        outcome = "the list of commands was sent"
    elif sent:
        outcome = "they were sent a short reply that it was not applied"
    elif may_send and _a_command_not_read(parsed):
        outcome = ("nothing was sent: the day's replies to commands not read were all sent "
                   f"({COMMAND_NOT_READ_A_DAY})")
    elif may_send:
        outcome = "nothing was sent: the list of commands goes at most once a day"
    else:
        outcome = "nothing was sent"
    return f"{words} ({parsed.problem}, not passed to the member; {outcome})"

