"""A member's first mail sent before members.csv listed them opens as a stranger's: in
triage, unacknowledged. Once they are listed, settling it with a relabel sends them the
acknowledgement it would have had, once (5ba8d03); 3bd0d52's rule that a relabel writes
again only to a member already acknowledged leaves that alone. But mail in their name that
their own domain disowns (dmarc=fail) would have had none (cb3280d): they may never have
sent it, so listing them and relabelling it must not write to them either."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, rows
from paused_council import SAM, SAM_PATEL, paused_council

from mailbot.model import Kind
from mailbot.store.tables import EventRow, OutboxRow
from mailbot.triage import relabel_case

NEWCOMER = "new.member@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SETTLED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
DISOWNED = ("Authentication-Results: mx1.council.gov.uk; spf=fail "
            "smtp.mailfrom=council.gov.uk; dmarc=fail (p=reject) header.from=council.gov.uk")


def _listed_after_their_mail(council: Council, extra: str = "") -> None:
    out = council.deliver(council.mail(
        NEWCOMER, "Potholes on Castle Road", "Please send me the inspection records for "
        "Castle Road.", date=RECEIVED, extra=extra), now=RECEIVED)
    assert [m for m in out if m["To"] == NEWCOMER] == []
    members = council.home / "members.csv"
    with members.open("a", encoding="utf-8") as handle:
        handle.write(f"Cllr New Member,{NEWCOMER},Castle,en\n")
    os.utime(members, ns=(1, 4_000_000_000_000_000_000))
    council.app.directory.refresh()  # as `mailbot relabel`, run after the edit, reads it


def test_a_newly_listed_member_is_acknowledged_once_by_the_relabel(tmp_path: Path) -> None:
    with paused_council(tmp_path / "c", [SAM_PATEL], default_officer=SAM) as council:
        _listed_after_their_mail(council)
        ref = council.case().ref
        relabel_case(council.app, ref, Kind.ENQUIRY, who="admin@council.gov.uk", now=SETTLED)
        [ack] = [m for m in council.flush(SETTLED) if m["To"] == NEWCOMER]
        assert "Thank you for your enquiry" in str(ack.get_body(("plain",)).get_content())
        relabel_case(council.app, ref, Kind.ENQUIRY, who="admin@council.gov.uk", now=SETTLED)
        assert [m for m in council.flush(SETTLED) if m["To"] == NEWCOMER] == []
        acks = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
    assert [(r.recipients, r.status) for r in acks] == [(NEWCOMER, "sent")]


def test_mail_their_domain_disowned_is_not_acknowledged_once_they_are_listed(
    tmp_path: Path,
) -> None:
    with paused_council(tmp_path / "c", [SAM_PATEL], default_officer=SAM) as council:
        _listed_after_their_mail(council, extra=DISOWNED)
        ref = council.case().ref
        for kind in (Kind.ENQUIRY, Kind.COMPLAINT):
            relabel_case(council.app, ref, kind, who="admin@council.gov.uk", now=SETTLED)
            assert [m for m in council.flush(SETTLED) if m["To"] == NEWCOMER] == []
        assert rows(council.app, OutboxRow, OutboxRow.purpose == "ack") == []
        assert [e for e in rows(council.app, EventRow) if e.action == "not acknowledged"] != []
