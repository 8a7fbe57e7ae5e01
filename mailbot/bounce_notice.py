"""Telling a person when mailbot's mail bounced for good.

absence.undeliverable records every bounce of our mail about a case and moves a case whose
officer's address is dead. Recorded is not told: a member whose acknowledgement bounced
does not know their enquiry was received, and nobody else knows they do not. So:

- mail to a member that bounced: the case's officer (while the case is paused for their
  out-of-office, whoever was asked to redirect it; with no officer, the stand-in, as
  for any case nobody holds: the default officer, else the first admin) gets an update
  naming the mail, the address, the reason in plain words and what to do, while the
  case is open (once answered or closed, the member has had their answer); an update
  that waited to go is withdrawn, or written again for the case's officer now, at send
  time (case_mail_at_send.check_member_bounce);
- mail to an officer that bounced: the [directory] admins (with none, the officer's
  manager, else the stand-in) are told the address is dead, so a wrong or stale row of
  officers.csv is put right; the case itself is moved by absence.py as before.

Each once: per bounced mail and address for a member (a DSN seen again, or a second DSN
for the same mail, finds its dedup key taken), per address for an officer (every case of
theirs bounces the same way). Nothing is ever sent to the robot that bounced. A delay
warning (Action: delayed) is no bounce at all: the loop guard takes it for a receipt, and
the mail may yet arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mailbot import admin_alert, assignment, ledger, outbox
from mailbot.addresses import address_key
from mailbot.assignment import Headline
from mailbot.bounce_match import bounced_mail
from mailbot.cases import LONDON
from mailbot.compose import Envelope
from mailbot.dsn import Failure, failure_for, plain_reason, reason_kind
from mailbot.languages import Bilingual, staff_languages
from mailbot.leavers import stand_in, stand_in_for
from mailbot.model import FINISHED, Automatic, CaseStatus
from mailbot.outbox import Rewritten
from mailbot.parse import ParseFailure, parse_message
from mailbot.pause_chase import current_pause, redirect_request
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App

MEMBER_PURPOSE = "member_bounce"
OFFICER_PURPOSE = "officer_bounce_alert"
SUBJECT_PREFIX = "Not delivered to the member: "

# Our mail to members, as the officer knows it.
MEMBER_MAIL: dict[str, Bilingual] = {
    "ack": Bilingual("acknowledgement", "cydnabyddiaeth"),
    "extension_notice": Bilingual(
        "letter giving the new response date", "llythyr yn rhoi'r dyddiad ymateb newydd"
    ),
    "late_notice": Bilingual(
        "letter saying the response is late", "llythyr yn dweud bod yr ymateb yn hwyr"
    ),
    "alternative_contact": Bilingual(
        "letter saying who now has the case", "llythyr yn dweud pwy sydd â'r achos nawr"
    ),
    "confidentiality_result": Bilingual(
        "answer about keeping it confidential", "ateb am ei gadw'n gyfrinachol"
    ),
    "reopened": Bilingual(
        "letter saying the case is open again", "llythyr yn dweud bod yr achos ar agor eto"
    ),
    "clarification_received": Bilingual(
        "letter saying the clarification was received, with the new response date",
        "llythyr yn dweud bod yr eglurhad wedi dod, gyda'r dyddiad ymateb newydd",
    ),
    "fee_received": Bilingual(
        "letter saying the fee was received, with the new response date",
        "llythyr yn dweud bod y ffi wedi dod i law, gyda'r dyddiad ymateb newydd",
    ),
    "reply_received": Bilingual(
        "letter saying their reply was received, with the new response date",
        "llythyr yn dweud bod eu hateb wedi dod, gyda'r dyddiad ymateb newydd",
    ),
    "pause_ended": Bilingual(
        "letter giving the response date now that the clock runs again",
        "llythyr yn rhoi'r dyddiad ymateb gan fod y cloc yn rhedeg eto",
    ),
    "pause_notice": Bilingual(
        "letter saying the clock is paused until what it waits for comes from them",
        "llythyr yn dweud bod y cloc wedi'i oedi nes daw'r hyn y mae'n aros amdano ganddynt",
    ),
    "pause_holding": Bilingual(
        "short reply to their request for news saying the case is paused",
        "ateb byr i'w cais am newyddion yn dweud bod yr achos wedi'i oedi",
    ),
}


# Our mail to officers, as an administrator knows it.
OFFICER_MAIL: dict[str, str] = {
    "assignment": "assignment of a case",
    "reminder": "reminder",
    "overdue": "overdue reminder",
    "escalation": "escalation",
    "reminder_summary": "daily summary of reminders",
    "ooo_redirect": "request to take or pass on a case",
    MEMBER_PURPOSE: "notice that mail to a member bounced",
    "command_reply": "answer to a command",
}


def mail_named(purpose: str) -> Bilingual:
    known = MEMBER_MAIL.get(purpose)
    if known is not None:
        return known
    words = purpose.replace("_", " ")
    return Bilingual(f"mail ({words})", f"neges ({words})")


def tell_officer_of_member_bounce(
    app: App, session: Session, case: CaseRow, out: OutboxRow, failure: Failure,
    now: datetime,
) -> None:
    """The case's officer, else the stand-in, is told once that our mail `out` to the
    member did not arrive, why, and what to do."""
    if case.status in FINISHED:
        # As at send time (case_mail_at_send.check_member_bounce): the member has had their
        # answer, and "contact them another way" is no work left.
        ledger.record_event(
            session, now, "mailbot", "bounce not told",
            f"our {out.purpose} to {failure.recipient} bounced; the case was "
            f"{'answered' if case.status == CaseStatus.RESPONDED else 'closed'}",
            case=case,
        )
        return
    to = member_bounce_reader(app, case)
    if not to:
        ledger.record_event(
            session, now, "mailbot", "bounce not told",
            f"our {out.purpose} to {failure.recipient} bounced; the case has no officer and "
            "there is no default officer or admin to tell",
            case=case,
        )
        return
    queued = assignment.queue_officer_mail(
        app, session, case,
        to=to,
        purpose=MEMBER_PURPOSE,
        dedup_key=f"{MEMBER_PURPOSE}:{out.id}:{address_key(failure.recipient)}"[:200],
        headline=member_bounce_headline(case, out, failure),
        why=_why(app, case, to),
        message=None,
        now=now,
        subject_prefix=SUBJECT_PREFIX,
    )
    if queued:
        ledger.record_event(
            session, now, "mailbot", "member not reached",
            f"our {out.purpose} to {failure.recipient}: {plain_reason(failure)}; told {to}",
            case=case,
        )


def member_bounce_reader(app: App, case: CaseRow) -> str | None:
    """Who is told that mail to the case's member bounced: its officer; while the case is
    paused for that officer's out-of-office, whoever was asked to redirect it (the
    officer is away, and so would the notice be); else the stand-in (as for any case
    nobody holds)."""
    return (redirect_asked_of(case) or case.officer_email
            or stand_in_for(app, case, case.member_email))


def redirect_asked_of(case: CaseRow) -> str | None:
    """Whoever was asked to take or pass on the case, while it is paused for its officer's
    absence (absence.py's request, still standing); else None."""
    session = object_session(case)
    pause = current_pause(session, case) if session is not None else None
    if session is None or pause is None or not pause.absence:
        return None
    request = redirect_request(session, case, pause)
    if request is None:
        return None
    return request.recipients.partition(",")[0].strip() or None


def _why(app: App, case: CaseRow, to: str) -> str:
    if not case.officer_email:
        return Bilingual(
            "the case has no officer, so it comes to you",
            "nid oes swyddog gan yr achos, felly mae'n dod atoch chi",
        )
    if address_key(to) == address_key(case.officer_email):
        return ""
    away = app.directory.display(case.officer_email)
    return Bilingual(
        f"{away} is out of the office and you were asked to take or pass on the case",
        f"mae {away} allan o'r swyddfa a gofynnwyd i chi gymryd yr achos neu ei drosglwyddo",
    )


def member_bounce_for_holder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | None:
    """The notice queued as `row` written again for whoever is told now (the case's
    officer, else the stand-in), from the bounce itself, kept with the case. None if
    nobody is to be told or the bounce can no longer be read (erased, say)."""
    to = member_bounce_reader(app, case)
    _, out_id, address = row.dedup_key.split(":", 2)
    out = session.get(OutboxRow, int(out_id)) if out_id.isdigit() else None
    if not to or out is None:
        return None
    failure = _failure_told(app, session, case, out, address)
    if failure is None:
        return None
    return assignment.officer_mail(
        app, case, to=to, headline=member_bounce_headline(case, out, failure),
        why=_why(app, case, to), message=None, subject_prefix=SUBJECT_PREFIX,
        now=now,
    )


def _failure_told(
    app: App, session: Session, case: CaseRow, out: OutboxRow, address: str
) -> Failure | None:
    """The failure, for `address`, of the first bounce of `out` the case keeps."""
    bounces = session.scalars(
        select(MessageRow).where(
            MessageRow.case_id == case.id, MessageRow.automatic == Automatic.BOUNCE.value,
            MessageRow.purged_at.is_(None),
        ).order_by(MessageRow.id)
    )
    recipients = [r for r in out.recipients.split(",") if r]
    for bounce in bounces:
        message = parse_message(bounce.raw)
        if isinstance(message, ParseFailure):
            continue
        found = bounced_mail(app, session, message, bounce.raw)
        if found is None or found[0].id != out.id:
            continue
        failure = failure_for(bounce.raw, message.text,
                              message.headers.get("x-failed-recipients", ""), recipients, address)
        if address_key(failure.recipient) == address:
            return failure
    return None


def member_bounce_headline(case: CaseRow, out: OutboxRow, failure: Failure) -> Headline:
    member = case.member_name or case.member_email
    mail = mail_named(out.purpose)
    reason = plain_reason(failure)
    sent = out.sent_at or out.created_at
    day = sent.astimezone(LONDON) if sent else None
    when = f" (sent {day.day} {day:%B %Y})" if day else ""
    ack = out.purpose == "ack"
    temporary = failure.temporary
    en = [
        f"Our {mail} to {member}{when} could not be delivered to {failure.recipient}: "
        f"{reason}.",
        "Their mail server gave up after retrying a problem that may clear."
        if temporary else "",
        f"{member} has not been told that their message was received."
        if ack else f"{member} has not had this {mail}.",
        _what_to_do_en(failure, member),
    ]
    cy = [
        f"Nid oedd modd anfon ein {mail.cy} at {member} i {failure.recipient}: {reason.cy}.",
        "Rhoddodd eu gweinydd post y gorau iddi ar ôl ailgynnig problem a allai glirio."
        if temporary else "",
        f"Nid yw {member} wedi cael gwybod bod eu neges wedi dod i law."
        if ack else f"Nid yw {member} wedi cael y {mail.cy} hwn.",
        _what_to_do_cy(failure, member),
    ]
    return Headline(" ".join(p for p in en if p), " ".join(p for p in cy if p))


def _what_to_do_en(failure: Failure, member: str) -> str:
    if reason_kind(failure) in ("unknown", "domain", "disabled"):
        return (
            f"Please contact {member} another way (phone, or another address they use), and "
            f"ask the administrator to check their address in members.csv."
        )
    return f"Please contact {member} another way (phone, or another address they use)."


def _what_to_do_cy(failure: Failure, member: str) -> str:
    if reason_kind(failure) in ("unknown", "domain", "disabled"):
        return (
            f"Cysylltwch â {member} mewn ffordd arall (ffôn, neu gyfeiriad arall y maent yn ei "
            "ddefnyddio), a gofynnwch i'r gweinyddwr wirio eu cyfeiriad yn members.csv."
        )
    return (
        f"Cysylltwch â {member} mewn ffordd arall (ffôn, neu gyfeiriad arall y maent yn ei "
        "ddefnyddio)."
    )


def tell_admins_of_officer_bounce(
    app: App, session: Session, case: CaseRow, out: OutboxRow, failure: Failure,
    now: datetime,
) -> None:
    """The admins (else the officer's manager, else the stand-in) are told once per
    address that mail to this officer's address bounces."""
    address = failure.recipient
    officer = app.directory.officer(address)
    context = {
        "address": address,
        "name": officer.name if officer is not None else "",
        "listed": officer is not None,
        "case": {"ref": case.ref, "officer": case.officer_email or ""},
        "mail": OFFICER_MAIL.get(out.purpose, out.purpose.replace("_", " ")),
        "reason": plain_reason(failure),
        "reason_cy": plain_reason(failure).cy,
        "kind": reason_kind(failure),
        "temporary": failure.temporary,
    }
    key = f"{OFFICER_PURPOSE}:{address_key(address)}"[:200]
    row = admin_alert.queue_alert(
        app, session, template=OFFICER_PURPOSE, dedup_key=key, context=context, now=now,
    ) if admin_alert.admins(app) else _alert_someone_else(app, session, key, context, now)
    if row is not None:
        ledger.record_event(
            session, now, "mailbot", "officer address bounced",
            f"{address}: {context['reason']}; told {row.recipients}", case=case,
        )


def _alert_someone_else(
    app: App, session: Session, key: str, context: dict[str, object], now: datetime
) -> OutboxRow | None:
    """With no admins: the officer's manager, else the stand-in; never the dead address."""
    address = str(context["address"])
    manager = app.directory.manager_of(address)
    to = manager.email if manager is not None else stand_in(app, address)
    if not to or address_key(to) == address_key(address):
        return None
    council = {"name": app.settings.council.name, "mailbox": app.mailbox_address}
    rendered = app.renderer.render(
        OFFICER_PURPOSE, {"council": council, **context},
        staff_languages(app.policy.language, None),
    )
    envelope = Envelope(
        sender=app.mailbox_address, sender_name=app.settings.mailbox.display_name,
        to=(to,), instance=app.settings.council.instance,
    )
    return outbox.queue(
        session, purpose=OFFICER_PURPOSE, dedup_key=key, case=None, rendered=rendered,
        envelope=envelope, now=now, automatic=False,
    )
