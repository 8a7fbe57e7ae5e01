"""What a councillor receives, read as they read it: the acknowledgement of each kind under
each council's pack, as it left the outbox (subject, threading headers, the plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text

# Sent Friday 20 November 2026 at 16:30 (London), read on Thursday 26 November.
SENT = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
READ = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def council(home: Path, pack: str) -> Council:
    return Council(
        home,
        mailbox=f"memberenquiries@{pack}.gov.uk",
        name=f"{pack.title()} Council",
        policy=pack,
        members=[("Cllr Jo Bloggs", f"jo@{pack}.gov.uk", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{pack}.gov.uk", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{pack}.gov.uk", "Highways", "", "")],
    )


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with council(tmp_path / "wiltshire", "wiltshire") as it:
        yield it


def to_member(it: Council, subject: str, body: str, *, who: str = "jo", extra: str = "",
              sent: datetime = SENT, now: datetime = READ) -> EmailMessage:
    """The one mail the member got back for the mail they sent."""
    address = f"{who}@{it.mailbox.partition('@')[2]}"
    left = it.deliver(it.mail(f"Cllr {who.title()} <{address}>", subject, body, extra=extra,
                              date=sent), now)
    mine = [m for m in left if str(m["To"]) == address]
    assert len(mine) == 1, [str(m["To"]) for m in left]
    return mine[0]


@pytest.mark.parametrize(("subject", "expected"), [
    ("RE: Re: FOI request - bin collections", "RE: FOI request - bin collections"),
    ("Re: [EXTERNAL] Re: Bins", "Re: Bins"),
    ("Ateb: RE: Twll yn y ffordd", "Re: Ateb: Twll yn y ffordd"),
    ("Fwd: Pothole", "Re: Fwd: Pothole"),
])
def test_the_ack_subject_has_one_reply_prefix_and_one_tag(
    wiltshire: Council, subject: str, expected: str
) -> None:
    ack = to_member(wiltshire, subject, "Please could someone look at the pothole on Mill Lane?")
    ref = wiltshire.case().ref
    assert str(ack["Subject"]) == f"{expected} [{ref}]"
    # It answers their message, in its thread.
    assert str(ack["In-Reply-To"]) == "<t1@test.example>"
    assert "<t1@test.example>" in str(ack["References"])
    assert f"Our reference is {ref}" in body_text(ack, "plain")
