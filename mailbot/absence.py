"""Automatic answers to our mail to officers: out-of-office notes and bounces.

The loop guard has already decided the message is automatic, so nothing is ever sent to
the robot. What we do with it is about the case: record that the officer is away (or
their address is dead), find the alternative contact — the address the out-of-office
names if it is a known officer (Colchester 16(3): redirected in accordance with the out
of office message), else the directory's deputy — and either redirect the case to them
or, where the pack says an officer's absence suspends the timescale (Colchester), pause
the response clock until someone takes the case with REASSIGN.

Each case reacts once per absent address (the outbox dedup keys), so an officer whose
auto-reply answers every reminder, or an address that bounces, causes no storm.

A bounce is also told to a person (mailbot/bounce_notice.py): of mail to the member, the
case's officer; of mail to an officer, the admins, so the dead address is put right. A
bounce that quotes none of our Message-IDs is matched by its one case reference and the
failed address (mailbot/bounce_match.py), or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot import assignment, bounce_notice, cases, ledger
from mailbot.addresses import address_forms, same_address
from mailbot.assignment import Headline, reassign_example
from mailbot.bounce_match import bounced_mail
from mailbot.commands.letters import tell_member_of_new_officer
from mailbot.complained_about import never_to_be_given, one_of
from mailbot.directory import emails_in
from mailbot.dsn import Failure, failure_for
from mailbot.handover import with_the_pause
from mailbot.languages import Bilingual
from mailbot.leavers import LEFT_EVENT, is_leaver, says_they_left, stand_in
from mailbot.loops import Verdict
from mailbot.model import FINISHED, Automatic, CaseStatus, Kind, ParsedMessage
from mailbot.officer_names import officers_named_in
from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow
from mailbot.thread import our_mail_answered, same_member, sent_to_officer

if TYPE_CHECKING:
    from mailbot.app import App


def note_automatic(
    app: App,
    session: Session,
    row: MessageRow,
    message: ParsedMessage,
    verdict: Verdict,
    now: datetime,
) -> CaseRow | None:
    """If this automatic mail answers ours about a case, act on it; return the case."""
    if verdict.automatic == Automatic.BOUNCE:
        bounced = bounced_mail(app, session, message, row.raw)
        found = None if bounced is None else bounced[:2]
        if bounced is not None and bounced[2]:
            ledger.record_event(
                session, now, "mailbot", "bounce matched by reference",
                f"it quotes no Message-ID of ours; by {bounced[1].ref} and the failed "
                f"address, taken for our last {bounced[0].purpose} to {bounced[0].recipients}",
                case=bounced[1], message=row,
            )
    else:
        found = our_mail_answered(session, message, row.raw)
    if found is None:
        return None
    out, case = found
    if verdict.automatic == Automatic.AUTO_REPLY and sent_to_officer(out, case):
        officer_out_of_office(app, session, case, out, message, now)
    elif verdict.automatic == Automatic.BOUNCE:
        undeliverable(app, session, case, out, message, row.raw, now)
    else:
        ledger.record_event(
            session,
            now,
            message.sender.email if message.sender else "unknown",
            "automatic answer",
            f"{verdict.automatic} to our {out.purpose}",
            case=case,
            message=row,
        )
    return case


def _absent(out: OutboxRow, message: ParsedMessage) -> str:
    recipients = [r for r in out.recipients.split(",") if r]
    sender = message.sender.email if message.sender else ""
    # The recipient as our mail named them, whichever form of the address the reply has.
    ours = next((r for r in recipients if sender and same_address(r, sender)), None)
    return ours or (recipients[0] if recipients else sender)


def alternative_contact(
    app: App, absent: str, note: str, away: Callable[[str], bool] | None = None,
    *, never: Collection[str] = (),
) -> str | None:
    """Who takes over: a known officer named in the note (by address, else by name when
    it names exactly one), the directory's deputy, a colleague at the same domain named
    in the note, then the manager. One `away` says is away is passed over: two officers
    who are each other's deputy, both on leave over Christmas, would otherwise hand a case
    back to the first, whose out-of-office is on the case already. An officer in `never`
    (one a complaint is about) is never the one."""

    def free(address: str) -> bool:
        return (away is None or not away(address)) and not one_of(address, never)

    shared = app.mailbox_address
    named = [a for a in emails_in(note)
             if not same_address(a, absent) and not same_address(a, shared)]
    for address in named:
        if app.directory.officer(address) is not None and free(address):
            return address
    by_name = [a for a in officers_named_in(note, app.directory.officers.values(), absent)
               if not same_address(a, shared)]
    if len(by_name) == 1 and free(by_name[0]):
        return by_name[0]
    deputy = app.directory.deputy_of(absent)
    if deputy is not None and free(deputy.email):
        return deputy.email
    domain = absent.rpartition("@")[2]
    for address in named:
        if address.rpartition("@")[2] == domain and free(address):
            return address
    manager = app.directory.manager_of(absent)
    return manager.email if manager is not None and free(manager.email) else None


def _away_on(session: Session, now: datetime) -> Callable[[str], bool]:
    """Whether an officer is away now: their out-of-office seen lately and nothing from
    them since (cases.officer_away, as a new case's routing asks)."""
    return lambda address: cases.officer_away(session, address, now)


def officer_out_of_office(
    app: App,
    session: Session,
    case: CaseRow,
    out: OutboxRow,
    message: ParsedMessage,
    now: datetime,
) -> None:
    absent = _absent(out, message)
    first_time = not _already_handled(session, case, absent)
    ledger.record_event(
        session,
        now,
        absent,
        "officer out of office",
        f"auto-reply to our {out.purpose}",
        case=case,
    )
    if says_they_left(message.text[:5000]):
        # Not away but gone: `mailbot status` asks for their row and their cases.
        ledger.record_event(
            session, now, absent, LEFT_EVENT, "their auto-reply says they have left",
            case=case,
        )
    if not same_address(absent, case.officer_email or "") or case.status in FINISHED:
        return  # someone else's note, or nothing left to do on the case
    if not first_time:
        return
    note = message.text[:5000]
    about = never_to_be_given(session, case.id)
    alternative = alternative_contact(app, absent, note, _away_on(session, now), never=about)
    name = app.directory.display(absent)
    if app.policy.absence_pauses(Kind(case.kind)):
        _pause(app, session, case, absent, now)
        _mark_handled(session, case, absent, now, f"clock paused; alternative {alternative}")
        council = app.settings.council.name
        _ask_to_redirect(
            app, session, case, absent, alternative or _fallback(app, absent, about), now,
            Headline(
                f"{name} is out of the office. Under {council}'s protocol the response "
                "clock is paused until the case is redirected: reply REASSIGN with your own "
                "address to take it (the clock then runs again), or REASSIGN with a "
                "colleague's address.",
                f"Mae {name} allan o'r swyddfa. O dan brotocol {council}, mae'r cloc ymateb "
                "wedi'i oedi nes bydd yr achos yn cael ei ailgyfeirio: atebwch REASSIGN "
                "gyda'ch cyfeiriad eich hun i'w gymryd (yna mae'r cloc yn rhedeg eto), neu "
                "REASSIGN gyda chyfeiriad cydweithiwr.",
            ),
            "Please redirect: ",
        )
        return
    _mark_handled(session, case, absent, now, f"redirected to {alternative}")
    if alternative is None and alternative_contact(app, absent, note, never=about) is not None:
        # Whoever covers for them is away too (Christmas): a person chooses.
        _ask_to_redirect(
            app, session, case, absent, _fallback(app, absent, about), now,
            Headline(
                f"{name} is out of the office, and so is their alternative contact. Reply "
                f"{reassign_example(app)} to pass the case on.",
                f"Mae {name} allan o'r swyddfa, a'u cyswllt arall hefyd. Atebwch "
                f"{reassign_example(app, welsh=True)} i drosglwyddo'r achos.",
            ),
            "Please redirect (alternative contact away too): ",
        )
        return
    if alternative is None:
        _ask_to_redirect(
            app, session, case, absent, _fallback(app, absent, about), now,
            Headline(
                f"{name} is out of the office and has no alternative contact in the "
                f"directory. Reply {reassign_example(app)} to pass the case on.",
                f"Mae {name} allan o'r swyddfa ac nid oes cyswllt arall yn y cyfeiriadur. "
                f"Atebwch {reassign_example(app, welsh=True)} i drosglwyddo'r achos.",
            ),
            "Please redirect (no alternative contact): ",
        )
        return
    _redirect(
        app, session, case, absent, alternative, now, "is out of the office",
        f"Mae {name} allan o'r swyddfa",
    )


def undeliverable(
    app: App,
    session: Session,
    case: CaseRow,
    out: OutboxRow,
    message: ParsedMessage,
    raw: bytes,
    now: datetime,
) -> None:
    reported = _failure(out, message, raw)
    failed = reported.recipient
    ledger.record_event(
        session,
        now,
        "mailbot",
        "undeliverable",
        f"our {out.purpose} to {failed} bounced",
        case=case,
    )
    if same_member(app.directory, failed, case.member_email):
        # The member did not get our mail, and does not know it: the officer is told.
        bounce_notice.tell_officer_of_member_bounce(app, session, case, out, reported, now)
        return
    to_officer = sent_to_officer(out, case)
    if to_officer:
        _move_from_dead_address(app, session, case, failed, now)
    if not is_leaver(app, failed) and (to_officer or app.directory.officer(failed)):
        # Whether or not the case moved: a dead address that officers.csv or the
        # configuration still gives is the admins' to put right, once per address. A
        # leaver's row is gone already: `mailbot status` asks for their cases.
        bounce_notice.tell_admins_of_officer_bounce(app, session, case, out, reported, now)


def _failure(out: OutboxRow, message: ParsedMessage, raw: bytes) -> Failure:
    """What failed, for one of our recipients (dsn.py reads the report)."""
    return failure_for(
        raw, message.text, message.headers.get("x-failed-recipients", ""),
        [r for r in out.recipients.split(",") if r], _absent(out, message),
    )


def _move_from_dead_address(
    app: App, session: Session, case: CaseRow, failed: str, now: datetime
) -> None:
    # X-Failed-Recipients names the address as the SMTP envelope had it: a domain beyond
    # ASCII in its ASCII form, whichever form officers.csv uses.
    if not same_address(failed, case.officer_email or ""):
        return
    if case.status in FINISHED:
        return
    if _already_handled(session, case, failed):
        return
    about = never_to_be_given(session, case.id)
    alternative = alternative_contact(app, failed, "", never=about)
    _mark_handled(session, case, failed, now, f"address bounced; redirected to {alternative}")
    name = app.directory.display(failed)
    if alternative is None:
        # An officer who has left (their row deleted, so no deputy or manager is known) or
        # one with neither: the case would sit with a dead address and nobody told.
        _ask_to_redirect(
            app, session, case, failed, _fallback(app, failed, about), now,
            Headline(
                f"Mail to {name} about this case could not be delivered (bounce), and the "
                "directory names no alternative contact: they may have left the council. "
                f"Reply {reassign_example(app)} to pass the case on.",
                f"Nid oedd modd anfon neges at {name} am yr achos hwn (gwrthodwyd y neges), "
                "ac nid yw'r cyfeiriadur yn enwi cyswllt arall: efallai eu bod wedi gadael "
                f"y cyngor. Atebwch {reassign_example(app, welsh=True)} i drosglwyddo'r achos.",
            ),
            "Please redirect (address bounced): ",
            why=Bilingual(f"mail to {failed} bounced", f"gwrthodwyd neges at {failed}"),
        )
        return
    _redirect(
        app, session, case, failed, alternative, now, "could not be reached (bounce)",
        f"Nid oedd modd cyrraedd {name} (gwrthodwyd y neges)",
    )


def _ask_to_redirect(
    app: App,
    session: Session,
    case: CaseRow,
    absent: str,
    target: str | None,
    now: datetime,
    headline: Headline,
    subject_prefix: str,
    why: Bilingual | None = None,
) -> None:
    """Ask `target` (the alternative contact, or an administrator) to pass the case on.
    A colleague (an officer, or the default officer) is shown the member's message, as in
    any assignment: without it they cannot tell who should take the case. An administrator
    outside officers.csv (IT, say) is not."""
    if target is not None:
        colleague = (
            app.directory.officer(target) is not None
            or same_address(target, app.settings.routing.default_officer)
        )
        _queue_redirect_mail(
            app, session, case, absent, target, now, headline,
            why=why or Bilingual(f"auto-reply from {absent}", f"ateb awtomatig gan {absent}"),
            message=cases.original_message(session, case) if colleague else None,
            subject_prefix=subject_prefix,
        )


def _redirect(
    app: App,
    session: Session,
    case: CaseRow,
    absent: str,
    target: str,
    now: datetime,
    what: str,
    what_cy: str,
) -> None:
    """`what` happened to `absent` ("is out of the office"), said in English; `what_cy`
    is the whole Welsh clause, since Welsh puts the verb first."""
    name = app.directory.display(absent)
    target = app.directory.as_listed(target)
    case.officer_email = target
    case.updated_at = now
    ledger.record_event(
        session, now, "mailbot", "reassigned", _redirect_detail(target, absent, what), case=case
    )
    headline = with_the_pause(app, session, case, Headline(
        f"{name} {what}; you are the alternative contact, so this case is now with you.",
        f"{what_cy}; chi yw'r cyswllt arall, felly mae'r achos hwn gyda chi nawr.",
    ))  # a paused case moves as it is: its new holder is told why and what ends it
    _queue_redirect_mail(
        app, session, case, absent, target, now, headline,
        why=Bilingual(f"{absent} {what}", what_cy), message=cases.original_message(session, case),
    )
    # The member was told to contact `absent`; they are told of the alternative contact.
    tell_member_of_new_officer(app, session, case, absent, now, away=True,
                               dedup_key=f"alternative_contact:{case.id}:{absent}")


def redirect_gone(session: Session, case: CaseRow, row: OutboxRow) -> str:
    """Why a queued out-of-office mail (purpose ooo_redirect) should no longer go, or "".
    It was either "the case is now with you" (_redirect moved the case to its recipient)
    or "please pass the case on" (the case stayed with the absent officer). The first is
    stale once the case has moved again; the second once someone has the case, or once
    the absent officer has acted on it (they are back). A finished case is the caller's."""
    absent = row.dedup_key.split(":", 2)[-1]
    to = row.recipients.partition(",")[0].strip().lower()
    holder = (case.officer_email or "").strip().lower()
    moved_elsewhere = f"the case is now with {case.officer_email or 'nobody'}"
    if _redirected(session, case, absent, to):
        return "" if same_address(holder, to) else moved_elsewhere
    if not same_address(holder, absent):
        return moved_elsewhere
    if _acted_since_absence(session, case, absent):
        return f"{absent} is back: they have acted on the case since"
    return ""


def _redirect_detail(target: str, absent: str, what: str) -> str:
    return f"to {target}: {absent} {what}"


def _redirected(session: Session, case: CaseRow, absent: str, target: str) -> bool:
    """Whether _redirect moved the case from `absent` to `target` (its ledger entry)."""
    prefix = _redirect_detail(target, absent, "").lower()
    found = session.scalar(
        select(EventRow.id).where(
            EventRow.case_id == case.id, EventRow.actor == "mailbot",
            EventRow.action == "reassigned",
            func.lower(EventRow.detail).startswith(prefix, autoescape=True),
        ).limit(1)
    )
    return found is not None


def _acted_since_absence(session: Session, case: CaseRow, absent: str) -> bool:
    """Whether `absent` did anything on the case (a command, a note, an answer) after
    their absence was handled: a person at work, not an auto-reply. The ledger names
    them as their mail or ours wrote the address: any form of it (address_forms)."""
    forms = sorted(address_forms(absent))
    handled = session.scalar(
        select(func.max(EventRow.id)).where(
            EventRow.case_id == case.id, EventRow.action == HANDLED,
            func.lower(EventRow.actor).in_(forms),
        )
    )
    if handled is None:
        return False
    found = session.scalar(
        select(EventRow.id).where(
            EventRow.case_id == case.id, EventRow.id > handled,
            func.lower(EventRow.actor).in_(forms),
            EventRow.action.not_in(_ABSENCE_ACTIONS),
        ).limit(1)
    )
    return found is not None


def _queue_redirect_mail(
    app: App,
    session: Session,
    case: CaseRow,
    absent: str,
    target: str,
    now: datetime,
    headline: Headline,
    *,
    why: str,
    message: ParsedMessage | None,
    subject_prefix: str = "",
) -> None:
    """One mail per absent officer and case (its dedup key), whichever way it is put."""
    assignment.queue_officer_mail(
        app,
        session,
        case,
        to=target,
        purpose="ooo_redirect",
        dedup_key=f"ooo_redirect:{case.id}:{absent}"[:200],
        headline=headline,
        why=why,
        message=message,
        now=now,
        subject_prefix=subject_prefix,
    )


def _pause(app: App, session: Session, case: CaseRow, absent: str, now: datetime) -> None:
    if case.status == CaseStatus.PAUSED:
        return
    cases.add_clock_event(
        session, case, "pause", who=absent,
        why=f"{cases.OOO_PAUSE}: the usual timescale does not apply until the "
        "enquiry is redirected (Colchester 16(3))",
        now=now,
    )
    case.status = CaseStatus.PAUSED
    case.updated_at = now
    cases.refresh_deadlines(app, session, case)
    ledger.record_event(
        session, now, "mailbot", "paused", f"{absent} is out of the office", case=case
    )


def _fallback(app: App, absent: str, never: Collection[str] = ()) -> str | None:
    return stand_in(app, absent, never)


HANDLED = "absence handled"
# What an absence itself writes in the ledger in the absent officer's name: not a sign
# that they are back.
_ABSENCE_ACTIONS = ("officer out of office", HANDLED, LEFT_EVENT, "automatic answer")


def _already_handled(session: Session, case: CaseRow, address: str) -> bool:
    return (
        session.scalar(
            select(EventRow.id)
            .where(
                EventRow.case_id == case.id, EventRow.action == HANDLED,
                func.lower(EventRow.actor).in_(sorted(address_forms(address))),
            )
            .limit(1)
        )
        is not None
    )


def _mark_handled(session: Session, case: CaseRow, address: str, now: datetime, what: str) -> None:
    ledger.record_event(session, now, address, HANDLED, what, case=case)
    session.flush()
