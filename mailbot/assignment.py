"""Telling an officer about a case: the assignment email and its variants.

The same template serves a new case, a reassignment, a reopened case and a redirect
after an out-of-office: a headline says which. Confidential cases are content-minimised:
the officer is told there is a case, from whom and by when, never the subject or the
text, and where to read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mailbot import ledger, outbox
from mailbot.acknowledgement import should_acknowledge, subject_access_context
from mailbot.addresses import address_forms, address_key
from mailbot.attached_files import readable_size
from mailbot.body import UNREADABLE, body_note
from mailbot.cases import KIND_LABELS, LONDON
from mailbot.compose import Envelope, untagged_subject
from mailbot.languages import ENGLISH, WELSH_FIRST, Languages, staff_languages, welsh_of
from mailbot.mail_received import later_mail_received
from mailbot.member_cases import (
    OtherCases,
    other_open_cases,
    shown_as_confidential,
    subjects_erased,
)
from mailbot.model import CaseStatus, Kind, ParsedMessage
from mailbot.quoting import above_our_quoted_mail
from mailbot.store.tables import CaseRow, EventRow
from mailbot.typed_date import typed_date

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.directory import Officer

MAX_QUOTED_CHARS = 6000

KIND_TITLES_CY = {
    Kind.ENQUIRY: "Ymholiad",
    Kind.FOI: "Cais rhyddid gwybodaeth",
    Kind.COMPLAINT: "Cwyn",
    Kind.CONFIDENTIALITY: "Cais am gyfrinachedd",
}
CONFIDENTIAL_TITLES_CY = {  # the adjective mutates after a feminine noun (cwyn)
    Kind.ENQUIRY: "Ymholiad cyfrinachol",
    Kind.FOI: "Cais rhyddid gwybodaeth cyfrinachol",
    Kind.COMPLAINT: "Cwyn gyfrinachol",
}
# Subject prefixes callers use, and how a bilingual council's subject line puts them.
PREFIXES_CY = {  # the Welsh of each English subject prefix, without its ": "
    "Update: ": "Diweddariad",
    "Please redirect: ": "Ailgyfeirio",
    "Please redirect (no alternative contact): ": "Ailgyfeirio (dim cyswllt arall)",
    "Not delivered to the member: ": "Heb gyrraedd yr aelod",
    "No longer with you: ": "Nid yw gyda chi mwyach",
}


@dataclass(frozen=True)
class Headline:
    """The first thing the officer is told, in English and in Welsh: a bilingual council
    (policy language "cy-en") sends officers both, like its reminders."""

    en: str
    cy: str


KIND_TITLES = {
    Kind.ENQUIRY: "Enquiry",
    Kind.FOI: "FOI request",
    Kind.COMPLAINT: "Complaint",
    Kind.CONFIDENTIALITY: "Confidentiality request",
}


def reassign_example(app: App, welsh: bool = False) -> str:
    """'REASSIGN name@wiltshire.gov.uk' (Welsh 'enw@'): the command as an officer would
    type it, on the council's own domain, for mail that tells them to pass a case on."""
    return f"REASSIGN {'enw' if welsh else 'name'}@{app.mailbox_address.partition('@')[2]}"


def council_context(app: App) -> dict[str, str]:
    mailbox = app.mailbox_address
    return {
        "name": app.settings.council.name,
        "mailbox": mailbox,
        "domain": mailbox.partition("@")[2],
    }


def chase_values(app: App, case: CaseRow, holder: Officer) -> dict[str, Any]:
    """The values an officer's chase about one case shares with its twins (the pause
    chase, the subject access reminder): the council, the officer holding the case, its
    member, and the case by reference, kind and receipt, its subject only when it is not
    confidential. Each adds its own under "case" and its own keys."""
    member = app.directory.member(case.member_email)
    confidential = case.confidential or case.kind == Kind.CONFIDENTIALITY.value
    return {
        "council": council_context(app),
        "officer": {"name": holder.name, "email": holder.email, "service": holder.service},
        "member": {
            "name": member.name if member else (case.member_name or case.member_email),
            "email": case.member_email,
        },
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[Kind(case.kind)],
            "received": _from_london(case.received_at),
            "confidential": confidential,
            "subject": "" if confidential else untagged_subject(case.subject)[:200],
        },
    }


def _from_london(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _member_words(app: App, case: CaseRow, message: ParsedMessage) -> tuple[str, bool]:
    """What to quote of the member's message, and whether quoted history was left out. A
    later message in the case's thread (an update, a reopening) usually quotes our
    acknowledgement below the member's words: that is left out, the officer has it. The
    first message is quoted whole."""
    text = message.text.strip()
    if message.message_id == case.root_message_id:
        return text, False
    # Our From is written in the ASCII form of a domain beyond ASCII (compose), so a
    # quoted header may show either form of the mailbox's address.
    ours = (*sorted(address_forms(app.mailbox_address)), app.settings.mailbox.display_name)
    above = above_our_quoted_mail(text, ours)
    return (above, True) if above else (text, False)


def officer_context(
    app: App,
    case: CaseRow,
    *,
    to: str,
    headline: Headline,
    why: str,
    message: ParsedMessage | None,
    today: date,
) -> dict[str, Any]:
    """Whitelisted values for the officer-facing templates; `today` (London), the day the
    mail is written (queued, or written again as it goes), for RESUME's example date."""
    kind = Kind(case.kind)
    member = app.directory.member(case.member_email)
    officer = app.directory.officer(to)
    minimise = shown_as_confidential(case) and app.policy.confidentiality.minimise_content
    text, history_left_out = ("", False) if minimise or message is None else _member_words(
        app, case, message
    )
    note = None if message is None else body_note(message)
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS].rstrip() + "\n[... the rest is in the shared mailbox]"
    # The protocol asks the officer, not mailbot, to acknowledge (Hackney 11.3).
    ack_duty = (
        app.policy.ack_by(kind) == "officer"
        and case.ack_due is not None
        and case.acknowledged_at is None
    )
    by_director = kind == Kind.COMPLAINT and app.policy.routing.complaints == "service-director"
    return {
        "council": council_context(app),
        "today_typed": typed_date(today),
        "officer": {"name": officer.name if officer else to, "email": to},
        "headline": {"en": headline.en, "cy": headline.cy},
        "why": why,
        "why_cy": welsh_of(why),
        "member": {
            "name": case.member_name or case.member_email,
            "email": case.member_email,
            "ward": member.ward if member else "",
            "known": case.known_member,
        },
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[kind],
            "kind_title": KIND_TITLES[kind],
            "kind_title_cy": KIND_TITLES_CY[kind],
            "priority": case.priority,
            "received": _from_london(case.received_at),
            "ack_due": case.ack_due,
            "response_due": case.response_due,
            "paused": case.response_due is None,
            "confidential": case.confidential,
            "confidentiality_request": case.kind == Kind.CONFIDENTIALITY.value,
            "subject": "" if minimise else untagged_subject(case.subject),
            "status": case.status,
            "extendable": app.policy.can_extend(kind),
            # An FOI request's one lawful extension (EIR reg 7), within the 20 working days.
            "eir_extendable": kind == Kind.FOI,
            # FOIA s.10(3)'s time to consider the public interest (FOISA has none).
            "public_interest_extendable": kind == Kind.FOI and app.policy.foi_regime != "foisa",
            # A subject access request: the law's month and where it goes, else None.
            "subject_access": _subject_access(app, case, to),
        },
        "message_text": text,
        # The member's follow-up quoted our earlier mail below their words: not repeated.
        "history_left_out": history_left_out,
        # The day a later mail quoted here came (an update), shown as "Received" with the
        # case's own day under its own label; None for the first mail, the case's day.
        "mail_received": later_mail_received(case, message),
        # Why the message text is missing or unreadable, so the officer opens the original.
        "body_note": note,
        # Mail passed on as an attachment that could not be read, by file name: what is
        # quoted may then be only the member's covering note.
        "unread_attachments": [] if minimise or message is None else message.unread_attachments,
        # The files the member attached (not inline pictures): the officer opens the
        # original to see them ("Thanks!" over a photo of the pothole).
        "attached_files": [] if minimise or message is None else _files(message),
        # The case's kind came from this message's subject line alone and no person has
        # confirmed it yet (a relabel takes the case out of triage).
        "kind_guessed": note in UNREADABLE
        and message is not None
        and message.message_id == case.root_message_id
        and case.status == CaseStatus.NEEDS_TRIAGE,
        "minimised": minimise,
        "foi": kind == Kind.FOI,
        # Whether the member was sent the acknowledgement (a stranger, or mail that may be
        # forged, is not): the FOI assignment tells the officer the member has been told.
        "member_told": _member_told(app, case, message),
        # The member's last acknowledgement went while the clock was paused (an enquiry
        # paused, then relabelled an FOI request): it said so, and that the date follows.
        "member_awaits_date": _member_awaits_date(app, case),
        "foi_law": "FOISA" if app.policy.foi_regime == "foisa" else "FOIA",
        "ack_duty": ack_duty,
        "ack_by_director": by_director,
        # The pack's words for what the acknowledgement contains ("" where it is silent).
        "ack_must_say": app.policy.ack_must_say(kind)[0],
        "ack_must_say_cy": app.policy.ack_must_say(kind)[1],
        "ask_confidentiality": confidentiality_still_asked(case),
        # "Under X's protocol": the council whose officers these are, which may have
        # adopted another council's pack.
        "policy_name": app.settings.council.name,
        # The member's other open cases, so a chaser or the same matter written about
        # twice is not handled afresh by an officer unaware of the first (member_cases).
        "other_cases": _other_cases(app, case, to),
    }


def _subject_access(app: App, case: CaseRow, to: str) -> dict[str, Any] | None:
    """{due, dpo, to_dpo} for a subject access request: the date one calendar month from
    receipt, the pack's data protection officer route ("" if none), and whether this
    officer is it; None for any other case."""
    found = subject_access_context(app, case)
    if found is None:
        return None
    dpo = app.policy.routing.subject_access or ""
    return {**found, "dpo": dpo, "to_dpo": bool(dpo) and address_key(dpo) == address_key(to),
            "told": marked_when_it_came(case)}


def marked_when_it_came(case: CaseRow) -> bool:
    """Whether the case was marked subject access when it was opened, so the member's
    acknowledgement gave the law's date and said it goes to the data protection officer:
    not when its first mark or unmark by hand (triage.mark_subject_access) was a mark."""
    session = object_session(case)
    if session is None:
        return True
    first = session.scalar(
        select(EventRow.action)
        .where(EventRow.case_id == case.id,
               EventRow.action.in_(("subject access marked", "subject access unmarked")))
        .order_by(EventRow.at, EventRow.id)
        .limit(1)
    )
    return first != "subject access marked"


# The events of CONFIDENTIAL OK and CONFIDENTIAL NO accepted on a case.
CONFIDENTIALITY_CONFIRMED = "confidentiality confirmed"  # the events CONFIDENTIAL OK/NO write
CONFIDENTIALITY_DECLINED = "confidentiality declined"
CONFIDENTIALITY_ANSWERED = (CONFIDENTIALITY_CONFIRMED, CONFIDENTIALITY_DECLINED)


def confidentiality_still_asked(case: CaseRow) -> bool:
    """Whether the officer's mail asks CONFIDENTIAL OK/NO: a confidential case whose
    question has not been answered. Once it has (and the member told), an update or a
    reassignment asking again reads as if nobody had, and the member would be written to
    a second time."""
    if not (case.confidential or case.kind == Kind.CONFIDENTIALITY.value):
        return False
    session = object_session(case)
    if session is None:
        return True
    answered = session.scalar(
        select(EventRow.id)
        .where(EventRow.case_id == case.id, EventRow.action.in_(CONFIDENTIALITY_ANSWERED))
        .limit(1)
    )
    return answered is None


def _files(message: ParsedMessage) -> list[dict[str, str]]:
    return [{"name": f.name, "size": readable_size(f.size)} for f in message.attached_files]


def _other_cases(app: App, case: CaseRow, to: str) -> dict[str, Any]:
    """The member's other open cases as the templates list them; none when the case is in
    no session (a mail rendered outside one), so the section is left out."""
    session = object_session(case)
    found = other_open_cases(session, app.directory, case, to) if session else OtherCases((), 0)
    return {
        "shown": [vars(other) for other in found.shown],
        "more": found.more,
        "same_matter": next((vars(o) for o in found.shown if o.same_matter), None),
    }


def _member_told(app: App, case: CaseRow, message: ParsedMessage | None) -> bool:
    """Whether the case's acknowledgement went to the member, as pipeline.open_case decides
    it: not to a stranger (unless the council says so), nor for mail in the member's name
    that their own domain disowns or that names no checkable address, until someone has
    checked with the member that it is theirs (VERIFIED)."""
    from mailbot.commands.authority import disowned  # mailbot.commands imports this module

    if not should_acknowledge(app, case):
        return False
    if message is None or message.message_id != case.root_message_id:
        return True
    if not disowned(message):
        return True
    from mailbot.commands.verify import is_verified  # imports this module

    session = object_session(case)
    return session is not None and is_verified(session, case)  # released by VERIFIED


def _member_awaits_date(app: App, case: CaseRow) -> bool:
    """Whether the member was told the clock is paused and the date will follow
    (commands.letters.member_awaits_a_date), for a paused case in a session."""
    from mailbot.commands.letters import member_awaits_a_date  # imports this module

    session = object_session(case)
    if session is None or case.status != CaseStatus.PAUSED:
        return False
    return member_awaits_a_date(app, session, case)


def hears_absence(app: App, address: str) -> bool:
    """Whether mail to `address` asks for its out-of-office and bounces: only with
    [loops] officer_auto_replies, and only a person in officers.csv, not a team mailbox of
    the pack's (an FOI team's automatic "we have your request" would be taken for an
    absence on every case)."""
    if not app.settings.loops.officer_auto_replies:
        return False
    routing = app.policy.routing
    teams = {routing.foi_team, routing.complaints}  # the monitoring officer is a person
    return app.directory.officer(address) is not None and address_key(address) not in {
        address_key(t) for t in teams if t
    }


def assignment_subject(
    case: CaseRow, member_name: str, minimise: bool, prefix: str, languages: Languages = ENGLISH
) -> str:
    """The subject of an officer's mail about a case; in a bilingual council, the Welsh and
    the English in the order of the mail's body (Welsh first for a member who chose Welsh),
    as the reminders' subjects have them."""
    kind = Kind(case.kind)
    title = KIND_TITLES[kind]
    who = member_name or case.member_email
    if minimise and kind != Kind.CONFIDENTIALITY:
        title = f"Confidential {title.lower()}"
    if languages != ENGLISH:
        welsh = KIND_TITLES_CY[kind]
        if minimise and kind != Kind.CONFIDENTIALITY:
            welsh = CONFIDENTIAL_TITLES_CY[kind]
        pair = (PREFIXES_CY[prefix], prefix.removesuffix(": ")) if prefix in PREFIXES_CY else None
        if languages == WELSH_FIRST:
            title = f"{welsh} / {title}"
        else:
            title, pair = f"{title} / {welsh}", pair and (pair[1], pair[0])
        if pair:
            prefix = f"{pair[0]} / {pair[1]}: "
    if minimise:
        return f"{prefix}{title} from {who} [{case.ref}]"
    subject = untagged_subject(case.subject) or _no_subject(case, languages)
    return f"{prefix}{title} from {who}: {subject[:120]} [{case.ref}]"


def _no_subject(case: CaseRow, languages: Languages) -> str:
    """What stands for a case's empty subject: "(erased on request)" where an erasure
    blanked it, as the body's lists and the digest say (member_cases.subjects_erased; a
    case rendered outside a session cannot tell), else "(no subject)"."""
    session = object_session(case)
    if session is None or case.id not in subjects_erased(session, [case.id]):
        return "(no subject)"
    if languages == ENGLISH:
        return "(erased on request)"
    if languages == WELSH_FIRST:
        return "(dilëwyd ar gais / erased on request)"
    return "(erased on request / dilëwyd ar gais)"


def officer_mail(
    app: App,
    case: CaseRow,
    *,
    to: str,
    headline: Headline,
    why: str,
    message: ParsedMessage | None,
    subject_prefix: str = "",
    cc: tuple[str, ...] = (),
    now: datetime,
) -> outbox.Rewritten:
    """An assignment-style mail to `to` about the case as it is now, not queued; `now`,
    when it is written (queued, or written again as it goes), gives its examples' day."""
    context = officer_context(app, case, to=to, headline=headline, why=why, message=message,
                              today=_from_london(now))
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context["subject"] = assignment_subject(
        case, case.member_name, context["minimised"], subject_prefix,
        languages=languages,
    )
    return outbox.Rewritten(
        app.renderer.render("assignment", context, languages),
        Envelope(
            sender=app.mailbox_address,
            sender_name=app.settings.mailbox.display_name,
            to=(to,),
            cc=tuple(a for a in cc if a and a != to),
            instance=app.settings.council.instance,
            hear_absence=hears_absence(app, to),
        ),
    )


def queue_officer_mail(
    app: App,
    session: Session,
    case: CaseRow,
    *,
    to: str,
    purpose: str,
    dedup_key: str,
    headline: Headline,
    why: str,
    message: ParsedMessage | None,
    now: datetime,
    subject_prefix: str = "",
    cc: tuple[str, ...] = (),
) -> str | None:
    """Write an assignment-style mail to `to`; returns the purpose if a row was written."""
    mail = officer_mail(app, case, to=to, headline=headline, why=why, message=message,
                        subject_prefix=subject_prefix, cc=cc, now=now)
    row = outbox.queue(
        session,
        purpose=purpose,
        dedup_key=dedup_key,
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
        automatic=False,  # one per case event: an officer with many cases must get them all
    )
    if row is None:
        return None
    ledger.record_event(session, now, "mailbot", f"{purpose} queued", f"to {to}", case=case)
    return purpose
