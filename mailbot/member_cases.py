"""The member's other open cases, for the officer given one of theirs (the assignment).

A member who chases ("Any update on the pothole in Mill Lane?") or writes about the same
matter twice opens a second case; its officer is told what else is open for that member,
and which of it is probably the same matter, so it is not handled afresh by someone
unaware of the first.

The open cases (status IN open/needs_triage/paused) of this member's stored address forms
are counted per address through ix_cases_member; who is the member is decided for each
address by address_key and the members directory (same_member), not by the stored
string. The database then ranks them by the stored matter_key (mailbot.matter) and gives
only the SHOWN listed, so a member with hundreds open costs what one with two does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, desc, func, select
from sqlalchemy import case as case_when
from sqlalchemy.orm import Session

from mailbot.addresses import address_forms, address_key
from mailbot.complained_about import COMPLAINT_ABOUT, COMPLAINT_MAYBE_ABOUT
from mailbot.compose import untagged_subject
from mailbot.directory import Directory
from mailbot.erasure import SUBJECT_ERASED
from mailbot.loops.subjects import FORWARD_SUBJECT, without_gateway_tags
from mailbot.matter import MIN_CONTAINED, matter_key, same_key_as
from mailbot.model import UNFINISHED, CaseStatus, Kind, ParsedMessage
from mailbot.parse import parse_message
from mailbot.quoting import history_head, own_text
from mailbot.store.tables import CaseRow, EventRow, MessageRow
from mailbot.thread import same_member

SHOWN = 5  # listed in full; the rest are counted ("and 3 more")
OPEN = (CaseStatus.OPEN.value, CaseStatus.NEEDS_TRIAGE.value, CaseStatus.PAUSED.value)


@dataclass(frozen=True)
class OtherCase:
    ref: str
    # "" for a confidential case (the templates say "(confidential)"), and for one with no
    # subject: "(erased on request)" when an erasure blanked it, else "(no subject)".
    subject: str
    confidential: bool
    erased: bool
    holder: str  # the officer's name as the directory has it, "" for nobody yet
    holder_email: str  # for REASSIGN
    holder_is_you: bool
    response_due: date | None  # None while the response clock is paused
    same_matter: bool


@dataclass(frozen=True)
class OtherCases:
    shown: tuple[OtherCase, ...]
    more: int  # open cases beyond the ones shown


def shown_as_confidential(case: CaseRow) -> bool:
    """Listed by reference only, as the digest lists it: a case flagged confidential, or
    any confidentiality request whether or not the flag was set."""
    return _confidential(case.kind, case.confidential)


def _confidential(kind: str | None, flagged: bool | None) -> bool:
    return bool(flagged) or kind == Kind.CONFIDENTIALITY.value


def member_addresses(directory: Directory, email: str) -> list[str]:
    """Every stored form of every address of the member (members.csv other_emails)."""
    member = directory.member(email)
    addresses = [email, *((member.email, *member.other_emails) if member else ())]
    return sorted({form for a in addresses if a for form in (a.lower(), *address_forms(a))})


def sent_again(
    session: Session, directory: Directory, message: ParsedMessage
) -> CaseRow | None:
    """A known member sending the mail that opened one of their open cases again: forwarded
    to the mailbox ("FW: Hedge on Elm Road", "Any update on this?" over it), or sent again
    as it was, under a new Message-ID ("Resending in case this was missed", or nothing
    added). That case, if it is theirs, of the same matter_key, and the words of its first
    mail are in this one's: the start of them in a forward (a resident's mail forwarded
    under the same subject is another matter); in a mail sent again, the same words, or
    all of them with more, if they are enough to tell (a new matter under an old subject
    says something else)."""
    sender = message.sender
    if sender is None or directory.member(sender.email) is None:
        return None
    forward = bool(FORWARD_SUBJECT.match(without_gateway_tags(message.subject)))
    text = _squashed(message.text if forward else own_text(message.text).text)
    for case in _same_matter(session, message.subject, CaseRow.status.in_(OPEN),
                             CaseRow.member_email.in_(member_addresses(directory, sender.email))):
        if _carries(text, _first_words(session, case), forward=forward):
            return case
    return None


def _carries(text: str, first: str, *, forward: bool) -> bool:
    """Whether a mail's text (a forward's whole text, else the sender's own words) carries
    the first mail's words again."""
    if forward:
        return first[:FORWARDED_WORDS] in text
    return text == first or (len(first) >= MIN_RESENT_WORDS and first in text)


FORWARDED_WORDS = 200  # how much of the first mail's own words must be in the forward
MIN_RESENT_WORDS = 40  # fewer ("Please fix the light.") may begin another matter's mail


def _same_matter(
    session: Session, subject: str, *where: ColumnElement[bool]
) -> Iterator[CaseRow]:
    """The cases `where` says, not anonymised, newest first, whose matter_key is this
    subject's (found through ix_cases_matter)."""
    key = matter_key(subject)
    if not key:
        return
    yield from session.scalars(
        select(CaseRow).where(*where, CaseRow.matter_key == key,
                              CaseRow.anonymised_at.is_(None))
        .order_by(CaseRow.received_at.desc(), CaseRow.id.desc()))


def _first_words(session: Session, case: CaseRow) -> str:
    """The member's own words in the mail that opened the case, on one line; a string no
    text contains if they cannot be read (erased, unparseable, no words)."""
    raw = session.scalar(
        select(MessageRow.raw).where(MessageRow.message_id == case.root_message_id))
    first = parse_message(raw) if raw else None
    words = _squashed(own_text(first.text).text) if isinstance(first, ParsedMessage) else ""
    return words or "\0"


def _squashed(text: str) -> str:
    return " ".join(text.split())


def passed_on_by_staff(session: Session, message: ParsedMessage) -> CaseRow | None:
    """Staff forwarding the member's mail that opened a case ("FW: Hedge on Elm Road" to a
    colleague, the mailbox copied) with nothing else of the thread: no Message-ID or tag of
    the case, and no Outlook conversation when the member wrote from Gmail or a phone.
    That case, if it is running, the forwarded mail's header lines name its member (by
    address or by name), its matter_key is this subject's, and the words of its first
    mail are in this one's. Only mail the thread stage takes as staff's is asked."""
    if not FORWARD_SUBJECT.match(without_gateway_tags(message.subject)):
        return None
    head = history_head(message.text).casefold()
    if not head:
        return None
    text = _squashed(message.text)
    for case in _same_matter(session, message.subject, CaseRow.status.in_(UNFINISHED)):
        if _names_member(head, case) and _carries(text, _first_words(session, case), forward=True):
            return case
    return None


def _names_member(head: str, case: CaseRow) -> bool:
    """Whether a forwarded mail's header lines (in lower case) name the case's member."""
    names = (case.member_email, *address_forms(case.member_email), case.member_name or "")
    return any(len(name) >= MIN_CONTAINED and name.casefold() in head for name in names)


def other_open_cases(
    session: Session, directory: Directory, case: CaseRow, to: str
) -> OtherCases:
    """The member's open cases other than `case`, for a mail to officer `to`: those
    probably about the same matter first, then newest first; SHOWN of them in full. A
    confidential case (this one or the other) is never marked as the same matter: that
    would tell its subject. Nothing for an anonymised case or one with no member address."""
    if not case.member_email or case.anonymised_at is not None:
        return OtherCases((), 0)
    # Who is the member is decided per stored address (a few), then the database counts
    # their open cases and gives the SHOWN to list, the same matter first: a member with
    # hundreds open costs what one with two does.
    mine = (
        CaseRow.status.in_(OPEN),
        CaseRow.member_email.in_(member_addresses(directory, case.member_email)),
        CaseRow.id != case.id,
        CaseRow.anonymised_at.is_(None),
    )
    counted = session.execute(
        select(CaseRow.member_email, func.count()).where(*mine).group_by(CaseRow.member_email)
    ).all()
    theirs = [address for address, _ in counted
              if same_member(directory, case.member_email, address)]
    total = sum(count for address, count in counted if address in theirs)
    if not total:
        return OtherCases((), 0)
    key = "" if shown_as_confidential(case) else matter_key(case.subject)
    # A confidential case (this one or the other) is never marked: that would tell its subject.
    marked = and_(CaseRow.confidential.is_not(True), CaseRow.kind != Kind.CONFIDENTIALITY.value,
                  same_key_as(key, CaseRow.matter_key))
    ranked = session.execute(
        select(CaseRow, case_when((marked, 1), else_=0).label("same"))
        .where(*mine, CaseRow.member_email.in_(theirs))
        .order_by(desc("same"), CaseRow.received_at.desc(), CaseRow.id.desc())
        .limit(SHOWN)
    ).all()
    erased = subjects_erased(session, [row.id for row, _ in ranked if not row.subject])
    about_them = complaints_about(session, to, [
        row.id for row, _ in ranked if row.kind == Kind.COMPLAINT.value])
    listed = [_listed(directory, row, to, bool(same), row.id in erased,
                      hidden=row.id in about_them)
              for row, same in ranked]
    return OtherCases(tuple(listed), total - len(listed))


def _shown_subject(subject: str) -> str:
    """The subject as the list shows it: one line, untagged, cut ("" for none: the
    templates say why there is none, in the mail's languages)."""
    return " ".join(untagged_subject(subject).split())[:120]


def subjects_erased(session: Session, case_ids: Collection[int]) -> set[int]:
    """Which of these cases had their subject erased on request: anonymised with their
    member's details, or blanked alone because it named someone else erased (a
    SUBJECT_ERASED entry in the timeline, mailbot.erasure). Their officers' mail says
    "(erased on request)" where the subject was, as the digest does, not "(no subject)"."""
    if not case_ids:
        return set()
    anonymised = session.scalars(select(CaseRow.id).where(
        CaseRow.id.in_(case_ids), CaseRow.anonymised_at.is_not(None)))
    blanked = session.scalars(select(EventRow.case_id).where(
        EventRow.case_id.in_(case_ids), EventRow.action == SUBJECT_ERASED))
    return {*anonymised, *(case_id for case_id in blanked if case_id is not None)}


def complaints_about(session: Session, officer: str, case_ids: Collection[int]) -> set[int]:
    """Those of `case_ids` that are complaints about `officer` (complained_about), or
    perhaps about them (a surname two officers share)."""
    if not case_ids:
        return set()
    named = session.execute(
        select(EventRow.case_id, EventRow.detail)
        .where(EventRow.case_id.in_(case_ids),
               EventRow.action.in_((COMPLAINT_ABOUT, COMPLAINT_MAYBE_ABOUT)))
    ).all()
    return {case_id for case_id, detail in named
            if case_id is not None and address_key(detail or "") == address_key(officer)}


def _listed(
    directory: Directory, row: CaseRow, to: str, same: bool, erased: bool, *, hidden: bool
) -> OtherCase:
    confidential = hidden or shown_as_confidential(row)
    holder = row.officer_email or ""
    return OtherCase(
        ref=row.ref,
        subject="" if confidential else _shown_subject(row.subject),
        confidential=confidential,
        erased=erased and not confidential,
        holder=directory.display(holder) if holder else "",
        holder_email=holder,
        holder_is_you=bool(holder) and address_key(holder) == address_key(to),
        response_due=None if row.status == CaseStatus.PAUSED else row.response_due,
        same_matter=same,
    )
