"""`mailbot case REF` prints the timeline in columns that line up, however long an action
or an actor is (a bounce notice withdrawn, an officer's long address)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helpers import Council

from mailbot.console import describe_case
from mailbot.ledger import record_event
from mailbot.store.tables import CaseRow

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LONG = "democratic.services.member.support@council.gov.uk"


def test_the_timeline_columns_line_up_after_a_long_action_and_actor(tmp_path: Path) -> None:
    received = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    ) as council:
        council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                     "A deep pothole.", date=received), now=received)
        ref = council.case().ref
        with council.app.store.transaction() as session:
            case = session.query(CaseRow).filter_by(ref=ref).one()
            record_event(session, datetime(2026, 11, 26, 9, 0, tzinfo=UTC), LONG,
                         "BOUNCE_NOTICE_WITHDRAWN", "the case was answered", case=case)
            record_event(session, datetime(2026, 11, 26, 9, 5, tzinfo=UTC), SAM, "NOTE",
                         "rang the member", case=case)
        rows = (describe_case(council.app, ref) or "").split("Timeline:\n")[1].splitlines()
    assert len(rows) >= 3, rows
    # Columns are set apart by two spaces or more; a column's words by one.
    columns = [[m.start() for m in re.finditer(r"\S+(?: \S+)*", row)][:4] for row in rows]
    assert all(len(starts) == 4 for starts in columns), rows
    assert len({tuple(starts) for starts in columns}) == 1, "\n".join(rows)
    assert rows[-2].endswith(f"BOUNCE_NOTICE_WITHDRAWN  {LONG}  the case was answered")
