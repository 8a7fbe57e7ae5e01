"""Applying a command that has been accepted: one handler a verb, chosen from a table.

Every handler takes the same Context and the Command, and returns a Result: whether it
changed the case, the lines for the officer's confirmation and the outbox purposes it
queued (commands/outcome.py). A refusal (the case is paused, the date is not later...)
changes nothing. EXTEND, with the extensions the law gives an FOI request, is
commands/extend.py; PAUSE is commands/pause.py and RESUME commands/resume.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from typing import TYPE_CHECKING

from sqlalchemy import select

from mailbot import answered, cases, handover, ledger
from mailbot.addresses import same_address
from mailbot.assignment import (
    CONFIDENTIALITY_ANSWERED,
    CONFIDENTIALITY_CONFIRMED,
    CONFIDENTIALITY_DECLINED,
    Headline,
)
from mailbot.commands.extend import apply_extend
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    tell_member,
)
from mailbot.commands.new_date_lines import new_date_letter_stopped
from mailbot.commands.outcome import Context, Result, member_told, refuse
from mailbot.commands.parse import Command
from mailbot.commands.pause import apply_pause
from mailbot.commands.resume import apply_resume
from mailbot.commands.verify import apply_verified
from mailbot.complained_about import (
    complained_about,
    not_to_them_source,
    one_of,
    perhaps_complained_about,
)
from mailbot.languages import Bilingual, with_cy
from mailbot.model import FINISHED, CaseStatus, Kind
from mailbot.store.tables import CaseRow, EventRow

if TYPE_CHECKING:
    from mailbot.app import App


Handler = Callable[[Context, Command], Result]


@dataclass(frozen=True)
class Action:
    apply: Handler
    # DONE, EXTEND, REASSIGN and PAUSE make no sense once the member has the answer;
    # RESUME and CONFIDENTIAL check the state they need themselves.
    needs_open_case: bool


def dispatch(ctx: Context, command: Command) -> Result:
    """Apply an accepted command through its table entry."""
    action = APPLY[command.verb]
    if action.needs_open_case and ctx.case.status in FINISHED:
        ref = ctx.case.ref
        answered = Bilingual(
            f"{ref} is already answered; nothing changed.",
            f"Mae {ref} wedi'i ateb yn barod; ni newidiwyd dim.",
        )
        if ctx.case.status != CaseStatus.RESPONDED:
            return refuse(answered)
        return refuse(
            Bilingual(
                f"{answered} If what was taken for its answer was not (a holding reply), "
                'reply RESUME "holding reply" first: the clock then runs on to its date.',
                f"{answered.cy} Os nad ateb oedd yr hyn a gymerwyd yn ateb (ateb dros dro), "
                'atebwch RESUME "holding reply" yn gyntaf: bydd y cloc yn rhedeg wedyn tan ei '
                "ddyddiad.",
            )
        )
    return action.apply(ctx, command)


def apply_done(ctx: Context, command: Command) -> Result:
    stopped = new_date_letter_stopped(ctx, answered_now=True)
    why = "marked answered with DONE" + (f": {command.reason}" if command.reason else "")
    answered.record_response(ctx.session, ctx.case, ctx.sender, ctx.given_at, why=why[:500])
    cases.refresh_deadlines(ctx.app, ctx.session, ctx.case)
    ref = ctx.case.ref
    return Result(
        True,
        [
            Bilingual(
                f"{ref} is marked as answered; no more reminders will be sent.",
                f"Mae {ref} wedi'i nodi fel wedi'i ateb; ni fydd rhagor o nodiadau atgoffa.",
            ),
            *stopped,
        ],
    )


def apply_reassign(ctx: Context, command: Command) -> Result:
    app, case, sender, target = ctx.app, ctx.case, ctx.sender, command.address
    if not handover.can_take_cases(app, target):
        return refuse(
            Bilingual(
                f"{target} is not in the officers directory; nothing changed.",
                f"Nid yw {target} yn y cyfeiriadur swyddogion; ni newidiwyd dim.",
            )
        )
    if one_of(target, complained_about(ctx.session, case.id)):
        return refuse(_not_to_the_officer_complained_about(app, case, target))
    if one_of(target, perhaps_complained_about(ctx.session, case.id)):
        return refuse(_not_to_the_officer_complained_about(app, case, target, perhaps=True))
    if same_address(target, case.officer_email or ""):
        return refuse(
            Bilingual(
                f"{case.ref} is already with {target}.",
                f"Mae {case.ref} {with_cy(target, 'gyda')} yn barod.",
            )
        )
    previous = case.officer_email or "nobody"
    who = f"{app.directory.display(target)} ({target})"
    lines = [
        Bilingual(f"{case.ref} is now with {who}.", f"Mae {case.ref} {with_cy(who, 'gyda')} nawr.")
    ]
    reason = f": {command.reason}" if command.reason else ""
    dedup_key = f"assignment:{case.id}:{ctx.row.message_id}"
    moved = handover.hand_over(
        app, ctx.session, case, target, by=sender, reason=command.reason,
        headline=Headline(
            f"{app.directory.display(sender)} has passed this case to you.",
            f"Mae {app.directory.display(sender)} wedi trosglwyddo'r achos hwn i chi.",
        ),
        why=_passed_on(app, previous, sender, reason),
        dedup_key=dedup_key,
        now=ctx.now,
    )  # fmt: skip
    if moved.clock is not None:  # what became of a paused clock (handover)
        lines.append(moved.clock)
    lines.append(_member_told_of_move(app, handover.member_was_told(ctx.session, dedup_key),
                                      target))
    return Result(True, lines, [moved.queued] if moved.queued else [])


def _not_to_the_officer_complained_about(
    app: App, case: CaseRow, target: str, *, perhaps: bool = False
) -> Bilingual:
    """Why a complaint is not given to an officer it is about, or `perhaps` about (a
    surname they share with another officer), with the protocol's paragraph where the
    pack cites one."""
    who = f"{app.directory.display(target)} ({target})"
    cited = not_to_them_source(app.policy.routing.source)
    council = app.settings.council.name  # its own protocol, not the pack's author's
    why = f" ({council}'s protocol: {cited})" if cited else ""
    why_cy = f" (protocol {council}: {cited})" if cited else ""
    if perhaps:
        return Bilingual(
            f"{case.ref} is a complaint that may be about {who} (it names a surname they "
            "share with another officer): it cannot be passed to them, since a complaint "
            f"about an officer goes up their management line, never to them{why}; nothing "
            "changed. REASSIGN it to someone else if it must move.",
            f"Mae {case.ref} yn gŵyn a allai fod am {who} (mae'n enwi cyfenw sydd ganddynt "
            "hwy a swyddog arall): ni ellir ei drosglwyddo iddynt, gan fod cwyn am swyddog "
            f"yn mynd i fyny eu llinell reoli, byth atynt hwy{why_cy}; ni newidiwyd dim. "
            "Defnyddiwch REASSIGN i rywun arall os oes rhaid ei symud.",
        )
    return Bilingual(
        f"{case.ref} is a complaint about {who}: it cannot be passed to them, since a "
        f"complaint about an officer goes up their management line, never to them{why}; "
        "nothing changed. REASSIGN it to someone else if it must move.",
        f"Mae {case.ref} yn gŵyn am {who}: ni ellir ei drosglwyddo iddynt, gan fod cwyn am "
        f"swyddog yn mynd i fyny eu llinell reoli, byth atynt hwy{why_cy}; ni newidiwyd dim. "
        "Defnyddiwch REASSIGN i rywun arall os oes rhaid ei symud.",
    )


def _member_told_of_move(app: App, told: bool, target: str) -> Bilingual:
    """Whether the member was written to about who has their case now, so the officer
    neither writes a second time nor leaves them thinking it is still with them."""
    if not told:
        return Bilingual("The member has not been told of the change.",
                         "Nid yw'r aelod wedi cael gwybod am y newid.")
    name = app.directory.display(target)
    return Bilingual(f"The member has been told that {name} is now dealing with it.",
                     f"Mae'r aelod wedi cael gwybod mai {name} sy'n delio ag ef nawr.")


def _passed_on(app: App, previous: str, sender: str, reason: str) -> Bilingual:
    """The new officer's "Why you": who passed the case on, and from whom when that was
    someone else (a manager moving it), in names ("from sam@ by sam@" said it twice)."""
    by = app.directory.display(sender)
    if previous in (sender, "nobody"):  # "nobody": a case waiting in triage
        return Bilingual(f"passed to you by {by}{reason}", f"trosglwyddwyd i chi gan {by}{reason}")
    held = app.directory.display(previous)
    return Bilingual(
        f"passed to you from {held} by {by}{reason}",
        f"trosglwyddwyd i chi oddi wrth {held} gan {by}{reason}",
    )


def _same_confidentiality_answer(ctx: Context, action: str, reason: str) -> date | None:
    """The day the member was given this same answer, if the last answer on the case is
    this one: an officer answering again (the member wrote again and the update reached
    them) must not send the member the same letter twice. A changed answer is sent."""
    last = ctx.session.scalars(
        select(EventRow)
        .where(
            EventRow.case_id == ctx.case.id,
            EventRow.action.in_(CONFIDENTIALITY_ANSWERED),
        )
        .order_by(EventRow.at.desc(), EventRow.id.desc())
        .limit(1)
    ).first()
    if last is None or last.action != action or last.detail != reason:
        return None
    at = last.at if last.at.tzinfo else last.at.replace(tzinfo=UTC)
    return at.astimezone(cases.LONDON).date()


def apply_confidential(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if not (case.confidential or case.kind == Kind.CONFIDENTIALITY.value):
        return refuse(
            Bilingual(
                f"{case.ref} is not a request for confidentiality.",
                f"Nid yw {case.ref} yn gais am gyfrinachedd.",
            )
        )
    action = CONFIDENTIALITY_CONFIRMED if command.ok else CONFIDENTIALITY_DECLINED
    said = "can be kept confidential" if command.ok else "cannot be kept confidential"
    said_cy = "y gellir" if command.ok else "na ellir"
    told_on = _same_confidentiality_answer(ctx, action, command.reason)
    if told_on is not None:
        return refuse(
            Bilingual(
                f"The member was already told on {long_date_or_paused(told_on)} that "
                f"{case.ref} {said}; they were not written to again.",
                f"Cafodd yr aelod wybod eisoes ar {long_date_or_paused_cy(told_on, mutate=True)} "
                f"{said_cy} cadw {case.ref} yn gyfrinachol; ni ysgrifennwyd atynt eto.",
            )
        )
    ledger.record_event(ctx.session, ctx.now, ctx.sender, action, command.reason, case=case)
    case.updated_at = ctx.now
    queued = tell_member(
        ctx.app,
        ctx.session,
        case,
        ctx.row,
        ctx.now,
        "confidentiality_result",
        {
            "ok": bool(command.ok),
            "reason": command.reason,
            "officer_name": ctx.app.directory.display(case.officer_email or ctx.sender),
        },
    )
    told = Bilingual(
        f"The member has been told that {case.ref} {said}.",
        f"Mae'r aelod wedi cael gwybod {said_cy} cadw {case.ref} yn gyfrinachol.",
    )
    return Result(True, [member_told(ctx, queued, told)], queued)


def apply_subject_access(ctx: Context, command: Command) -> Result:
    """SAR / SAR NO: the officer marks the case as a subject access request, or takes the
    mark off, as an administrator's `mailbot subject-access` does (triage): the timeline
    says who, the law's reminders follow the mark, the case stays where it is and the
    member is sent nothing."""
    from mailbot.access_request import law_due
    from mailbot.access_request_notice import holder_to_tell
    from mailbot.triage import SUBJECT_ACCESS_KINDS, set_subject_access

    case, marked = ctx.case, command.ok is not False
    if marked and case.kind not in SUBJECT_ACCESS_KINDS:
        return refuse(Bilingual(
            f"{case.ref} is a {case.kind}: only an enquiry or an FOI request can be marked "
            "as a subject access request; nothing changed.",
            f"Mae {case.ref} yn {case.kind}: dim ond ymholiad neu gais rhyddid gwybodaeth "
            "y gellir ei farcio'n gais gwrthrych am wybodaeth; ni newidiwyd dim.",
        ))
    if not set_subject_access(ctx.app, ctx.session, case, marked, who=ctx.sender,
                              now=ctx.now):
        return refuse(Bilingual(
            f"{case.ref} is already {'' if marked else 'not '}marked as a subject access "
            "request; nothing changed.",
            f"{'Mae' if marked else 'Nid yw'} {case.ref} {'eisoes wedi' if marked else 'wedi'}"
            " ei farcio'n gais gwrthrych am wybodaeth; ni newidiwyd dim.",
        ))
    # Someone other than its officer (their manager, an administrator): the officer was
    # sent a notice (access_request_notice), and it is they who are reminded.
    told = holder_to_tell(case, ctx.sender)
    name = ctx.app.directory.officer_or_address(told).name if told else ""
    if not marked:
        return Result(True, [Bilingual(
            f"{case.ref} is no longer marked as a subject access request: no reminders of "
            "data protection law's date will be sent."
            + (f" {name}, who holds it, has been sent a notice of it." if told else "")
            + " The member has not been written to.",
            f"Nid yw {case.ref} wedi'i farcio'n gais gwrthrych am wybodaeth mwyach: ni "
            "fydd nodiadau atgoffa am ddyddiad cyfraith diogelu data."
            + (f" Mae {name}, sydd â'r achos, wedi cael hysbysiad amdano." if told else "")
            + " Nid ysgrifennwyd at yr aelod.",
        )])
    due = law_due(ctx.app.policy, case.received_at)
    stays = (
        Bilingual(f"It stays with its officer, {name}, who has been sent a notice of it and "
                  "will be reminded of that date",
                  f"Mae'n aros gyda'i swyddog, {name}, sydd wedi cael hysbysiad amdano ac a "
                  "gaiff ei atgoffa o'r dyddiad hwnnw")
        if told else
        Bilingual("You will be reminded of it. It stays with its officer",
                  "Cewch eich atgoffa ohono. Mae'n aros gyda'i swyddog")
    )
    return Result(True, [Bilingual(
        f"{case.ref} is now marked as a subject access request: data protection law's one "
        f"calendar month ends {long_date_or_paused(due)} (UK GDPR Article 12(3)). "
        f"{stays}: REASSIGN it to pass it to the data protection officer. The member has "
        "not been written to: tell them that date unless you have.",
        f"Mae {case.ref} bellach wedi'i farcio'n gais gwrthrych am wybodaeth: daw un mis "
        f"calendr cyfraith diogelu data i ben {long_date_or_paused_cy(due, mutate=True)} "
        f"(Erthygl 12(3) GDPR y DU). {stays.cy}: defnyddiwch REASSIGN i'w drosglwyddo i'r "
        "swyddog diogelu data. Nid ysgrifennwyd at yr aelod: dywedwch y dyddiad hwnnw "
        "wrthynt oni bai eich bod wedi gwneud hynny.",
    )])


# HELP is not here: it changes nothing, so handle() answers it without asking who sent it.
APPLY: dict[str, Action] = {
    "DONE": Action(apply_done, needs_open_case=True),
    "EXTEND": Action(apply_extend, needs_open_case=True),
    "REASSIGN": Action(apply_reassign, needs_open_case=True),
    "PAUSE": Action(apply_pause, needs_open_case=True),
    "RESUME": Action(apply_resume, needs_open_case=False),
    "CONFIDENTIAL": Action(apply_confidential, needs_open_case=False),
    "SAR": Action(apply_subject_access, needs_open_case=True),
    "VERIFIED": Action(apply_verified, needs_open_case=False),  # it checks for itself
}
