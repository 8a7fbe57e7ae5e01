"""Addresses compared in SQL with lower() are folded as Python folds them, on SQLite as on
PostgreSQL: SQLite's own lower() folds A-Z only, so a case stored for ZOË.ÖKTEN@ (an older
row, or one typed by hand) was not found for zoë.ökten@ by `mailbot reassign --from`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from test_stale_assignments import RECEIVED, assignments
from test_stale_reminders import ALEX, JO, D, council

from mailbot import leavers
from mailbot.store.tables import CaseRow

ZOE_STORED = f"ZOË.ÖKTEN@{D}"


def test_lower_folds_capitals_beyond_ascii(tmp_path: Path) -> None:
    with council(tmp_path) as it, it.app.store.transaction() as session:
        assert session.scalar(select(func.lower("ZOË.ÖKTEN@ÅRHUS.EXAMPLE"))) == (
            "zoë.ökten@århus.example")
        assert session.scalar(select(func.lower(None))) is None


def test_a_case_stored_with_non_ascii_capitals_is_handed_over(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                           "There is a deep pothole outside no. 12. Can it be repaired?",
                           date=RECEIVED), RECEIVED)
        ref = it.case().ref
        with it.app.store.transaction() as session:
            session.execute(update(CaseRow).where(CaseRow.ref == ref)
                            .values(officer_email=ZOE_STORED))
        later = RECEIVED + timedelta(hours=1)
        moved = leavers.hand_over(it.app, refs=[], from_officer=f"zoë.ökten@{D}", to=ALEX,
                                  who="admin", reason="Zoë has left", now=later)
        it.flush(later)
        case = it.case(ref)
        to_alex = [row for row in assignments(it) if ALEX in row.recipients]
    assert [m.ref for m in moved] == [ref]
    assert case.officer_email == ALEX
    assert len(to_alex) == 1 and to_alex[0].status == "sent"
