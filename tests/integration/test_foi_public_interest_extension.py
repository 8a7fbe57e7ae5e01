"""FOIA s.10(3): where a qualified exemption applies, the council may take the time that is
reasonable to consider the public interest, telling the member within the 20 working days
(s.17(2): the exemption, and an estimate of the date of its decision). The ICO's guidance
is that a reasonable extension is normally no more than 20 further working days. An FOI
team could not record one (EXTEND on an FOI request was refused but for EIR reg 7), so the
request showed overdue from day 21. FOISA has no such extension.

Dates by hand (the FOI calendar skips the bank holidays of all four nations): received
Mon 2 Nov 2026, working day 20 is Tue 1 Dec (Mon 30 Nov, St Andrew's Day, skipped); ten
working days after it Tue 15 Dec; twenty (day 40) Thu 31 Dec (Fri 25 and Mon 28 Dec
skipped)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from foi_council import foi_council, foi_request
from helpers import Council, body_text, rows
from paused_council import FOI_TEAM, JO, command
from paused_council import words as _flat

from mailbot.console import describe_case
from mailbot.store.tables import ClockEventRow

DAY_TEN = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
DAY_TWELVE = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PUBLIC_INTEREST = ("public interest test: we need more time to weigh the public interest in "
                   "the contract prices (s.43 commercial interests)")


def _assignment(council: Council) -> EmailMessage:
    return foi_request(
        council, "Freedom of Information request: bin contract",
        "Under the Freedom of Information Act 2000 please send me the prices in the waste "
        "collection contract.")


def _extend(council: Council, assignment: EmailMessage, line: str, at: datetime
            ) -> tuple[str, list[EmailMessage]]:
    return command(council, assignment, FOI_TEAM, line, at)


def test_a_public_interest_extension_is_recorded_and_the_member_told(tmp_path: Path) -> None:
    with foi_council(tmp_path / "council") as council:
        assignment = _assignment(council)
        for part in ("plain", "html"):  # the FOI team's command list gives the form
            assert 'EXTEND 10 "public interest test: why"' in body_text(assignment, part)
        said, others = _extend(council, assignment, f'EXTEND 10 "{PUBLIC_INTEREST}"', DAY_TEN)
        assert said.startswith("Done."), said
        assert ("The response date of MB-2026-00001 is now Tuesday 15 December 2026 (was "
                "Tuesday 1 December 2026): a public interest extension, FOIA s.10(3).") in said
        assert "The member has been sent your reason and the new date." in said
        assert "refusal notice" in said  # s.17: the exemption and the estimate, within the 20
        [letter] = [m for m in others if m["To"] == JO]
        told = _flat(letter)
        assert "the contract prices (s.43 commercial interests)" in told
        assert "by Tuesday 15 December 2026" in told
        assert council.case().response_due == date(2026, 12, 15)
        [event] = rows(council.app, ClockEventRow, ClockEventRow.action == "extend")
        assert event.new_due == date(2026, 12, 15) and event.why == PUBLIC_INTEREST
        explained = describe_case(council.app, council.case().ref) or ""
        assert "Extended on Mon 16 Nov 2026" in explained
        assert "Due: Tue 15 Dec 2026" in explained
        assert "Ignored extension" not in explained
        # A later estimate, within the date given and the 20 further working days, stands.
        later = f'EXTEND 31/12/2026 "{PUBLIC_INTEREST}; the board meets on the 30th"'
        said, others = _extend(council, assignment, later, DAY_TWELVE)
        assert said.startswith("Done."), said
        assert "now Thursday 31 December 2026" in said
        assert [m["To"] for m in others] == [JO]
        assert council.case().response_due == date(2026, 12, 31)


def test_more_than_twenty_further_working_days_is_refused(tmp_path: Path) -> None:
    with foi_council(tmp_path / "council") as council:
        assignment = _assignment(council)
        said, others = _extend(council, assignment, f'EXTEND 25 "{PUBLIC_INTEREST}"', DAY_TEN)
        assert said.startswith("Not done."), said
        assert "20 further working days" in said
        assert "Thursday 31 December 2026" in said
        assert others == []
        assert council.case().response_due == date(2026, 12, 1)


def test_a_public_interest_extension_after_the_twenty_days_is_refused(tmp_path: Path) -> None:
    with foi_council(tmp_path / "council") as council:
        assignment = _assignment(council)
        late = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
        said, others = _extend(council, assignment, f'EXTEND 10 "{PUBLIC_INTEREST}"', late)
        assert said.startswith("Not done."), said
        assert "within the 20 working days" in said
        assert "Tuesday 1 December 2026" in said
        assert others == []
        assert council.case().response_due == date(2026, 12, 1)


def test_foisa_has_no_public_interest_extension(tmp_path: Path) -> None:
    with foi_council(tmp_path / "council",
                     '[policy]\nregion = "scotland"\nfoi_regime = "foisa"\n') as council:
        assignment = _assignment(council)
        assert "public interest test" not in body_text(assignment, "plain")
        said, others = _extend(council, assignment, f'EXTEND 10 "{PUBLIC_INTEREST}"', DAY_TEN)
        assert said.startswith("Not done."), said
        assert "FOISA" in said
        assert others == []
        assert council.case().response_due == date(2026, 12, 1)
