"""Mail about a case reaches a person even when no officer holds the case, and follows
the case if it moves before the notice goes.

A case nobody holds ("unassigned": no routing rule matched and no [routing]
default_officer) still gets the member's recall, their own follow-up and a stranger's mail
naming it on its timeline. The notice an officer would have had goes to whoever settles
unassigned cases (the default officer, else the first of [directory] admins), saying the
case has no officer yet and how to give it one; with nobody configured, nothing is sent
and the timeline says nobody was told. A notice still in the outbox when the case is
passed on goes to its new holder, and is withdrawn if the case is closed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from test_member_recalls_a_message import JO, SUBJECT, recall, said

from mailbot.store.tables import OutboxRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 20, tzinfo=UTC)
CLERK = "clerk@wiltshire.gov.uk"
ASK = "The hedge on Elm Road is blocking the pavement. Could it be cut back?"


def _unassigned(home: Path, admins: tuple[str, ...]) -> Council:
    """Wiltshire with no default officer: Jo's hedge matches no routing rule."""
    return Council(
        home, mailbox="memberenquiries@wiltshire.gov.uk", policy="wiltshire",
        members=[("Cllr Jo Bloggs", "jo@wiltshire.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam@wiltshire.gov.uk", "Highways", "", "")],
        admins=admins,
    )


@pytest.fixture
def nobody_holds(tmp_path: Path) -> Iterator[Council]:
    with _unassigned(tmp_path, (CLERK,)) as it:
        it.deliver(it.mail(JO, SUBJECT, ASK, date=MONDAY), MONDAY)
        it.left()
        assert it.case().officer_email is None
        yield it


def _says_no_officer(notice: object, ref: str) -> None:
    text = " ".join(body_text(notice, "plain").split())  # type: ignore[arg-type]
    assert "This case has no officer yet" in text
    assert f"mailbot reassign {ref} --to" in text
    assert "REASSIGN" in text


def test_a_recall_on_a_case_nobody_holds_goes_to_the_admin(nobody_holds: Council) -> None:
    ref = nobody_holds.case().ref
    left = nobody_holds.deliver(recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT)),
                                LATER)
    assert [str(m["To"]) for m in left] == [CLERK]
    assert str(left[0]["Subject"]).startswith("Update: ") and ref in str(left[0]["Subject"])
    _says_no_officer(left[0], ref)
    assert "tried to recall" in body_text(left[0], "plain")


def test_the_members_follow_up_on_a_case_nobody_holds_goes_to_the_admin(
    nobody_holds: Council
) -> None:
    ref = nobody_holds.case().ref
    raw = nobody_holds.mail(JO, f"RE: {SUBJECT} [{ref}]", "Also the one on Oak Lane.",
                            date=LATER)
    left = nobody_holds.deliver(raw, LATER)
    assert [str(m["To"]) for m in left] == [CLERK]
    _says_no_officer(left[0], ref)


def test_an_unlisted_address_naming_a_case_nobody_holds_goes_to_the_admin(
    nobody_holds: Council
) -> None:
    ref = nobody_holds.case().ref
    raw = nobody_holds.mail("Jo at home <jo.bloggs@example.net>", f"Hedge [{ref}]",
                            "Any news on this?", date=LATER)
    left = nobody_holds.deliver(raw, LATER)
    assert [str(m["To"]) for m in left] == [CLERK]
    _says_no_officer(left[0], ref)


def test_with_nobody_to_tell_nothing_is_sent_and_the_timeline_says_so(tmp_path: Path) -> None:
    with _unassigned(tmp_path, ()) as council:
        council.deliver(council.mail(JO, SUBJECT, ASK, date=MONDAY), MONDAY)
        council.left()
        case = council.case()
        left = council.deliver(recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT)),
                               LATER)
        assert left == []
        assert [r.purpose for r in rows(council.app, OutboxRow)] == ["ack"]
        [told] = council.events("nobody told")
        assert told.case_id == case.id
        assert "no officer" in told.detail and "admins" in told.detail
