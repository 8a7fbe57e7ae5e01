"""Open cases left with someone no longer in the directory.

A case keeps the officer address it was given. When that officer leaves (their row is
deleted from officers.csv) or their address changes (name.surname@ becomes n.surname@),
the case stays with the old address: reminders go to it, and with no row there is no
deputy to redirect to and no manager to escalate to. mailbot does not guess who should
take such cases; it tells people: `mailbot status`, `mailbot case` and the whole-council
digest name the addresses that hold them, a leaver's auto-reply is noted for status, and
the stand-in (the default officer, else an admin) gets what a deputy or manager would
have (absence.py, reminders.py), so that a person hands them over (`mailbot reassign`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from mailbot import handover
from mailbot.addresses import address_forms, address_key, same_address
from mailbot.assignment import Headline
from mailbot.complained_about import (
    complained_about,
    never_to_be_given,
    one_of,
    perhaps_complained_about,
)
from mailbot.languages import Bilingual, with_cy
from mailbot.model import FINISHED
from mailbot.refs import canonical
from mailbot.store.tables import CaseRow, EventRow

if TYPE_CHECKING:
    from mailbot.app import App


# What a leaver's mailbox says when it answers ("I have now left Wiltshire Council", "I no
# longer work for ...", "this mailbox is no longer monitored"), in an auto-reply that the
# loop guard has already recognised as one.
_LEFT = re.compile(
    r"\bi have (?:now )?left (?:my (?:post|role|job|position) (?:at|with) )?(?:the )?"
    r"[\w' -]{0,40}\b(?:council|authority|organisation)\b(?: on [\w ]{1,20})?\s*(?:[.!;,]|$)"
    r"|\bi (?:no longer work|am no longer working|am no longer employed)\b"
    r"|\b(?:mailbox|e-?mail address|inbox|account) is no longer (?:monitored|in use|active)\b"
    r"|\bwedi gadael y cyngor\b",
    re.IGNORECASE | re.DOTALL,
)
LEFT_EVENT = "officer has left"


def says_they_left(note: str) -> bool:
    return _LEFT.search(" ".join(note.split())) is not None


def known_addresses(app: App) -> set[str]:
    """Addresses a case may rightly be with although they have no row of their own: the
    pack's teams, the default officer, the admins, and anyone the directory names as a
    manager or deputy (a service Director who takes Hackney's complaints)."""
    routing = app.policy.routing
    known = {routing.foi_team, routing.monitoring_officer, routing.complaints,
             routing.subject_access or "", routing.about_the_head_of_a_line or ""}
    known.add(app.settings.routing.default_officer.lower())
    known.update(a.lower() for a in app.settings.directory.admins)
    for officer in app.directory.officers.values():
        known.update((officer.manager_email, officer.deputy_email))
    return {a for a in known if a}


def stand_in(app: App, absent: str, never: Collection[str] = ()) -> str | None:
    """Who is asked to act on a case whose officer has no one in the directory to take over
    (no deputy, no manager, or no row at all): the default officer, else the first admin;
    never the very address that is away or gone, nor one in `never` (the officer a
    complaint is about)."""
    candidates = [app.settings.routing.default_officer, *app.settings.directory.admins]
    return next((c.lower() for c in candidates if c and not same_address(c, absent)
                 and not any(same_address(c, other) for other in never)), None)


def stand_in_for(app: App, case: CaseRow, absent: str) -> str | None:
    """The stand-in for this case (stand_in): never an officer its complaint is, or may
    be, about, who would otherwise be sent the member's mail about the complaint against
    them."""
    return stand_in(app, absent, about_them(case))


def about_them(case: CaseRow) -> set[str]:
    """The officers (address_key) the case's complaint is, or may be, about: read from its
    timeline, through the session that loaded the case."""
    session = object_session(case)
    if session is None or case.id is None:
        return set()
    return never_to_be_given(session, case.id)


def is_leaver(app: App, address: str) -> bool:
    """An address that holds cases but is in no part of the directory any more."""
    return (
        bool(app.directory.officers)
        and app.directory.officer(address) is None
        and address_key(address) not in {address_key(a) for a in known_addresses(app)}
    )


def cases_with_leavers(app: App, session: Session) -> list[tuple[str, int]]:
    """(address, open cases) for each address that holds open cases but is not in the
    directory, most cases first. Nothing when no officers file is in use at all. One
    address held in several forms (caerdydd-ŵ.cymru and xn--caerdydd--j9b.cymru, or
    capitals) is counted once, shown in the form first seen."""
    held = session.execute(
        select(CaseRow.officer_email, func.count(CaseRow.id), func.min(CaseRow.id))
        .where(CaseRow.officer_email.is_not(None), CaseRow.status.not_in(FINISHED))
        .group_by(CaseRow.officer_email)
        .order_by(func.min(CaseRow.id))
    )
    shown: dict[str, str] = {}
    counts: dict[str, int] = {}
    for email, n, _ in held:
        if not is_leaver(app, str(email)):
            continue
        key = address_key(str(email))
        shown.setdefault(key, str(email))
        counts[key] = counts.get(key, 0) + int(n)
    found = [(shown[key], n) for key, n in counts.items()]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def still_listed_leavers(
    app: App, session: Session, since: datetime
) -> list[tuple[str, datetime]]:
    """Officers whose mailbox has answered since `since` that they have left, but who are
    still in officers.csv (so new cases may still go to them): (address, when it last said
    so). Older notes are not repeated for ever: someone may have come back."""
    said = session.execute(
        select(EventRow.actor, func.max(EventRow.at))
        .where(EventRow.action == LEFT_EVENT, EventRow.at >= since)
        .group_by(EventRow.actor)
    )
    return sorted(
        (str(address), at) for address, at in said if app.directory.officer(str(address))
    )


class HandOverError(ValueError):
    """Why nothing was handed over, in one line for the administrator."""


class Moved(NamedTuple):
    """A case `mailbot reassign` moved, and what became of its paused clock, in the
    words of REASSIGN's confirmation (handover.clock_after_the_move); None if its clock
    was not paused."""

    ref: str
    clock: Bilingual | None


def hand_over(
    app: App,
    *,
    refs: list[str],
    from_officer: str,
    to: str,
    who: str,
    reason: str,
    now: datetime,
    even_if_complained_about: bool = False,
) -> list[Moved]:
    """Move open cases to `to` (the cases named, or every open case with `from_officer`),
    as REASSIGN does: a paused clock runs again unless its pause outlasts the move, the
    new officer gets the assignment with the member's message, and the timeline says who
    moved it and why. Returns the cases moved, each with what became of its clock. A
    complaint about `to` is not given to them (nothing is moved) unless
    `even_if_complained_about`."""
    to = to.strip().lower()
    if not handover.can_take_cases(app, to):
        raise HandOverError(f"{to} is not in the officers directory; nothing changed")
    with app.store.transaction() as session:
        chosen = select(CaseRow).where(CaseRow.status.not_in(FINISHED))
        if refs:
            wanted = [canonical(r) for r in refs]
            found = session.scalars(chosen.where(CaseRow.ref.in_(wanted))).all()
            missing = sorted(set(wanted) - {c.ref for c in found})
            if missing:
                raise HandOverError(f"no open case {', '.join(missing)}; nothing changed")
        else:
            found = session.scalars(
                chosen.where(func.lower(CaseRow.officer_email).in_(
                    sorted(address_forms(from_officer))))
            ).all()
        moved = [case for case in found if not same_address(case.officer_email or "", to)]
        about_them = [case.ref for case in moved
                      if one_of(to, complained_about(session, case.id))]
        perhaps = [case.ref for case in moved if case.ref not in about_them
                   and one_of(to, perhaps_complained_about(session, case.id))]
        if (about_them or perhaps) and not even_if_complained_about:
            raise HandOverError(_not_to_them(app, to, about_them, perhaps))
        return [Moved(case.ref, _move(app, session, case, to, who, reason, now))
                for case in sorted(moved, key=lambda c: c.id)]


def _not_to_them(app: App, to: str, about_them: list[str], perhaps: list[str]) -> str:
    """Why `mailbot reassign` moved nothing: the complaints about `to`, and those that
    may be about them (a surname they share with another officer)."""
    who = f"{app.directory.display(to)} ({to})"
    said = []
    for refs, what in ((about_them, "about"), (perhaps, "that may be about")):
        if refs:
            plural = len(refs) > 1
            said.append(f"{', '.join(sorted(refs))} "
                        f"{'are complaints' if plural else 'is a complaint'} {what} {who}")
    return (f"{'; '.join(said)}, which must not be given to the officer it is about; nothing "
            "changed (--even-if-complained-about to move it all the same)")


def _move(
    app: App, session: Session, case: CaseRow, to: str, who: str, reason: str, now: datetime
) -> Bilingual | None:
    """Hand `case` to `to`; what became of its clock, if it was paused."""
    previous = case.officer_email or "nobody"
    name = app.directory.display(previous)
    said = f": {reason}" if reason else ""
    return handover.hand_over(
        app, session, case, to, by=who, reason=reason,
        headline=Headline(
            f"This case was with {name}; it has been handed over to you{said}.",
            f"Roedd yr achos hwn {with_cy(name, 'gyda')}; mae wedi'i drosglwyddo i chi{said}.",
        ),
        why=Bilingual(f"handed over from {previous}{said}", f"trosglwyddwyd o {previous}{said}"),
        dedup_key=f"handover:{case.id}:{to}:{now.isoformat()}",
        now=now,
    ).clock  # fmt: skip
