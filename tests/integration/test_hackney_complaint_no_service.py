"""Hackney 11.3: a complaint goes to the Director of the service concerned, who acknowledges
it within three days. When mailbot cannot tell the service (the member named no officer it
knows, copying nobody), the complaint waits with the default officer (member support)
to be passed on. The member was told that member support would acknowledge it and say
what action would be taken, and member support was only told "the default officer (no
rule matched)" beside the Director's duty, not that the case was theirs to pass on.

Dates by hand: received Mon 2 Nov 2026; acknowledgement 3 working days, Thu 5 Nov;
response 10 working days, Mon 16 Nov."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from complaint_council import at, complaint_council
from helpers import Council, body_text

JO = at("jo", "hackney")
SUPPORT = "member.support@hackney.gov.uk"
DS_DIRECTOR = "ds.director@hackney.gov.uk"
SAM = "sam.patel@hackney.gov.uk"
DIRECTOR = "dana.director@hackney.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_complaint_no_service_matched_is_for_the_director_to_come(tmp_path: Path) -> None:
    with _hackney(tmp_path, [("Lee Chan", DS_DIRECTOR, "Democratic services", "", "")]) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Formal complaint about Highways",
            "I wish to make a formal complaint about the way an officer in Highways dealt "
            "with my resident's pothole report.", date=RECEIVED), now=RECEIVED)
        case = council.case()
        assert (case.kind, case.officer_email) == ("complaint", SUPPORT)
        [ack] = [m for m in out if m["To"] == JO]
        [assignment] = [m for m in out if m["To"] == SUPPORT]
        for told in (_flat(body_text(ack, "plain")), _flat(body_text(ack, "html"))):
            assert "a complaint goes to the Director of the service concerned." in told
            assert "The Director will acknowledge it by" in told
            assert "Thursday 5 November 2026" in told and "Monday 16 November 2026" in told
            assert "Member Support (Democratic services) will acknowledge" not in told
            assert "please contact Member Support" in told
        assert ("Why you: no service matched the complaint: pass it with REASSIGN to the "
                "Director of the service concerned, who acknowledges and answers it"
                in _flat(body_text(assignment, "plain")))

        later = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
        out = council.deliver(council.reply(assignment, SUPPORT, f"REASSIGN {DIRECTOR}",
                                            date=later), now=later)
        assert council.case().officer_email == DIRECTOR
        assert {str(m["To"]) for m in out} == {SUPPORT, DIRECTOR, JO}


def test_a_complaint_with_its_director_names_them(tmp_path: Path) -> None:
    with _hackney(tmp_path) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Formal complaint about Sam Patel",
            "I wish to make a formal complaint about the way my pothole report was handled.",
            cc=SAM, date=RECEIVED), now=RECEIVED)
        assert council.case().officer_email == DIRECTOR
        [ack] = [m for m in out if m["To"] == JO]
        told = _flat(body_text(ack, "plain"))
        assert "Dana Director (Highways) will acknowledge it by Thursday 5 November 2026" in told
        assert "The Director will acknowledge" not in told


def test_an_officer_named_in_words_gives_the_director(tmp_path: Path) -> None:
    # The member copies nobody but names Sam Patel, whom officers.csv knows: a complaint
    # about an officer goes to the head of their line (16.1), with no REASSIGN needed.
    with _hackney(tmp_path) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Formal complaint about Sam Patel",
            "I wish to make a formal complaint about the way Sam Patel in Highways dealt with "
            "my resident's pothole report.", date=RECEIVED), now=RECEIVED)
        assert council.case().officer_email == DIRECTOR
    assert SAM not in {str(m["To"]) for m in out}
    [ack] = [m for m in out if m["To"] == JO]
    assert "Dana Director (Highways) will acknowledge it by Thursday 5 November 2026" in (
        _flat(body_text(ack, "plain")))


def _hackney(tmp_path: Path, more: list[tuple[str, str, str, str, str]] | None = None) -> Council:
    """Hackney, Member Support its default officer, Sam Patel in Highways and his Director,
    and `more` officers."""
    return complaint_council(
        tmp_path / "council", name="Hackney Council", policy="hackney", complaints_team=False,
        default_officer=SUPPORT,
        officers=[("Member Support", SUPPORT, "Democratic services", DS_DIRECTOR, ""),
                  *(more or []),
                  ("Sam Patel", SAM, "Highways", DIRECTOR, ""),
                  ("Dana Director", DIRECTOR, "Highways", "", "")],
    )
