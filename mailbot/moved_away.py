"""The officer a case has been taken from, told so.

A person's `mailbot relabel` sends a case to the route of its new kind (an enquiry found to
be an FOI request goes to the FOI team, a complaint to the complaints route): the new
holder gets the assignment, and the officer who had it is sent one short notice saying
which case, who has it now and why, and that they need do nothing more. Nobody is told
when the case stays with the same person, or had nobody. An officer the case is now a
complaint about (an enquiry of Sam's relabelled a complaint about Sam, which goes up Sam's
line), or may be about ('Mr Patel' of two Patels), is told only that it has moved away
from them: not its subject, its new kind, who has it or who relabelled it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mailbot import ledger, outbox
from mailbot.addresses import same_address
from mailbot.admin_alert import admins
from mailbot.assignment import PREFIXES_CY, assignment_subject, council_context
from mailbot.cases import KIND_LABELS
from mailbot.complained_about import never_to_be_given, one_of
from mailbot.compose import Envelope, untagged_subject
from mailbot.handover import can_take_cases
from mailbot.languages import ENGLISH, WELSH_FIRST, Bilingual, Languages, staff_languages
from mailbot.member_cases import shown_as_confidential
from mailbot.model import Kind
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from mailbot.app import App

TEMPLATE = "moved_away"
SUBJECT_PREFIX = "No longer with you: "
# How a command run without --by records whoever ran it: their login on the server.
ADMIN_LOGIN = "admin:"


def tell_previous_officer(
    app: App, session: Session, case: CaseRow, previous: str | None, old_kind: Kind,
    *, by: str, now: datetime,
) -> str | None:
    """Tell `previous`, who held `case` before a relabel to its kind now moved it, that it
    is with someone else. Returns the outbox purpose if a notice was queued."""
    holder = case.officer_email
    if not previous or not holder or same_address(previous, holder):
        return None
    if not can_take_cases(app, previous):  # left: their row is gone, their mail unread
        return None
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    confidential = shown_as_confidential(case)
    member_name = member.name if member else (case.member_name or case.member_email)
    if one_of(previous, never_to_be_given(session, case.id)):
        context = _context_about_them(app, case, previous, member_name)
        context["subject"] = _subject_about_them(case, member_name, languages)
    else:
        context = _context(app, case, previous, old_kind, member_name, confidential, by)
        context["subject"] = assignment_subject(case, member_name, confidential,
                                                SUBJECT_PREFIX, languages=languages)
    row = outbox.queue(
        session,
        purpose=TEMPLATE,
        dedup_key=f"{TEMPLATE}:{case.id}:{previous}:{now.isoformat()}"[:200],
        case=case,
        rendered=app.renderer.render(TEMPLATE, context, languages),
        envelope=Envelope(
            sender=app.mailbox_address,
            sender_name=app.settings.mailbox.display_name,
            to=(previous,),
            # Their out-of-office is not asked for: the case is no longer theirs to redirect.
            instance=app.settings.council.instance,
        ),
        now=now,
        automatic=False,  # one per case moved: an officer losing several must hear of each
    )
    if row is None:
        return None
    ledger.record_event(session, now, "mailbot", f"{TEMPLATE} queued", f"to {previous}",
                        case=case)
    return TEMPLATE


def _context(
    app: App, case: CaseRow, previous: str, old_kind: Kind, member_name: str,
    confidential: bool, by: str,
) -> dict[str, Any]:
    """The whitelisted values the template may see: a confidential case without its
    subject, as every officer's mail lists one."""
    kind = Kind(case.kind)
    holder = case.officer_email or ""
    return {
        "council": council_context(app),
        "officer": {"name": app.directory.display(previous), "email": previous},
        "member": {"name": member_name, "email": case.member_email},
        "case": {
            "ref": case.ref,
            "about_you": False,
            "kind": kind.value,
            "kind_label": KIND_LABELS[kind],
            "old_kind": old_kind.value,
            "old_kind_label": KIND_LABELS[old_kind],
            "confidential": confidential,
            "subject": "" if confidential else untagged_subject(case.subject)[:200],
        },
        "now_with": {"name": app.directory.display(holder), "email": holder},
        "by": (said := said_by(app, by)),
        "by_cy": said.cy,  # after 'gan', which mutates it (gweinyddwr -> weinyddwr)
    }


def _context_about_them(
    app: App, case: CaseRow, previous: str, member_name: str
) -> dict[str, Any]:
    """The values for an officer the case is now a complaint about: which case and whose,
    nothing of its subject, kind, holder or who relabelled it (the template's about_you)."""
    return {
        "council": council_context(app),
        "officer": {"name": app.directory.display(previous), "email": previous},
        "member": {"name": member_name, "email": case.member_email},
        "case": {"ref": case.ref, "about_you": True, "confidential": True, "subject": "",
                 "kind": "", "kind_label": "", "old_kind": "", "old_kind_label": ""},
        "now_with": {"name": "", "email": ""},
        "by": "",
        "by_cy": "",
    }


def _subject_about_them(case: CaseRow, member_name: str, languages: Languages) -> str:
    """'No longer with you: Cllr Jo Bloggs [MB-2026-00001]' (Welsh too in a bilingual
    council): the member's name and the reference only."""
    english = SUBJECT_PREFIX.removesuffix(": ")
    welsh = PREFIXES_CY[SUBJECT_PREFIX]
    prefix = english
    if languages != ENGLISH:
        prefix = f"{welsh} / {english}" if languages == WELSH_FIRST else f"{english} / {welsh}"
    return f"{prefix}: {member_name or case.member_email} [{case.ref}]"


def said_by(app: App, who: str) -> Bilingual:
    """Who relabelled the case, in words the officer can act on: a person named with --by
    as the directory knows them; a command run without it is recorded by the login that
    ran it ('admin:root'), which means nothing to an officer, so the notice says an
    administrator, with the [directory] admins' addresses when the council has some."""
    if not who.startswith(ADMIN_LOGIN):
        name = app.directory.display(who)
        return Bilingual(name, name)
    addresses = admins(app)
    if not addresses:
        return Bilingual("an administrator", "weinyddwr")
    return Bilingual(f"an administrator ({' or '.join(addresses)})",
                     f"weinyddwr ({' neu '.join(addresses)})")
