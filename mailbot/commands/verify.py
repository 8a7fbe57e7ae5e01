"""VERIFIED: releasing mail held because it may be forged.

Mail in a member's name that their own domain disowns (dmarc=fail), or whose From named
no address to check, opens a case in triage and the member is not written to
(pipeline._hold_for_a_person: a "not acknowledged" entry on its timeline). Its officer is
told to check with the member another way. Once they have (by phone, say) and it is the
member's, they reply VERIFIED (an administrator runs `mailbot verify REF`): the case
leaves triage for the state it would have had, the timeline says who checked and when,
and the member is sent the acknowledgement they would have had when it came in, once
(its outbox key is their message's), with the dates counted from its receipt as before.
VERIFIED on a case that was never held, or released already, changes nothing.

Verified after the response date so counted has passed, the acknowledgement does not
promise it: it says when the mail came, that it was held for checking before it reached
an officer, that the protocol's date (named) has passed, and what the late notice says
(who is dealing with it, asked for the reason, what is being done and when). That letter
is the member's late notice for the date: the sweep's is written to the outbox kept back
(`withdrawn`, with the reason), so it never goes as a second letter. The confirmation
says the date has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import cases, ledger, outbox
from mailbot.acknowledgement import held_past_due, queue_acknowledgement, should_acknowledge
from mailbot.assignment import Headline
from mailbot.commands.command_line import Command
from mailbot.commands.letters import (
    SAID_IN_ANOTHER_LETTER,
    late_notice_key,
    late_notice_mail,
    long_date_or_paused,
    long_date_or_paused_cy,
    member_was_acknowledged,
)
from mailbot.commands.outcome import Context, Result, not_written_to
from mailbot.languages import Bilingual, long_date_cy, welsh_of
from mailbot.model import FINISHED, CaseStatus, ParsedMessage
from mailbot.parse import parse_message
from mailbot.refs import canonical
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, EventRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App

HELD = "not acknowledged"  # the timeline entry of mail held as possibly forged
VERIFIED = "verified"  # the timeline entry of its release


@dataclass(frozen=True)
class Released:
    """What a release did: whether it changed the case, the lines saying so (for the
    officer's confirmation, or the administrator's terminal) and the mail it queued."""

    ok: bool
    lines: list[Bilingual]
    queued: list[str] = field(default_factory=list)


def verified_by(session: Session, case: CaseRow) -> EventRow | None:
    """The timeline entry of the case's release, if someone has verified it."""
    return session.scalars(
        select(EventRow)
        .where(EventRow.case_id == case.id, EventRow.action == VERIFIED)
        .order_by(EventRow.id)
        .limit(1)
    ).first()


def is_verified(session: Session, case: CaseRow) -> bool:
    """Whether a person has checked with the member that the case's mail is theirs."""
    return case.id is not None and verified_by(session, case) is not None


def _was_held(session: Session, case: CaseRow) -> bool:
    found = session.scalar(
        select(EventRow.id)
        .where(EventRow.case_id == case.id, EventRow.action == HELD)
        .limit(1)
    )
    return found is not None


def release(
    app: App, session: Session, case: CaseRow, *, who: str, why: str, now: datetime
) -> Released:
    """Release `case`, held as possibly forged, in the caller's transaction: `who` has
    checked with the member (`why`: how, if they said). Refused, changing nothing, for a
    case released already, one never held, or one answered."""
    earlier = verified_by(session, case)
    if earlier is not None:
        return Released(False, [_already_released(app, case, earlier)])
    if not _was_held(session, case) or member_was_acknowledged(session, case):
        return Released(False, [_not_held(case, member_was_acknowledged(session, case))])
    if case.status in FINISHED:
        return Released(False, [Bilingual(
            f"{case.ref} is already answered; nothing changed.",
            f"Mae {case.ref} wedi'i ateb yn barod; ni newidiwyd dim.",
        )])
    stays = _leave_triage(app, case)
    case.updated_at = now
    cases.refresh_deadlines(app, session, case)  # counted from receipt, as before the hold
    message = _members_message(session, case)
    queued: list[str] = []
    if message is not None and should_acknowledge(app, case):
        queued.append(queue_acknowledgement(app, session, case, message, now, held=True))
    passed = held_past_due(case, now.astimezone(cases.LONDON).date()) if queued else None
    if passed is not None:
        _late_notice_given(app, session, case, passed, now)
    ledger.record_event(
        session, now, who, VERIFIED,
        f"checked with the member that the mail is theirs{f' ({why})' if why else ''}; "
        f"out of triage ({case.status}); "
        + ("the member was not written to" if not queued else
           "acknowledgement queued" if passed is None else
           f"acknowledgement queued, saying its date {passed.isoformat()} has passed "
           "(it is their late notice)"),
        case=case,
    )
    lines = [_released(case), *([stays] if stays else [])]
    if message is None:
        lines.append(_message_gone(case))
    else:
        lines.append(_member_acknowledged(case, queued, passed=passed is not None))
    if passed is not None:
        lines.append(_date_passed(passed))
    return Released(True, lines, queued)


def _late_notice_given(
    app: App, session: Session, case: CaseRow, due: date, now: datetime
) -> None:
    """The acknowledgement just queued says `due` has passed and what the late notice
    would: the sweep's late notice for that date is written to the outbox under its own
    key, kept back with the reason, so that it never goes as a second letter."""
    mail = late_notice_mail(app, session, case, due)
    if mail is None:  # no officer holds it: no late notice could go either
        return
    row = outbox.queue(session, purpose="late_notice", dedup_key=late_notice_key(case, due),
                       case=case, rendered=mail.rendered, envelope=mail.envelope, now=now)
    if row is None:
        return
    row.status = "withdrawn"
    row.last_error = (f"{SAID_IN_ANOTHER_LETTER}the acknowledgement of the member's held "
                      f"mail, verified after its date {due.isoformat()}, says that date "
                      "has passed and that the officer will tell them the reason and when: "
                      "no second letter")
    session.flush()


def apply_verified(ctx: Context, command: Command) -> Result:
    """VERIFIED from the case's officer (their manager or deputy, an administrator)."""
    done = release(ctx.app, ctx.session, ctx.case, who=ctx.sender, why=command.reason,
                   now=ctx.now)
    return Result(done.ok, done.lines, done.queued)


def may_be_forged(member: str, why: str) -> Headline:
    """The headline of the assignment of mail held as possibly forged: why, what not to
    do, and how to release it once the officer has checked with the member."""
    return Headline(
        f"This message in the name of {member} could not be checked as theirs ({why}), so "
        "it may be forged and they have not been written to. Check with the member another "
        "way before acting on it: reply VERIFIED once you have checked with them that it is "
        "theirs, and they will be sent the acknowledgement, with the dates counted from when "
        "it was received.",
        f"Ni ellid gwirio bod y neges hon yn enw {member} yn dod ganddynt ({welsh_of(why)}), "
        "felly gallai fod yn ffug ac nid oes neb wedi ysgrifennu atynt. Holwch yr aelod mewn "
        "ffordd arall cyn gweithredu arni: atebwch VERIFIED ar ôl i chi wirio gyda nhw mai "
        "nhw a'i hanfonodd, a byddant yn cael y gydnabyddiaeth, gyda'r dyddiadau wedi'u "
        "cyfrif o pan ddaeth i law.",
    )


class VerifyError(ValueError):
    pass


def verify_case(app: App, ref: str, *, who: str, now: datetime) -> tuple[CaseRow, Released]:
    """`mailbot verify REF`: the administrator's VERIFIED, in a transaction of its own."""
    with app.store.transaction() as session:
        case = session.scalar(
            select(CaseRow).where(CaseRow.ref == canonical(ref)).with_for_update()
        )
        if case is None:
            raise VerifyError(f"no case {ref}")
        return case, release(app, session, case, who=who, why="", now=now)


def _leave_triage(app: App, case: CaseRow) -> Bilingual | None:
    """Out of triage to the state the case would have had without the hold: open, unless
    it waits for a person for another reason too (None then, else why it stays)."""
    if case.status != CaseStatus.NEEDS_TRIAGE:
        return None  # paused, say, while it was held: it stays so
    if not case.known_member:
        return Bilingual(
            f"It stays in triage: {case.member_email} is not in the members directory.",
            f"Mae'n aros i'w frysbennu: nid yw {case.member_email} yn y cyfeiriadur aelodau.",
        )
    if case.confidence < app.settings.classifier.threshold:
        return Bilingual(
            f"It stays in triage until an administrator settles its kind (mailbot relabel "
            f"{case.ref} KIND): mailbot was not sure it is a {case.kind}.",
            f"Mae'n aros i'w frysbennu nes i weinyddwr bennu ei fath (mailbot relabel "
            f"{case.ref} KIND): nid oedd mailbot yn siŵr ei fod yn {case.kind}.",
        )
    case.status = CaseStatus.OPEN
    return None


def _members_message(session: Session, case: CaseRow) -> ParsedMessage | None:
    """The member's mail that opened the case, as the ledger kept it (None once erased)."""
    row = session.scalars(
        select(MessageRow).where(MessageRow.message_id == case.root_message_id).limit(1)
    ).first()
    if row is None or not row.raw:
        return None
    parsed = parse_message(row.raw)
    return parsed if isinstance(parsed, ParsedMessage) else None


def _released(case: CaseRow) -> Bilingual:
    return Bilingual(
        f"{case.ref} is released: you checked with the member that the mail is theirs, and "
        "it is now handled as any other case.",
        f"Mae {case.ref} wedi'i ryddhau: fe wnaethoch wirio gyda'r aelod mai nhw a anfonodd "
        "y neges, ac mae'n cael ei drin fel unrhyw achos arall nawr.",
    )


def _member_acknowledged(case: CaseRow, queued: list[str], *, passed: bool) -> Bilingual:
    if not queued:
        return not_written_to(case.member_email)
    due, received = case.response_due, case.received_at.astimezone(cases.LONDON).date()
    was, was_cy = ("was", "roedd") if passed else ("is", "mae")
    return Bilingual(
        f"The member ({case.member_email}) is sent the acknowledgement: the response {was} due "
        f"by {long_date_or_paused(due)}, counted from when their mail was received "
        f"({long_date(received)}).",
        f"Anfonir y gydnabyddiaeth at yr aelod ({case.member_email}): {was_cy}'r ymateb i fod "
        f"erbyn {long_date_or_paused_cy(due)}, wedi'i gyfrif o pan ddaeth eu neges i law "
        f"({long_date_or_paused_cy(received)}).",
    )


def _date_passed(due: date) -> Bilingual:
    """The officer's line: the date the member's acknowledgement could not promise."""
    return Bilingual(
        f"Its date, {long_date(due)}, has passed: the acknowledgement says so, and that you "
        "will tell them the reason for the delay, what is being done and when they will "
        "have a full response.",
        f"Mae ei ddyddiad, {long_date_cy(due)}, wedi mynd heibio: mae'r gydnabyddiaeth yn "
        "dweud hynny, ac y byddwch yn dweud wrthynt y rheswm dros yr oedi, beth sy'n cael "
        "ei wneud a phryd y cânt ymateb llawn.",
    )


def _message_gone(case: CaseRow) -> Bilingual:
    return Bilingual(
        f"The member was NOT written to: their mail is no longer kept, so mailbot cannot "
        f"acknowledge it. Tell them yourself ({case.member_email}).",
        f"NI ysgrifennwyd at yr aelod: nid yw eu neges yn cael ei chadw mwyach, felly ni all "
        f"mailbot ei chydnabod. Dywedwch wrthynt eich hun ({case.member_email}).",
    )


def _already_released(app: App, case: CaseRow, earlier: EventRow) -> Bilingual:
    by = app.directory.display(earlier.actor) if "@" in earlier.actor else earlier.actor
    at = earlier.at if earlier.at.tzinfo else earlier.at.replace(tzinfo=UTC)
    on = at.astimezone(cases.LONDON).date()
    return Bilingual(
        f"{case.ref} was already released by {by} on {long_date(on)}; nothing changed and "
        "the member was not written to again.",
        f"Cafodd {case.ref} ei ryddhau eisoes gan {by} ar "
        f"{long_date_or_paused_cy(on, mutate=True)}; ni newidiwyd dim ac ni ysgrifennwyd at "
        "yr aelod eto.",
    )


def _not_held(case: CaseRow, acknowledged: bool) -> Bilingual:
    if acknowledged:
        return Bilingual(
            f"{case.ref} was not held as possibly forged: its member has had the "
            "acknowledgement; nothing changed.",
            f"Ni chafodd {case.ref} ei ddal fel neges a allai fod yn ffug: mae'r aelod wedi "
            "cael y gydnabyddiaeth; ni newidiwyd dim.",
        )
    return Bilingual(
        f"{case.ref} was not held as possibly forged; nothing changed.",
        f"Ni chafodd {case.ref} ei ddal fel neges a allai fod yn ffug; ni newidiwyd dim.",
    )
