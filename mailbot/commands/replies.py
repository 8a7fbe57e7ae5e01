"""The mail a command causes to whoever gave it: the confirmation or refusal, the list of
commands (HELP), and the reply to a command that could not be read. Each one is an outbox
row; nothing is sent here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot import assignment, cases, outbox
from mailbot.acknowledgement import subject_access_context
from mailbot.addresses import address_key
from mailbot.commands.letters import from_the_mailbox
from mailbot.commands.parse import NOT_A_COMMAND, Command, Unparsed
from mailbot.compose import reply_subject, untagged_subject
from mailbot.languages import Bilingual, Languages, staff_languages, welsh_of
from mailbot.member_cases import shown_as_confidential
from mailbot.model import FINISHED, CaseStatus, Kind, ParsedMessage
from mailbot.plaintext import header_safe
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.typed_date import extend_example, past_the_law_s_date, typed_date

if TYPE_CHECKING:
    from mailbot.app import App


def _officer_languages(app: App, case: CaseRow | None) -> Languages:
    """Answers to officers' commands go in the languages of the case's other officer mail:
    both in a bilingual council, Welsh first when the member prefers Welsh."""
    member = app.directory.member(case.member_email) if case is not None else None
    return staff_languages(app.policy.language, member.language if member else None)


def queue_reply(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    now: datetime,
    *,
    ok: bool,
    lines: Sequence[str],
    cc: Sequence[str] = (),
    dedup_key: str = "",
) -> list[str]:
    """The answer to the officer's command: what was done, or why nothing was. `lines`
    are languages.Bilingual where mailbot wrote them, so the Welsh part has its own. `cc`:
    who else should know (the officer, when their manager changed their case).
    `dedup_key`: the outbox row's, when not the message's own (one answer a message)."""
    member = app.directory.member(case.member_email)
    context = {
        "council": assignment.council_context(app),
        "case": {
            "ref": case.ref,
            "status": case.status,
            "response_due": case.response_due,
            "overdue": cases.working_days_overdue(app, case, now.astimezone(cases.LONDON).date()),
            "officer": _name_and_address(app, case.officer_email),
            # Which case this is, as the assignment named it: the officer may hold many.
            "kind": case.kind,
            "kind_label": cases.KIND_LABELS[Kind(case.kind)],
            "member": member.name if member else (case.member_name or case.member_email),
            "ward": member.ward if member else "",
            "subject": "" if shown_as_confidential(case) else untagged_subject(case.subject)[:200],
        },
        "ok": ok,
        "lines": [str(line) for line in lines],
        "lines_cy": [welsh_of(line) for line in lines],
        "subject": reply_subject(message.subject, case.ref),
    }
    # One answer a message: the same reply fetched twice is not answered twice.
    dedup_key = dedup_key or f"command_reply:{message.message_id}"
    return _answer(
        app, session, now, message, case, "command_reply", dedup_key, context,
        _officer_languages(app, case), cc=cc,
    )


def queue_help(
    app: App,
    session: Session,
    case: CaseRow | None,
    message: ParsedMessage,
    now: datetime,
    parsed: Unparsed | Command | None,
    *,
    short_note: Bilingual | None = None,
    dedup_key: str = "",
) -> list[str]:
    """The list of commands: for mail that was not read as a command, at most once a day
    per sender (a chatty thread or a loop with a human-looking robot gets one help mail,
    not one per message); for an explicit HELP, each time it is asked (one per message:
    the outbox's per-address guard still holds). With a `short_note` (and its own
    `dedup_key`), only why it was not applied and that note, in place of the list
    (queue_not_read)."""
    assert message.sender is not None
    sender = message.sender.email
    day = now.astimezone(cases.LONDON).date().isoformat()
    asked = isinstance(parsed, Command) and parsed.verb == "HELP"
    problem = parsed.problem if isinstance(parsed, Unparsed) else ""
    context = {
        "council": assignment.council_context(app),
        "ref": case.ref if case is not None else "",
        "problem": str(problem),
        "problem_cy": welsh_of(problem),
        "not_a_command": problem == NOT_A_COMMAND,
        # HELP itself: the list, without "it did not find a command there".
        "asked": asked,
        # EXTEND is refused on an FOI case or under a protocol without extensions.
        "extendable": case is None or app.policy.can_extend(Kind(case.kind)),
        "line": parsed.line if isinstance(parsed, Unparsed) else "",
        # An officer writing weeks after the answer is told so, not handed commands to run.
        "answered_on": _answered_on(case),
        # One who wrote to mailbot meaning it for the member is told the clock still runs.
        "still_due": _still_due(case),
        "member": _member_name(app, case),
        "subject": reply_subject(message.subject, case.ref)
        if case is not None
        else _caseless_reply_subject(message.subject),
        "short": short_note is not None,
        "short_note": str(short_note or ""),
        "short_note_cy": welsh_of(short_note or ""),
        # RESUME's example date: the day this is written, not one gone by next year.
        "today_typed": typed_date(now.astimezone(cases.LONDON).date()),
        # EXTEND's example date (and reason): one to come that EXTEND takes for this case.
        **_extend_example(app, case, now.astimezone(cases.LONDON).date()),
    }
    if not dedup_key:
        asked_key = f":asked:{message.message_id}" if asked else ""
        dedup_key = f"command_help:{sender}:{day}{asked_key}"
    return _answer(
        app, session, now, message, case, "command_help", dedup_key, context,
        _officer_languages(app, case),
    )


# Short replies a sender is sent in a day (London) to commands mailbot could not read,
# after that day's list of commands: an officer whose second try ('RESUME 24/12 fee
# received' after 'RESUME 32/12/2026') goes unanswered takes it for done, so each gets
# one; but a human-looking robot the loop guard did not catch, writing a command line
# back at every reply, gets at most this many a day (a person seldom sends ten commands
# mailbot cannot read in a day) and nobody is alerted. Counted by outbox dedup keys.
COMMAND_NOT_READ_A_DAY = 10
_NOT_READ_KEY = "command_not_read"


def queue_not_read(
    app: App, session: Session, case: CaseRow | None, message: ParsedMessage, now: datetime,
    parsed: Unparsed,
) -> list[str]:
    """A short 'Not done.' reply to a command mailbot could not read (or, `case` None, one
    naming no case), for a sender who has had the day's list of commands (queue_help): at
    most COMMAND_NOT_READ_A_DAY a day, the last saying it is the last. [] once they are
    all sent."""
    assert message.sender is not None
    day = now.astimezone(cases.LONDON).date().isoformat()
    prefix = f"{_NOT_READ_KEY}:{address_key(message.sender.email)}:{day}:"
    sent = not_read_replies_sent(session, prefix)
    if sent >= COMMAND_NOT_READ_A_DAY:
        return []
    if case is None:
        return queue_help(app, session, None, message, now, parsed,
                          short_note=_no_case_note(sent + 1 == COMMAND_NOT_READ_A_DAY),
                          dedup_key=prefix + message.message_id)
    lines = [Bilingual(
        f'"{parsed.line}" was not applied: {parsed.problem}. Nothing changed.',
        f'Ni chafodd "{parsed.line}" ei weithredu: {welsh_of(parsed.problem)}. Ni newidiwyd '
        "dim.",
    )]
    if sent + 1 == COMMAND_NOT_READ_A_DAY:
        lines.append(_LAST_TODAY)
    return queue_reply(app, session, case, message, now, ok=False, lines=lines,
                       dedup_key=prefix + message.message_id)


_LAST_TODAY = Bilingual(
    f"mailbot sends at most {COMMAND_NOT_READ_A_DAY} such replies a day, and this is "
    "the last of them today (a guard against mail robots writing back and forth): a "
    "command it cannot read later today is not applied and not answered, only noted on "
    "the case's timeline. Check the command and send it again tomorrow, or ask the "
    "administrator.",
    f"Mae mailbot yn anfon hyd at {COMMAND_NOT_READ_A_DAY} ateb o'r fath y dydd, a dyma'r "
    "olaf ohonynt heddiw (rhag i robotiaid e-bost ateb ei gilydd): ni fydd gorchymyn na "
    "all ei ddarllen yn ddiweddarach heddiw yn cael ei weithredu na'i ateb, dim ond ei "
    "nodi ar linell amser yr achos. Gwiriwch y gorchymyn a'i anfon eto yfory, neu "
    "gofynnwch i'r gweinyddwr.",
)


def _no_case_note(last: bool) -> Bilingual:
    """The end of the short reply to a command naming no case: the list went earlier."""
    note = Bilingual(
        "The list of commands was sent to you earlier today. Nothing changed.",
        "Anfonwyd y rhestr o orchmynion atoch yn gynharach heddiw. Ni newidiwyd dim.",
    )
    if not last:
        return note
    return Bilingual(f"{note} {_LAST_TODAY}", f"{note.cy} {_LAST_TODAY.cy}")


def not_read_replies_sent(session: Session, prefix: str) -> int:
    """How many outbox rows (flushed or not) have a dedup key starting `prefix`."""
    pending = sum(1 for row in session.new
                  if isinstance(row, OutboxRow) and row.dedup_key.startswith(prefix))
    with session.no_autoflush:
        stored = session.scalar(
            select(func.count()).select_from(OutboxRow)
            .where(OutboxRow.dedup_key.startswith(prefix, autoescape=True)))
    return pending + (stored or 0)


def _still_due(case: CaseRow | None) -> date | None:
    """The response date of a case whose clock is running (not paused, not answered)."""
    if case is None or case.status not in (CaseStatus.OPEN, CaseStatus.NEEDS_TRIAGE):
        return None
    return case.response_due


def _member_name(app: App, case: CaseRow | None) -> str:
    """The member of `case` by name, as the assignment named them."""
    if case is None:
        return ""
    member = app.directory.member(case.member_email)
    return member.name if member else (case.member_name or case.member_email)


def _caseless_reply_subject(subject: str) -> str:
    """'Re: <subject>' for help about no case, without doubling the officer's own 'RE:'
    (answering the daily summary gave 'Re: RE: Your cases to answer ...')."""
    line = header_safe(subject, limit=150)
    return line if line.lower().startswith(("re:", "re :")) else f"Re: {line}"


def _name_and_address(app: App, address: str | None) -> str:
    """'Sam Patel (sam.patel@...)' for someone in the directory, else the address."""
    if not address:
        return ""
    name = app.directory.display(address)
    return address if name == address else f"{name} ({address})"


def _extend_example(app: App, case: CaseRow | None, today: date) -> dict[str, Any]:
    """HELP's `EXTEND dd/mm/yyyy "reason"` for `case` written `today` (London): a date
    EXTEND takes (typed_date.extend_example; for a subject access request, within data
    protection law's date), and a reason saying the request is complex when the law's
    date leaves no later day but with its two further months."""
    law = subject_access_context(app, case) if case is not None else None
    law_date: date | None = law["due"] if law else None
    day = extend_example(app.policy.council_calendar(), today,
                         case.response_due if case is not None else None, law=law_date)
    more_months = (law is not None and not law["extended"]
                   and past_the_law_s_date(day, today, law_date))
    # extend_complex: the template's reason says the request is complex.
    return {"extend_typed": typed_date(day), "extend_complex": more_months}


def _answered_on(case: CaseRow | None) -> date | None:
    """The day the member had their answer, for a case answered or closed."""
    if case is None or case.status not in FINISHED:
        return None
    return (case.responded_at or case.updated_at).astimezone(cases.LONDON).date()


def _answer(
    app: App,
    session: Session,
    now: datetime,
    message: ParsedMessage,
    case: CaseRow | None,
    template: str,
    dedup_key: str,
    context: dict[str, Any],
    languages: Languages,
    cc: Sequence[str] = (),
) -> list[str]:
    """A reply to whoever sent `message`, in its thread, from `template` (also its purpose)."""
    assert message.sender is not None
    return _queue(
        app,
        session,
        now,
        case=case,
        purpose=template,
        dedup_key=dedup_key,
        rendered=app.renderer.render(template, context, languages),
        to=message.sender.email,
        cc=[a for a in cc if a != message.sender.email],
        in_reply_to=message.message_id,
        references=message.references,
    )


def _queue(
    app: App,
    session: Session,
    now: datetime,
    *,
    case: CaseRow | None,
    purpose: str,
    dedup_key: str,
    rendered: Rendered,
    to: str,
    in_reply_to: str | None,
    references: Sequence[str],
    cc: Sequence[str] = (),
) -> list[str]:
    """One outbox row from the shared mailbox, threaded under `in_reply_to`. Returns
    [purpose] if a row was written; [] if the dedup key says it is already queued."""
    queued = outbox.queue(
        session,
        purpose=purpose,
        dedup_key=dedup_key[:200],
        case=case,
        rendered=rendered,
        envelope=from_the_mailbox(
            app, to=to, cc=cc, in_reply_to=in_reply_to, references=references
        ),
        now=now,
    )
    return [purpose] if queued is not None else []
