"""Mail held as possibly forged (dmarc=fail) and verified only after the date the protocol
sets for its response, counted from receipt, has passed. The member used to get an
acknowledgement promising that past date ("Sam Patel will respond by Wednesday 9
December 2026"), then the sweep's separate late notice. Now one letter says when their
mail arrived, that it was held for checking before it reached an officer, that the date
the protocol sets has passed (named), and what the late notice says: who is dealing with
it and that they have been asked for the reason, what is being done and when a full
response will come. The sweep sends no second late notice for that date, and the
officer's confirmation (the administrator's terminal for `mailbot verify`) says the date
has passed and what the member was told.

Dates: the held mail arrives Wednesday 25 November 2026 (Wiltshire: due Wednesday 9
December); the officer rings the member and replies VERIFIED on Monday 14 December."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, eml, rows
from paused_council import JO, SAM, SAM_PATEL, paused_council, words

from mailbot import reminders
from mailbot.commands.verify import verify_case
from mailbot.store.tables import OutboxRow

HELD_MAIL = "member_enquiry_dmarc_fail.eml"
RECEIVED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday
DUE = date(2026, 12, 9)  # ten working days on (Wiltshire)
CHECKED = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)  # Monday: after the date
ENGLISH = (
    "Thank you for your enquiry, which we received on Wednesday 25 November 2026.",
    "It was held for checking that it came from you before it reached an officer, and "
    "the date the council's protocol sets for our response, Wednesday 9 December 2026, "
    "has passed.",
    "Sam Patel (Highways) is dealing with it and has been asked to tell you the reason "
    "for the delay, what is being done and when you will have a full response.",
)


def _council(tmp_path: Path, language: str = "en") -> Council:
    return paused_council(tmp_path / "c", [SAM_PATEL], default_officer=SAM,
                          members=[("Cllr Jo Bloggs", JO, "Castle", language)])


def _held(council: Council) -> EmailMessage:
    out = council.deliver(eml(HELD_MAIL), now=RECEIVED)
    [assignment] = [m for m in out if m["To"] == SAM]
    assert council.case().response_due == DUE
    return assignment


def _sweep(council: Council, now: datetime) -> list[EmailMessage]:
    reminders.sweep(council.app, now)
    return council.flush(now)


def test_verified_after_the_date_tells_the_member_once_that_it_has_passed(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        assignment = _held(council)
        out = council.deliver(council.reply(
            assignment, SAM, "VERIFIED - rang Cllr Bloggs, it is hers", date=CHECKED),
            now=CHECKED)

        [ack] = [m for m in out if m["To"] == JO]
        for part in ("plain", "html"):
            said = words(ack, part)
            for sentence in ENGLISH:
                assert sentence in said
            assert "will respond by" not in said
        [confirmation] = [m for m in out if m["To"] == SAM]
        said = words(confirmation)
        assert "Its date, Wednesday 9 December 2026, has passed" in said
        assert ("the acknowledgement says so, and that you will tell them the reason for "
                "the delay, what is being done and when they will have a full response") in said

        # The sweeps after: the officer is reminded, the member is not told it again.
        later = [*_sweep(council, CHECKED + timedelta(hours=1)),
                 *_sweep(council, CHECKED + timedelta(days=1))]
        assert [m for m in later if m["To"] == JO] == []
        reminded = [words(m) for m in later if m["To"] == SAM]  # the overdue reminder
        assert reminded and all(
            "Cllr Jo Bloggs has been told that the response is late" in said
            for said in reminded), reminded
        [acked] = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
        assert acked.status == "sent"
        # The late notice for the date is on record, kept back: the acknowledgement was it.
        [late] = rows(council.app, OutboxRow, OutboxRow.purpose == "late_notice")
        assert (late.dedup_key, late.status) == (f"late_notice:{acked.case_id}:2026-12-09",
                                                  "withdrawn")
        assert "says that date has passed" in late.last_error
        [verified] = council.events("verified")
        assert "saying its date 2026-12-09 has passed" in verified.detail


def test_welsh_beside_english_for_a_member_who_prefers_welsh(tmp_path: Path) -> None:
    with _council(tmp_path, language="cy") as council:
        assignment = _held(council)
        out = council.deliver(council.reply(assignment, SAM, "VERIFIED", date=CHECKED),
                              now=CHECKED)
    [ack] = [m for m in out if m["To"] == JO]
    for part in ("plain", "html"):
        said = words(ack, part)
        assert ("Cafodd eich neges ei dal i wirio mai chi a'i hanfonodd cyn iddi gyrraedd "
                "swyddog, ac mae'r dyddiad y mae protocol y cyngor yn ei osod ar gyfer ein "
                "hymateb, dydd "
                "Mercher 9 Rhagfyr 2026, wedi mynd heibio.") in said
        assert "gofynnwyd iddynt ddweud wrthych y rheswm dros yr oedi" in said
        for sentence in ENGLISH[1:]:
            assert sentence in said
        assert "yn ymateb erbyn" not in said
        assert "will respond by" not in said


def test_verified_before_the_date_still_promises_it(tmp_path: Path) -> None:
    in_time = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with _council(tmp_path) as council:
        assignment = _held(council)
        out = council.deliver(council.reply(assignment, SAM, "VERIFIED", date=in_time),
                              now=in_time)
        [ack] = [m for m in out if m["To"] == JO]
        said = words(ack)
        assert "will respond by Wednesday 9 December 2026" in said
        assert "held for checking" not in said
        [confirmation] = [m for m in out if m["To"] == SAM]
        assert "has passed" not in words(confirmation)
        # Its date passes unanswered: the sweep's late notice, as for any case.
        out = _sweep(council, datetime(2026, 12, 10, 10, 0, tzinfo=UTC))
        [late] = [m for m in out if m["To"] == JO]
        assert "was due by Wednesday 9 December 2026" in words(late)
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "late_notice")
        assert row.status == "sent"


def test_mailbot_verify_after_the_date_says_so_to_the_administrator(tmp_path: Path) -> None:
    """What `mailbot verify REF` prints (verify_case's lines; the command passes the wall
    clock's time, here the fixed one)."""
    with _council(tmp_path) as council:
        _held(council)
        case, done = verify_case(council.app, council.case().ref, who="Dee Okafor",
                                 now=CHECKED)
        said = " ".join(str(line) for line in done.lines)
        assert "Its date, Wednesday 9 December 2026, has passed" in said
        assert done.queued == ["ack"]
        [ack] = [m for m in council.flush(CHECKED) if m["To"] == JO]
        assert ENGLISH[1] in words(ack)
        assert case.status == "open"
