"""The retention purge: erase personal data once it is older than [retention] allows.

What goes, and what stays (docs/retention.md):
- a message's raw bytes, sender, subject and note are blanked, but its row stays: the
  Message-ID is the dedup ledger ("never process twice") and threads replies to cases;
- our own sent mail loses its MIME; its Message-ID and recipients stay for threading;
- an answered or closed case, years on, loses the member's name, address and subject, its
  mail, and the free text of its audit trail; ref, kind, priority, officer, dates and
  status stay, so the statistics and the digest still add up.
An open case's data is never touched, and neither is mail that may still be sent
(pending, sending, uncertain). Each rule works in batches of [retention] batch_size
rows, one short transaction each, so a first purge of years of mail never holds one
huge transaction; each erased row is stamped, so a run cut short carries on next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from mailbot import ledger
from mailbot.addresses import address_forms
from mailbot.corrections_file import UNDATED_KEY, prune_corrections
from mailbot.model import FINISHED, Kind, MessageStatus
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.settings import RetentionSettings

log = logging.getLogger(__name__)

MAY_STILL_SEND = ("pending", "sending", "uncertain")  # never erased: the flush needs them
# Withdrawn: a reminder no longer true when it was to go (mailbot.still_due).
SENT_OR_GIVEN_UP = ("sent", "suppressed", "failed", "withdrawn")
MEMBER = "member"  # what an anonymised case's audit trail says instead of the address
PURGE = "purge"  # the audit trail's action for each purge carried out
PURGE_AT = (3, 30)  # the daily purge: hour, minute, Europe/London (a quiet hour)


@dataclass
class PurgeReport:
    """How many of each kind of thing were erased (or, for a dry run, would be)."""

    dry_run: bool = False
    dropped_mail: int = 0
    quarantined_mail: int = 0
    closed_case_mail: int = 0
    sent_mail: int = 0
    cases_anonymised: int = 0
    corrections_lines: int = 0
    corrections_undated: int = 0  # lines with no date, given one so they age out from now

    def counts(self) -> dict[str, int]:
        return {
            "dropped_mail": self.dropped_mail,
            "quarantined_mail": self.quarantined_mail,
            "closed_case_mail": self.closed_case_mail,
            "sent_mail": self.sent_mail,
            "cases_anonymised": self.cases_anonymised,
            "corrections_lines": self.corrections_lines,
            "corrections_undated": self.corrections_undated,
        }

    @property
    def total(self) -> int:
        return sum(n for key, n in self.counts().items() if key != "corrections_undated")

    def summary(self) -> str:
        """One line with the counts and nothing else: it goes into the audit trail."""
        return ", ".join(f"{key} {n}" for key, n in self.counts().items())


def purge(app: App, now: datetime, *, dry_run: bool = False) -> PurgeReport:
    """Erase what is past its retention; with dry_run, only count it. One audit event
    per real run, with the counts and no personal data."""
    limits = app.settings.retention
    batch = limits.batch_size
    report = PurgeReport(dry_run=dry_run)
    eraser = _Eraser(app, now, batch, dry_run)

    for rule in _RULES:
        erased = 0
        for kinds, days in _periods(limits, rule.days):
            if (cutoff := _cutoff(now, days)) is not None:
                due = rule.due(cutoff) if kinds is None else rule.due(cutoff).where(kinds)
                erased += eraser.run(rule.ids, due, rule.erase, lock=list(rule.lock))
        setattr(report, rule.count, erased)
    if (cutoff := _cutoff(now, limits.corrections_days)) is not None:
        erased, undated = prune_corrections(
            app.settings.corrections_path, cutoff, now, dry_run=dry_run
        )
        report.corrections_lines, report.corrections_undated = erased, undated

    if not dry_run:
        with app.store.transaction() as session:
            ledger.record_event(session, now, "retention", PURGE, report.summary())
        log.info("retention purge: %s", report.summary())
        if not app.store.empty_the_log():
            log.warning("retention: the database's write-ahead log was in use and not "
                        "emptied; what was erased may stay in it until the next purge")
    return report


def purge_due(app: App, now: datetime) -> bool:
    """Whether tonight's purge is still to do: none recorded since the last PURGE_AT
    (Europe/London) at or before `now`. The daemon asks at each sweep, so a night it
    was not running at PURGE_AT (a server switched off at night, a restart) is purged
    at its first sweep after, never twice a night."""
    london = now.astimezone(LONDON)
    at = time(*PURGE_AT)
    day = london.date() if london.time() >= at else london.date() - timedelta(days=1)
    since = datetime.combine(day, at, tzinfo=LONDON)
    with app.store.transaction() as session:
        last = session.scalar(select(func.max(EventRow.at)).where(
            EventRow.action == PURGE, EventRow.at >= since - timedelta(days=1)))
    return last is None or last < since


def _periods(
    limits: RetentionSettings, key: str
) -> list[tuple[ColumnElement[bool] | None, int]]:
    """`key`'s period, and each kind's own ([retention.foi] ...) with the cases it
    applies to; the first, [retention]'s, then goes only to the kinds with none of their
    own. A key no kind may set has the one period, for everything."""
    days = getattr(limits, key)
    own = limits.own_periods(key)
    if not own:
        return [(None, days)]
    return [(CaseRow.kind.not_in([kind.value for kind in own]), days),
            *((CaseRow.kind == kind.value, kind_days) for kind, kind_days in own.items())]


def _cutoff(now: datetime, days: int) -> datetime | None:
    """Older than this is past its retention; None when the limit is 0 (keep for ever)."""
    return now - timedelta(days=days) if days > 0 else None


# --- what is past its retention: each a SELECT of ids, never of rows already erased -----


def _dropped_mail(cutoff: datetime) -> Select[int]:
    return select(MessageRow.id).where(
        MessageRow.case_id.is_(None),
        MessageRow.status != MessageStatus.QUARANTINED,
        MessageRow.received_at < cutoff,
        MessageRow.purged_at.is_(None),
    )


def _quarantined_mail(cutoff: datetime) -> Select[int]:
    return select(MessageRow.id).where(
        MessageRow.status == MessageStatus.QUARANTINED,
        MessageRow.received_at < cutoff,
        MessageRow.purged_at.is_(None),
    )


def _finished_before(cutoff: datetime) -> ColumnElement[bool]:
    # updated_at is the case's last change: the answer, or any follow-up after it, so a
    # member writing again keeps the case's mail for the full period from then.
    return CaseRow.status.in_(FINISHED) & (CaseRow.updated_at < cutoff)


def _closed_case_mail(cutoff: datetime) -> Select[int]:
    return (
        select(MessageRow.id)
        .join(CaseRow, MessageRow.case_id == CaseRow.id)
        .where(_finished_before(cutoff), MessageRow.purged_at.is_(None))
    )


def _sent_mail(cutoff: datetime) -> Select[int]:
    return (
        select(OutboxRow.id)
        .outerjoin(CaseRow, OutboxRow.case_id == CaseRow.id)
        .where(
            OutboxRow.status.in_(SENT_OR_GIVEN_UP),
            func.coalesce(OutboxRow.sent_at, OutboxRow.created_at) < cutoff,
            OutboxRow.purged_at.is_(None),
            or_(OutboxRow.case_id.is_(None), CaseRow.status.in_(FINISHED)),
        )
    )


def _old_cases(cutoff: datetime) -> Select[int]:
    return select(CaseRow.id).where(_finished_before(cutoff), CaseRow.anonymised_at.is_(None))


# --- erasing one batch of ids: each runs inside the batch's transaction -----------------


Erase = Callable[[Session, list[int], datetime], None]


def erase_messages(session: Session, ids: list[int], now: datetime) -> None:
    _blank_messages(session, MessageRow.id.in_(ids), now)
    # What the ledger wrote about mail that joined no case (a quarantine reason, say) can
    # quote the message; a case's audit trail is kept until the case is anonymised.
    session.execute(
        update(EventRow)
        .where(EventRow.message_id.in_(ids), EventRow.case_id.is_(None))
        .values(detail="")
    )


def _blank_messages(session: Session, which: ColumnElement[bool], now: datetime) -> None:
    session.execute(
        update(MessageRow)
        .where(which, MessageRow.purged_at.is_(None))
        .values(raw=b"", sender="", subject="", reason="", purged_at=now)
    )


def blank_sent_mail(session: Session, which: ColumnElement[bool], now: datetime) -> None:
    """Erase sent mail whole, recipients too, and its error, which can name them ('over 10
    automatic mails to jo@...', a server's refusal); Message-ID, purpose and status stay.
    Not mail that may still be sent."""
    session.execute(
        update(OutboxRow)
        .where(which, OutboxRow.status.not_in(MAY_STILL_SEND))
        .values(mime=b"", recipients="", last_error="",
                purged_at=func.coalesce(OutboxRow.purged_at, now))
    )


def _erase_sent_mail(session: Session, ids: list[int], now: datetime) -> None:
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(ids), OutboxRow.status.not_in(MAY_STILL_SEND))
        .values(mime=b"", purged_at=now)
    )


def anonymise_cases(session: Session, ids: list[int], now: datetime) -> None:
    """Blank these cases' member details, mail and audit trail free text; what stays is
    what the statistics need. Also used to erase one person's cases on request
    (mailbot.erasure)."""
    members = dict(session.execute(select(CaseRow.id, CaseRow.member_email).where(
        CaseRow.id.in_(ids))).tuples().all())
    _blank_messages(session, MessageRow.case_id.in_(ids), now)
    blank_sent_mail(session, OutboxRow.case_id.in_(ids), now)
    session.execute(update(EventRow).where(EventRow.case_id.in_(ids)).values(detail=""))
    session.execute(update(ClockEventRow).where(ClockEventRow.case_id.in_(ids)).values(why=""))
    for case_id, address in members.items():
        if not address:
            continue
        # The member's mail may have named them in either form of their domain.
        forms = sorted({address, *address_forms(address)})
        session.execute(
            update(EventRow)
            .where(EventRow.case_id == case_id, EventRow.actor.in_(forms))
            .values(actor=MEMBER)
        )
        session.execute(
            update(ClockEventRow)
            .where(ClockEventRow.case_id == case_id, ClockEventRow.who.in_(forms))
            .values(who=MEMBER)
        )
    session.execute(
        update(CaseRow)
        .where(CaseRow.id.in_(ids))
        .values(member_email="", member_name="", subject="", matter_key="", anonymised_at=now)
    )


@dataclass(frozen=True)
class _Rule:
    """One kind of personal data in the database: its [retention] key, the rows past it,
    and how to erase a batch of them."""

    count: str  # the PurgeReport field
    days: str  # the RetentionSettings key
    ids: InstrumentedAttribute[int]
    due: Callable[[datetime], Select[int]]
    erase: Erase
    lock: tuple[type[Any], ...]  # the tables a batch locks (PostgreSQL)


# The mail rules first, so each counts the mail it erases whatever the limits are; then
# anonymising old cases, which also erases whatever mail of theirs is left.
_RULES = (
    _Rule("dropped_mail", "dropped_mail_days", MessageRow.id, _dropped_mail, erase_messages,
          (MessageRow,)),
    _Rule("quarantined_mail", "quarantined_mail_days", MessageRow.id, _quarantined_mail,
          erase_messages, (MessageRow,)),
    _Rule("closed_case_mail", "closed_case_mail_days", MessageRow.id, _closed_case_mail,
          erase_messages, (MessageRow, CaseRow)),
    _Rule("sent_mail", "sent_mail_days", OutboxRow.id, _sent_mail, _erase_sent_mail,
          (OutboxRow,)),
    _Rule("cases_anonymised", "anonymise_cases_days", CaseRow.id, _old_cases, anonymise_cases,
          (CaseRow,)),
)


@dataclass
class _Eraser:
    """Runs one rule in batches: pick up to `batch` ids past the last one done, erase
    them, commit; again until none are left. A dry run only counts.

    On PostgreSQL the picked rows (and, for a case's mail, the case) are locked FOR
    UPDATE until the batch commits, so a case cannot be reopened, nor mail re-queued,
    between being picked and being erased. SQLite has one writer at a time anyway.
    """

    app: App
    now: datetime
    batch: int
    dry_run: bool

    def run(
        self,
        id_column: InstrumentedAttribute[int],
        due: Select[int],
        erase: Erase,
        *,
        lock: list[type[Any]],
    ) -> int:
        if self.dry_run:
            with self.app.store.transaction() as session:
                return session.scalar(select(func.count()).select_from(due.subquery())) or 0
        done, last = 0, 0
        while True:
            with self.app.store.transaction() as session:
                ids = list(
                    session.scalars(
                        due.where(id_column > last)
                        .order_by(id_column)
                        .limit(self.batch)
                        .with_for_update(of=lock)
                    )
                )
                if ids:
                    erase(session, ids, self.now)
            done += len(ids)
            if len(ids) < self.batch:
                return done
            last = ids[-1]


# --- for people: what each count means, with its limit ---------------------------------

WHAT = {
    "dropped_mail": ("dropped_mail_days", "raw mail that joined no case (automatic, ignored)"),
    "quarantined_mail": ("quarantined_mail_days", "raw quarantined mail"),
    "closed_case_mail": ("closed_case_mail_days", "raw mail of answered or closed cases"),
    "sent_mail": ("sent_mail_days", "our sent mail (MIME)"),
    "cases_anonymised": ("anonymise_cases_days", "member details of answered or closed cases"),
    "corrections_lines": ("corrections_days", "classifier corrections lines"),
}


def describe(report: PurgeReport, limits: RetentionSettings) -> list[str]:
    """One line per kind of data: the count, what it is, and its limit."""
    verb = "would erase" if report.dry_run else "erased"
    counts = report.counts()
    lines = []
    for key, (limit_key, what) in WHAT.items():
        lines.append(f"{verb} {counts[key]:>6}  {what}, {_limits(limits, limit_key)}")
    if report.corrections_undated:
        lines.append(
            f"{report.corrections_undated} undated corrections line(s) "
            + ("would be " if report.dry_run else "")
            + f"dated today ({UNDATED_KEY}), to be erased one period from now"
        )
    return lines


# The kinds of case as [retention.<kind>] periods are listed beside [retention]'s.
KINDS_IN_WORDS = {
    Kind.ENQUIRY: "enquiries",
    Kind.FOI: "FOI requests",
    Kind.COMPLAINT: "complaints",
    Kind.CONFIDENTIALITY: "confidentiality requests",
}


def _limits(limits: RetentionSettings, key: str) -> str:
    """'after 2190 days; FOI requests after 1095 days': the key's period, then each
    kind's own."""
    return "; ".join([
        _after(getattr(limits, key), key),
        *(f"{KINDS_IN_WORDS[kind]} {_after(days, f'{kind.value}.{key}')}"
          for kind, days in limits.own_periods(key).items()),
    ])


def _after(days: int, key: str) -> str:
    return f"after {days} days" if days else f"kept for ever ({key} = 0)"

