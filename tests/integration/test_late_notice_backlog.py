"""The first sweep after an upgrade, or after weeks with the daemon switched off, finds
many cases whose response date passed long ago. The member's late notice goes only for a
date that passed recently (within late_notice_backlog.WINDOW working days); the older
ones are not mailed to every member at once, weeks late, but kept back in the outbox as
`withdrawn` and listed once for the administrators. Read as the mail and rows that left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, rows

from mailbot import reminders
from mailbot.store.tables import EventRow, OutboxRow

DOMAIN = "wiltshire.gov.uk"
ADMIN = f"it@{DOMAIN}"
MEMBERS = ("jo", "rhian", "pat")
# Tuesday 8 December 2026, 10:00: the first sweep in weeks.
TUESDAY_8 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
WEDNESDAY_9 = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
# Received on each weekday from Monday 7 September: due ten working days on, weeks ago.
OLD = [datetime(2026, 9, 7, 9, 30, tzinfo=UTC) + timedelta(days=d)
       for d in range(0, 40) if (datetime(2026, 9, 7) + timedelta(days=d)).weekday() < 5]
# Due Monday 23 November: ten working days before the sweep is Monday 7 December, so
# this date passed too long ago. Due Tuesday 24 November: just within the window.
JUST_TOO_OLD = datetime(2026, 11, 9, 9, 30, tzinfo=UTC)
JUST_WITHIN = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
RECENT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # due Monday 7 December


def backlog_council(home: Path, admins: tuple[str, ...] = (ADMIN,)) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}", name="Wiltshire", policy="wiltshire",
        members=[("Cllr Jo Bloggs", f"jo@{DOMAIN}", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{DOMAIN}", "Tref", "cy"),
                 ("Cllr Pat Lee", f"pat@{DOMAIN}", "Mill", "en")],
        officers=[("Sam Patel", f"sam@{DOMAIN}", "Highways", "", "")],
        admins=admins,
        config=f'[routing]\ndefault_officer = "sam@{DOMAIN}"\n',
    )


def open_cases(it: Council, received: list[datetime]) -> dict[datetime, str]:
    """One enquiry received at each moment, members in turn; no sweep runs meanwhile.
    The case's ref by when it came."""
    refs = {}
    for number, moment in enumerate(received):
        who = MEMBERS[number % len(MEMBERS)]
        it.deliver(it.mail(f"Cllr {who.title()} <{who}@{DOMAIN}>",
                           f"Streetlight out on road {number}",
                           "Could someone fix the street light on our road please?",
                           date=moment), moment)
        refs[moment] = it.case().ref
    return refs


def sweep(it: Council, now: datetime) -> list[EmailMessage]:
    reminders.sweep(it.app, now)
    return it.flush(now)


def text_of(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def test_old_overdue_cases_are_listed_once_for_the_admins_not_mailed_to_members(
    tmp_path: Path,
) -> None:
    with backlog_council(tmp_path) as it:
        refs = open_cases(it, [*OLD, JUST_TOO_OLD, JUST_WITHIN, RECENT])
        first = sweep(it, TUESDAY_8)
        notices = {row.case_id: row for row in
                   rows(it.app, OutboxRow, OutboxRow.purpose == "late_notice")}
        case_ids = {ref: it.case(ref).id for ref in refs.values()}
        held_events = it.events("late_notice held back")
        second = sweep(it, WEDNESDAY_9) + sweep(it, WEDNESDAY_9 + timedelta(hours=3))
        notices_after = rows(it.app, OutboxRow, OutboxRow.purpose == "late_notice")
    old = [refs[moment] for moment in [*OLD, JUST_TOO_OLD]]
    assert len(old) >= 25
    # Members hear only of the dates that passed recently.
    to_members = [m for m in first if not str(m["To"]).startswith(("sam@", "it@"))]
    assert sorted(str(m["Subject"]).rsplit("[", 1)[1].rstrip("]") for m in to_members) == sorted(
        [refs[JUST_WITHIN], refs[RECENT]])
    # Every old case has its notice kept back, not sent, with the reason in the ledger.
    for ref in old:
        row = notices[case_ids[ref]]
        assert row.status == "withdrawn" and row.sent_at is None
        assert "more than 10 working days" in row.last_error
        assert "listed for the administrators" in row.last_error
    assert {notices[case_ids[ref]].status for ref in (refs[JUST_WITHIN], refs[RECENT])} == {
        "sent"}
    assert sorted(e.case_id for e in held_events) == sorted(case_ids[ref] for ref in old)
    # The administrators get one mail listing every old case, and none of the others.
    [alert] = [m for m in first if str(m["To"]) == ADMIN]
    text = text_of(alert)
    assert "late" in str(alert["Subject"]).lower()
    for ref in old:
        assert ref in text
    assert refs[JUST_WITHIN] not in text and refs[RECENT] not in text
    assert "due by Monday 23 November 2026" in text
    # Sam's reminders say the member was told only where they were.
    to_sam = [m for m in first if str(m["To"]) == f"sam@{DOMAIN}"]
    [summary] = [m for m in to_sam if str(m["Subject"]).startswith("Your cases to answer")]
    told = text_of(summary).count("has been told the date has passed")
    alone = {str(m["Subject"]).rsplit("[", 1)[1].rstrip("]"): text_of(m)
             for m in to_sam if m is not summary}
    assert told + sum("has been told" in text for text in alone.values()) == 2
    assert not any("has been told" in alone.get(ref, "") for ref in old)
    # Nothing more on the days after: no notice, no second list.
    assert [m for m in second if str(m["To"]) != f"sam@{DOMAIN}"] == []
    assert len(notices_after) == len(notices)


def test_with_no_admins_the_old_notices_are_still_kept_back(tmp_path: Path) -> None:
    with backlog_council(tmp_path, admins=()) as it:
        refs = open_cases(it, [OLD[0], OLD[5], RECENT])
        first = sweep(it, TUESDAY_8)
        statuses = {row.case_id: row.status for row in
                    rows(it.app, OutboxRow, OutboxRow.purpose == "late_notice")}
        case_ids = {moment: it.case(ref).id for moment, ref in refs.items()}
        held = rows(it.app, EventRow, EventRow.action == "late_notice held back")
    assert [str(m["To"]) for m in first if not str(m["To"]).startswith("sam@")] == [
        f"pat@{DOMAIN}"]  # the third case's member: the recent date
    assert statuses == {case_ids[OLD[0]]: "withdrawn", case_ids[OLD[5]]: "withdrawn",
                        case_ids[RECENT]: "sent"}
    assert "no administrators" in held[0].detail
